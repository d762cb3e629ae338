"""Every query parameter of every GET route, fuzzed: no answer is a server error (issue 20, item 13).

The review found 500s from query strings no form test sends (`hotspots.geojson?until=9999-12-31`, Open311's
`page=99999999999999999`). Here every named URL pattern (public pages, Open311, and the staff pages asked by a
coordinator), and every GET operation of the JSON API, is asked:
1. once with the query string its own GET forms would send (the page's baseline), and once with a dummy
   parameter, while the request records every query parameter the view reads;
2. then, one parameter at a time on top of the baseline, with each hostile value below.
`make fuzz` (HYPOTHESIS_PROFILE=fuzz) adds many generated values per parameter.
"""

import os
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.http import QueryDict
from django.test import Client
from django.utils.functional import cached_property
from hypothesis import strategies as st

from trygg.core.tests.test_permission_matrix import Context, _all_urls, matrix  # noqa: F401

pytestmark = pytest.mark.django_db

HOSTILE = [
    "",
    "9999-12-31",
    "0001-01-01",
    "2024-02-30",
    "99999999999999999999",
    "-99999999999999999999",
    "-1",
    "0",
    "1e309",
    "NaN",
    "\x00",
    "%00",
    "../../etc/passwd",
    "ä" * 3000,
    "1,2,3,4",
    "-180,-90,180,90",
    "🙂",
    "<script>",
]
GENERATED = 25 if os.environ.get("HYPOTHESIS_PROFILE") == "fuzz" else 0
# Routes whose GET does work worth minutes per request (PDF rendering): fuzzed with fewer values.
SLOW = re.compile(r"(\.pdf|/pdf/|protokoll)")
# Charts draw a new matplotlib figure for every query string: fuzzed with one value of each kind (a date out of
# range, an impossible date, numbers too large, negative, infinite and not a number, a NUL byte, long and
# non-ASCII text).
CHARTS = re.compile(r"\.svg$")
CHART_VALUES = [
    "",
    "9999-12-31",
    "2024-02-30",
    "99999999999999999999",
    "-1",
    "1e309",
    "NaN",
    "\x00",
    "ä" * 3000,
    "🙂",
]
# Parameters the client itself adds or that Django's middleware reads for every request.
IGNORED = {"csrfmiddlewaretoken", "trygg_fuzz_probe"}


# The query parameters views read since the last clear().
_READ: set[str] = set()


class _RecordingQueryDict(QueryDict):
    def __getitem__(self, key: str) -> Any:
        _READ.add(key)
        return super().__getitem__(key)

    def get(self, key: str, default: Any = None) -> Any:
        _READ.add(key)
        return super().get(key, default)

    def getlist(self, key: str, default: Any = None) -> Any:
        _READ.add(key)
        return super().getlist(key, default)


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    def get(request: WSGIRequest) -> QueryDict:
        return _RecordingQueryDict(request.META.get("QUERY_STRING", ""), encoding=request.encoding)

    recording = cached_property(get)
    recording.__set_name__(WSGIRequest, "GET")
    monkeypatch.setattr(WSGIRequest, "GET", recording)
    _READ.clear()
    return _READ


class _GetForms(HTMLParser):
    """The names and first values of the fields of a page's GET forms: the query string it would send."""

    def __init__(self) -> None:
        super().__init__()
        self.in_get_form = False
        self.select: str | None = None
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.in_get_form = attributes.get("method", "get").lower() == "get"
        elif not self.in_get_form:
            return
        elif tag == "input" and attributes.get("name") and attributes.get("type") not in {"submit", "button"}:
            if attributes.get("type") in {"checkbox", "radio"} and "checked" not in attributes:
                return
            self.values.setdefault(attributes["name"], attributes.get("value", ""))
        elif tag == "select" and attributes.get("name"):
            self.select = attributes["name"]
        elif tag == "option" and self.select:
            chosen = "selected" in attributes
            if self.select not in self.values or chosen:
                self.values[self.select] = attributes.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_get_form = False
        elif tag == "select":
            self.select = None


def _baseline(html: str) -> dict[str, str]:
    parser = _GetForms()
    parser.feed(html)
    return parser.values


def _api_routes(context: Context) -> Iterator[tuple[str, list[str]]]:
    from trygg.api.api import api

    fill = {"slug": "ljungby", "promise_slug": context["promise"].slug}
    for path, operations in api.get_openapi_schema()["paths"].items():
        if "get" not in operations:
            continue
        parameters = operations["get"].get("parameters", [])
        url = path
        for parameter in parameters:
            if parameter["in"] == "path":
                url = url.replace("{" + parameter["name"] + "}", fill[parameter["name"]])
        yield url, [parameter["name"] for parameter in parameters if parameter["in"] == "query"]


def _values() -> list[str]:
    extra: list[str] = []
    if GENERATED:
        strategy = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)
        extra = [strategy.example() for _ in range(GENERATED)]
    return HOSTILE + extra


def _fuzz(client: Client, url: str, names: set[str], baseline: dict[str, str], failures: list[str]) -> None:
    values = HOSTILE[:6] if SLOW.search(url) else CHART_VALUES if CHARTS.search(url) else _values()
    for name in sorted(names - IGNORED):
        for value in values:
            query = urlencode({**baseline, name: value})
            response = client.get(f"{url}?{query}")
            if response.status_code >= 500:
                failures.append(f"{response.status_code} GET {url}?{query[:200]}")


def test_no_query_string_makes_any_get_route_answer_with_a_server_error(
    matrix: Context,  # noqa: F811
    recorded: set[str],
    login: Any,
    coordinator: Any,
    settings: Any,
) -> None:
    from trygg.reports.models import Report

    settings.RATE_LIMITS_ENABLED = False
    # Stray points filed before points were checked against the municipality (the review's item 11).
    report = matrix["report"]
    for latitude, longitude in [(-89.9, 179.9), (0.0, 0.0), (59.33, 18.06)]:
        Report.objects.create(
            municipality=report.municipality,
            category=report.category,
            reference=f"STRAY-{latitude}-{longitude}",
            description="Punkt var som helst",
            latitude=latitude,
            longitude=longitude,
            public_latitude=latitude,
            public_longitude=longitude,
            created_at=report.created_at,
            due_at=report.due_at,
        )
    staff = login(coordinator)
    staff.raise_request_exception = False
    anonymous = Client(raise_request_exception=False)
    failures: list[str] = []
    asked = 0
    for _name, url in _all_urls(matrix):
        client = staff if "/personal/" in url else anonymous
        recorded.clear()
        first = client.get(url)
        if first.status_code >= 500:
            failures.append(f"{first.status_code} GET {url}")
        if first.status_code == 405 or first.get("Content-Type", "").startswith(
            ("application/pdf", "image/")
        ):
            baseline: dict[str, str] = {}
        else:
            baseline = _baseline(first.content.decode(errors="replace"))
        client.get(f"{url}?{urlencode({**baseline, 'trygg_fuzz_probe': '1'})}")
        names = set(recorded) | set(baseline)
        if names - IGNORED:
            asked += 1
        _fuzz(client, url, names, baseline, failures)
    for url, parameters in _api_routes(matrix):
        _fuzz(anonymous, url, set(parameters), {}, failures)
        asked += 1

    assert asked > 30, "the recording found the query parameters of many routes"
    assert failures == [], "\n".join(failures[:50])
