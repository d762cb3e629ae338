"""Checklist item 4: requests that go wrong, with DEBUG off, tell the client nothing about the inside.

More than 50 requests that each end in an error (malformed ids, bad query parameters, wrong methods, odd and
huge headers, broken multipart bodies, invalid JSON to the API, unknown slugs, views forced to raise); no
answer may hold a traceback, a setting's name, SQL or a file path.
"""

import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError
from django.test import Client

from trygg.accounts.models import User
from trygg.promises.models import Activity, Promise

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
SETTING_NAMES = ["SECRET_KEY", "DATABASES", "INSTALLED_APPS", "MIDDLEWARE", "ALLOWED_HOSTS", "ROOT_URLCONF"]
LEAKS = [
    re.compile(r"Traceback \(most recent call last\)"),
    re.compile(r'File "[^"]+", line \d+'),
    re.compile(r"\b(?:SELECT|INSERT INTO|UPDATE|DELETE FROM)\b[^<]{0,200}\b(?:FROM|VALUES|SET|WHERE)\b"),
    re.compile(r"\b(?:" + "|".join(SETTING_NAMES) + r")\b"),
    re.compile(re.escape(str(ROOT))),
    re.compile(re.escape(sys.prefix)),
    re.compile(r"site-packages|/usr/lib/python|\w+\.py\b"),
]
SECRET_MESSAGE = (
    f"SELECT password FROM accounts_user WHERE id = 1; SECRET_KEY in {ROOT}/trygg/settings.py, "
    'Traceback (most recent call last): File "/srv/trygg/views.py", line 1'
)

Request = Callable[[Client], Any]


def _broken_multipart(client: Client, body: bytes, boundary: str = "grans") -> Any:
    return client.generic(
        "POST", "/ljungby/felanmalan/", body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def _requests(activity: Activity) -> dict[str, Request]:
    api_executions = f"/api/staff/activities/{activity.pk}/executions"
    huge = "a" * 60_000
    requests: dict[str, Request] = {
        # malformed and unknown ids
        "id with letters": lambda c: c.get("/personal/lofte/abc/"),
        "id past 64 bits": lambda c: c.get(f"/personal/lofte/{'9' * 30}/"),
        "activity id past 64 bits": lambda c: c.get(f"/ljungby/2023/aktivitet/{'9' * 30}/"),
        "negative activity id": lambda c: c.get("/ljungby/2023/aktivitet/-1/"),
        "report reference of junk": lambda c: c.get("/ljungby/felanmalan/%00%ff/"),
        "photo name with dots": lambda c: c.get("/ljungby/felanmalan/bild/..%2f..%2fetc%2fpasswd"),
        "open311 token that is no uuid": lambda c: c.get("/api/open311/v2/tokens/inte-en-uuid.json"),
        "subscription token forged": lambda c: c.get("/prenumerera/bekrafta/1:x:y/"),
        "unsubscribe token forged": lambda c: c.get("/prenumerera/sluta/%27%20OR%201%3D1/"),
        "walk that does not exist": lambda c: c.get("/ljungby/trygghetsvandring/999999/protokoll.pdf"),
        "api id past 64 bits": lambda c: c.post(
            f"/api/staff/activities/{'9' * 30}/executions", "{}", content_type="application/json"
        ),
        # unknown slugs
        "unknown municipality": lambda c: c.get("/kommunen-finns-inte/"),
        "unknown promise": lambda c: c.get("/ljungby/1999/"),
        "unknown focus area": lambda c: c.get("/ljungby/2023/finns-inte/"),
        "unknown survey": lambda c: c.get("/ljungby/trygghetsmatning/finns-inte/resultat/"),
        "unknown indicator": lambda c: c.get("/ljungby/matningar/finns-inte/diagram.svg"),
        "unknown crime category": lambda c: c.get("/ljungby/brottsstatistik/diagram/finns-inte.svg"),
        "unknown promise in the api": lambda c: c.get("/api/municipalities/ljungby/promises/1999"),
        "unknown comparison": lambda c: c.get("/ljungby/jamfor/2023/1999/"),
        "unknown english page": lambda c: c.get("/en/finns-inte/"),
        # bad query parameters
        "bounding box of words": lambda c: c.get("/ljungby/felanmalan/karta.geojson?bbox=a,b,c,d"),
        "bounding box of infinities": lambda c: c.get(
            "/ljungby/felanmalan/karta.geojson?bbox=1e999,-1e999,nan,0"
        ),
        "bounding box too short": lambda c: c.get("/ljungby/felanmalan/karta.geojson?bbox=1"),
        "unknown state filter": lambda c: c.get("/ljungby/felanmalan/karta.geojson?state=%3Cscript%3E"),
        "category of sql": lambda c: c.get("/ljungby/felanmalan/karta.geojson?category=1%27%20OR%201=1--"),
        "api page of letters": lambda c: c.get("/api/municipalities?page=abc"),
        "api page far out": lambda c: c.get(f"/api/municipalities?page={'9' * 40}"),
        "api page size negative": lambda c: c.get("/api/municipalities?page_size=-5"),
        "open311 without a format key": lambda c: c.get("/api/open311/v2/requests.json?start_date=igår"),
        "open311 bad dates": lambda c: c.get(
            "/api/open311/v2/requests.json?start_date=2023-13-45&end_date=x"
        ),
        "survey language of NUL": lambda c: c.get("/ljungby/trygghetsmatning/exempel-2022/?sprak=%00"),
        "staff list with odd page": lambda c: c.get("/personal/?page=%00"),
        # wrong methods
        "DELETE a public page": lambda c: c.delete("/ljungby/2023/"),
        "PUT a public page": lambda c: c.put("/ljungby/2023/", "x"),
        "PATCH the report form": lambda c: c.patch("/ljungby/felanmalan/", "x"),
        "POST to a feed": lambda c: c.post("/ljungby/2023/flode/"),
        "POST to the geojson": lambda c: c.post("/ljungby/felanmalan/karta.geojson"),
        "GET a POST-only comment action": lambda c: c.get(
            f"/kommentera/lofte/{activity.focus_area.promise_id}/"
        ),
        "DELETE in the api": lambda c: c.delete("/api/municipalities"),
        "TRACE the health check": lambda c: c.generic("TRACE", "/healthz"),
        "unknown method": lambda c: c.generic("BREW", "/ljungby/"),
        # odd and huge headers
        "host not allowed": lambda c: c.get("/ljungby/", HTTP_HOST="angripare.example"),
        "host with a line break": lambda c: c.get("/ljungby/", HTTP_HOST="testserver\r\nX-Evil: 1"),
        "host with a port of letters": lambda c: c.get("/ljungby/", HTTP_HOST="testserver:abc"),
        "huge accept-language": lambda c: c.get("/ljungby/finns-inte/", HTTP_ACCEPT_LANGUAGE=huge),
        "huge cookie": lambda c: c.get("/personal/", HTTP_COOKIE=f"sessionid={huge}"),
        "malformed cookie": lambda c: c.get("/personal/", HTTP_COOKIE='sessionid="\x00;;=;csrftoken'),
        "forwarded-for of junk": lambda c: c.post(
            "/ljungby/felanmalan/", {"website": "x"}, HTTP_X_FORWARDED_FOR="not-an-ip, " + huge
        ),
        "content length that lies": lambda c: c.generic(
            "POST", "/ljungby/felanmalan/", b"a=b", CONTENT_LENGTH="99999999999999999999"
        ),
        "content type of nonsense": lambda c: c.generic(
            "POST", "/ljungby/felanmalan/", b"\x00\x01", content_type="application/x-nonsense; charset=ebcdic"
        ),
        # broken multipart
        "multipart without a boundary": lambda c: c.generic(
            "POST", "/ljungby/felanmalan/", b"--x\r\n", content_type="multipart/form-data"
        ),
        "multipart cut off": lambda c: _broken_multipart(
            c, b'--grans\r\nContent-Disposition: form-data; name="description"\r\n\r\nhalv'
        ),
        "multipart with the wrong boundary": lambda c: _broken_multipart(
            c, b'--annan\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--annan--\r\n'
        ),
        "multipart file without a name": lambda c: _broken_multipart(
            c,
            b'--grans\r\nContent-Disposition: form-data; name="photos"; filename=""\r\n'
            b"Content-Type: image/jpeg\r\n\r\n\xff\xd8\r\n--grans--\r\n",
        ),
        "multipart with a NUL header": lambda c: _broken_multipart(
            c, b"--grans\r\nContent-Disposition: form-data; name=\x00\r\n\r\nb\r\n--grans--\r\n"
        ),
        # invalid JSON and wrong shapes to the API
        "api JSON cut off": lambda c: c.post(api_executions, '{"done_on": ', content_type="application/json"),
        "api JSON of the wrong type": lambda c: c.post(
            api_executions, "[1, 2]", content_type="application/json"
        ),
        "api JSON with a bad date": lambda c: c.post(
            api_executions, '{"done_on": "2023-02-30", "count": "many"}', content_type="application/json"
        ),
        "api JSON as form data": lambda c: c.post(api_executions, {"done_on": "x"}),
        "api JSON of NUL bytes": lambda c: c.post(
            api_executions, b"\x00\x00", content_type="application/json"
        ),
    }
    return requests


def _leaks(body: str) -> list[str]:
    return [pattern.pattern for pattern in LEAKS if pattern.search(body)]


def test_item_4_fifty_error_requests_with_debug_off_reveal_nothing(
    settings: Any, login: Callable[[User], Client], coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.DEBUG = False
    activity = Activity.objects.filter(focus_area__promise__slug="2023").order_by("pk").first()
    assert activity is not None
    staff = login(coordinator)
    staff.raise_request_exception = False
    anonymous = Client(raise_request_exception=False)
    requests = _requests(activity)

    answers = {}
    for name, request in requests.items():
        for persona, client in (("anonymous", anonymous), ("coordinator", staff)):
            answers[(name, persona)] = request(client)

    def raise_sql(**kwargs: Any) -> Any:
        raise DatabaseError(SECRET_MESSAGE)

    def raise_runtime(**kwargs: Any) -> Any:
        raise RuntimeError(SECRET_MESSAGE)

    monkeypatch.setattr("trygg.followup.promise_views.promise_page_build", raise_sql)
    answers[("a view whose query fails", "anonymous")] = anonymous.get("/ljungby/2023/")
    monkeypatch.setattr("trygg.followup.promise_views.promise_page_build", raise_runtime)
    monkeypatch.setattr("trygg.api.api.promise_page_build", raise_runtime)
    answers[("a view that raises", "anonymous")] = anonymous.get("/ljungby/2023/")
    answers[("an API view that raises", "anonymous")] = anonymous.get(
        "/api/municipalities/ljungby/promises/2023"
    )

    errors = {key: answer for key, answer in answers.items() if answer.status_code >= 400}
    leaks = [
        (key, answer.status_code, found)
        for key, answer in answers.items()
        if (found := _leaks(answer.content.decode("utf-8", "replace") + str(answer.headers)))
    ]
    assert len(requests) >= 55
    assert len({name for name, _persona in errors}) >= 50, sorted(set(answers) - set(errors))
    assert answers[("a view that raises", "anonymous")].status_code == 500
    assert leaks == [], leaks
    assert Promise.objects.filter(slug="2023").exists()
