"""Checklist items 2, 3 and 5 over every URL pattern, with the settings production runs with.

The security settings are read from trygg.settings in a child process started with TRYGG_ENV=production (the
way test_security.py checks `check --deploy`), then applied to this process: Django's middleware reads them per
request, so every URL pattern is asked in-process, over HTTPS, with exactly the values production has. Static
file storage is left as in development: the manifest storage needs `collectstatic`, and it changes no header.

Every pattern of the URL configuration is walked, the admin and the API included, also the patterns without
a name: a pattern with arguments is filled with the objects of the permission matrix where it names them, and
otherwise with values that find nothing (the 404 must carry the headers too).
"""

import base64
import functools
import pickle
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern, RegexPattern, RoutePattern
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from trygg.accounts.models import User
from trygg.core.tests.test_permission_matrix import KWARGS, Context, matrix  # noqa: F401 - a fixture
from trygg.core.tests.test_security import ROOT, _production_env

pytestmark = pytest.mark.django_db

SECURITY_SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "CONTENT_SECURITY_POLICY",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_COOKIE_PATH",
    "SESSION_COOKIE_PATH",
    "SESSION_COOKIE_DOMAIN",
    "CSRF_COOKIE_DOMAIN",
]
HTTPS: dict[str, Any] = {"secure": True, "HTTP_X_FORWARDED_PROTO": "https"}


@functools.cache
def _production_values(data_dir: str) -> dict[str, Any]:
    script = (
        "import base64, pickle, django\n"
        "django.setup()\n"
        "from django.conf import settings\n"
        f"values = {{name: getattr(settings, name) for name in {SECURITY_SETTINGS!r}}}\n"
        "print(base64.b64encode(pickle.dumps(values)).decode())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={**_production_env(Path(data_dir)), "DJANGO_SETTINGS_MODULE": "trygg.settings"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    values: dict[str, Any] = pickle.loads(base64.b64decode(result.stdout.strip().splitlines()[-1]))
    return values


@pytest.fixture
def production(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    values = _production_values(str(tmp_path_factory.getbasetemp() / "production"))
    assert values["DEBUG"] is False and values["SECURE_SSL_REDIRECT"] is True
    for name, value in values.items():
        setattr(settings, name, value)
    return values


def _chains(patterns: list[Any], above: tuple[Any, ...] = (), namespace: str = "") -> Iterator[Any]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _chains(pattern.url_patterns, (*above, pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}{pattern.name}" if pattern.name else None, (*above, pattern.pattern)


SAMPLE_BY_CONVERTER = {"int": "999999", "slug": "finns-inte", "str": "finns-inte", "path": "999999"}


def _from_regex(regex: str, known: dict[str, str]) -> str:
    """A path the regular expression matches: a named group takes its object, its first choice or a path of nothing."""

    def group(found: re.Match[str]) -> str:
        name, body = found[1], found[2]
        if name in known:
            return known[name]
        if re.fullmatch(r"[\w|-]+", body):
            return body.split("|")[0]
        if body == ".*":
            return "finns-inte/"
        pytest.fail(f"no sample for the group {name!r} of the pattern {regex!r}")

    path = re.sub(r"\(\?P<(\w+)>([^()]*)\)", group, regex.removeprefix("^").removesuffix("$"))
    path = path.replace("\\.", ".").replace("\\-", "-")
    if re.search(r"[\\()\[\]*+?^$]", path):
        pytest.fail(f"no sample path for the pattern {regex!r}")
    return path


def _sample(name: str | None, chain: tuple[Any, ...], context: Context) -> str:
    known = {key: str(value) for key, value in KWARGS[name](context).items()} if name in KWARGS else {}
    path = "/"
    for part in chain:
        if isinstance(part, LocalePrefixPattern):
            path += part.language_prefix
        elif isinstance(part, RoutePattern):
            path += re.sub(
                r"<(?:(\w+):)?(\w+)>",
                lambda found: (
                    known.get(found[2])
                    or (str(uuid.uuid4()) if found[1] == "uuid" else SAMPLE_BY_CONVERTER[found[1] or "str"])
                ),
                str(part),
            )
        elif isinstance(part, RegexPattern):
            path += _from_regex(str(part), known)
    return path


def _every_url(context: Context) -> list[tuple[str, str]]:
    return [
        (name or str(chain[-1]), _sample(name, chain, context))
        for name, chain in _chains(get_resolver().url_patterns)
    ]


def _header_problems(response: Any) -> list[str]:
    problems = []
    hsts = response.get("Strict-Transport-Security", "")
    age = re.search(r"max-age=(\d+)", hsts)
    if not age or int(age[1]) < 31536000 or "includeSubDomains" not in hsts:
        problems.append(f"HSTS {hsts!r}")
    policy = response.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    for directive in ("object-src", "base-uri", "frame-ancestors"):
        if directives.get(directive) != ["'none'"]:
            problems.append(f"CSP {directive} {directives.get(directive)}")
    script = directives.get("script-src", directives.get("default-src"))
    if not script or {"'unsafe-inline'", "'unsafe-eval'"} & set(script):
        problems.append(f"CSP script-src {script}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no nosniff")
    if response.get("Referrer-Policy") not in {
        "no-referrer",
        "same-origin",
        "strict-origin-when-cross-origin",
    }:
        problems.append(f"Referrer-Policy {response.get('Referrer-Policy')!r}")
    return problems


def _staff_client(user: User) -> Client:
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client(raise_request_exception=False)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.first().persistent_id  # type: ignore[attr-defined]
    session.save()
    return client


@pytest.mark.page_sweep
def test_item_2_every_url_pattern_answers_with_the_production_security_headers(
    production: dict[str, Any],
    matrix: Context,  # noqa: F811 - the permission matrix's fixture
    coordinator: User,
) -> None:
    urls = _every_url(matrix)
    problems = []
    for persona, client in {
        "anonymous": Client(raise_request_exception=False),
        "coordinator": _staff_client(coordinator),
    }.items():
        for name, url in urls:
            response = client.get(url, **HTTPS)
            problems += [
                (persona, name, url, response.status_code, problem) for problem in _header_problems(response)
            ]
    plain = Client().get("/ljungby/2023/")

    assert len(urls) == len(list(_chains(get_resolver().url_patterns))) > 300
    assert problems == [], problems
    assert plain.status_code == 301 and plain["Location"].startswith("https://")


def _totp(user: User) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_item_3_a_real_login_in_production_gets_host_prefixed_secure_samesite_cookies(
    production: dict[str, Any], coordinator: User
) -> None:
    coordinator.set_password("ett-långt-lösenord-för-produktion")
    coordinator.save()
    client = Client(enforce_csrf_checks=True)

    form = client.get("/personal/logga-in/", **HTTPS)
    csrf = form.cookies["__Host-csrftoken"]
    logged_in = client.post(
        "/personal/logga-in/",
        {
            "username": coordinator.username,
            "password": "ett-långt-lösenord-för-produktion",
            "otp_token": _totp(coordinator),
            "csrfmiddlewaretoken": csrf.value,
        },
        HTTP_REFERER="https://testserver/personal/logga-in/",
        **HTTPS,
    )
    session = logged_in.cookies["__Host-sessionid"]

    assert logged_in.status_code == 302
    assert client.get("/personal/", **HTTPS).status_code == 200
    for cookie in (csrf, session):
        assert cookie["secure"] is True
        assert cookie["samesite"] in {"Lax", "Strict"}
        assert cookie["path"] == "/" and not cookie["domain"]  # what the __Host- prefix demands of a browser
    assert session["httponly"] is True
    assert {"sessionid", "csrftoken"}.isdisjoint(set(form.cookies) | set(logged_in.cookies))


# Checklist item 5: the URL patterns anyone may open. Every other pattern must send an anonymous visitor to a
# login page or refuse (401 from the API, 403).
PUBLIC = {
    # the way in
    "accounts:login",
    "accounts:logout",
    "accounts:oidc_start",
    "accounts:oidc_callback",
    "accounts:invitation_accept",
    "otpadmin:logout",
    # the public site
    "about",
    "accessibility",
    "favicon",
    "health",
    "promises:home",
    "promises:municipality",
    "promises:theme_css",
    "promises:detail",
    "promises:focus_area",
    "promises:activity",
    "followup:explained",
    "followup:calendar",
    "followup:compare",
    "followup:feed",
    "followup:report",
    "followup:report_chart",
    "followup:report_pdf",
    "followup:timeline",
    "followup:export_activities",
    "followup:export_executions",
    "followup:export_json",
    "comments:create",
    "comments:report",
    "comments:subscribe",
    "comments:subscription_confirm",
    "comments:unsubscribe",
    "comments:promise_comments",
    "comments:promise_csv",
    "comments:promise_feed",
    "crimestats:statistics",
    "crimestats:chart",
    "evidence:current",
    "evidence:document",
    "evidence:document_pdf",
    "indicators:list",
    "indicators:detail",
    "indicators:chart",
    "indicators:csv",
    "meetings:calendar",
    "meetings:calendar_ics",
    "meetings:meeting",
    "meetings:walks",
    "meetings:walk",
    "meetings:walk_pdf",
    "meetings:walk_route",
    "meetings:watches",
    "reports:create",
    "reports:detail",
    "reports:thanks",
    "reports:follow",
    "reports:follow_sent",
    "reports:follow_confirm",
    "meetings:signup_confirm",
    "reports:unsubscribe",
    "reports:flag",
    "reports:map",
    "reports:geojson",
    "reports:place_near",
    "reports:photo",
    "reports:photo_thumbnail",
    "open311:discovery",
    "open311:discovery_v2",
    "open311:services",
    "open311:service",
    "open311:requests",
    "open311:request",
    "open311:token",
    "open311:updates",
    "open311:not_found",
    "surveys:answer",
    "surveys:step",
    "surveys:thanks",
    "surveys:results",
    "surveys:results_chart",
    "surveys:results_csv",
    # the national view, the comparison and the open data
    "national:home",
    "national:geojson",
    "national:groups",
    "national:group",
    "national:ping",
    "national:open_data",
    "national:catalogue",
    "national:open_data_file",
    # the public JSON API and its description
    "api:api-root",
    "api:openapi-json",
    "api:openapi-view",
    "api:municipality_list",
    "api:promise_list",
    "api:promise_detail",
    "api:promise_status",
    "api:promise_executions",
    "api:promise_comments",
    "api:federation_discovery",
    "api:federation_promises",
    "api:federation_focus_areas",
    "api:federation_activities",
    "api:federation_executions",
    "api:federation_statuses",
    "api:federation_deletions",
}
# Development serves the logos itself (the pattern exists only when trygg.urls is imported with DEBUG on).
PUBLIC_IN_DEVELOPMENT = {r"^media/logos/(?P<path>.*)$"}
LOGIN_PAGES = ("/personal/logga-in/", "/admin/login/")


def _refuses(response: Any) -> bool:
    location = response.get("Location", "")
    redirected_to_login = response.status_code == 302 and urlsplit(location).path in LOGIN_PAGES
    return redirected_to_login or response.status_code in {401, 403}


@pytest.mark.page_sweep
def test_item_5_every_url_pattern_is_public_by_the_list_or_refuses_anonymous_visitors(
    matrix: Context,  # noqa: F811
) -> None:
    client = Client(raise_request_exception=False)
    urls = _every_url(matrix)
    problems = []
    for name, url in urls:
        response = client.get(url)
        if response.status_code == 405 and name not in PUBLIC:
            response = client.post(url, {})  # an action that only takes POST must refuse that too
        public = name in PUBLIC or name in PUBLIC_IN_DEVELOPMENT
        if response.status_code >= 500:
            problems.append((name, url, response.status_code, "server error"))
        elif public and _refuses(response):
            problems.append((name, url, response.status_code, "on the public list but not public"))
        elif not public and not _refuses(response):
            problems.append((name, url, response.status_code, "neither public nor refused"))

    assert {name for name, _url in urls} >= PUBLIC, "the public list names patterns that do not exist"
    assert problems == [], problems
