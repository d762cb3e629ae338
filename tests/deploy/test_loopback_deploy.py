"""docs/deploy.md on loopback: scripts/loopback-deploy.sh runs nginx with TLS in front of gunicorn, production
settings, PostgreSQL and the task worker; these tests talk to it over HTTPS like a browser would."""

import glob
import http.client
import os
import re
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from conftest import require_program

ROOT = Path(__file__).resolve().parents[2]
SURVEY_CODE = "KOD-7Q4M-CANARY"


@dataclass
class Deployment:
    url: str
    work: Path

    @property
    def port(self) -> int:
        return int(urlsplit(self.url).port or 443)

    def request(
        self, method: str, path: str, *, body: str | None = None, headers: dict[str, str] | None = None
    ) -> tuple[http.client.HTTPResponse, str]:
        context = ssl.create_default_context(cafile=str(self.work / "tls" / "cert.pem"))
        connection = http.client.HTTPSConnection("127.0.0.1", self.port, context=context, timeout=30)
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        connection.close()
        return response, text


@pytest.fixture(scope="module")
def deployment(tmp_path_factory) -> Iterator[Deployment]:
    require_program("nginx", "nginx (Debian's nginx-light)")
    require_program("openssl", "openssl")
    require_program("curl", "curl")
    initdb = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    require_program(initdb[-1] if initdb else "initdb", "PostgreSQL's server (Debian's postgresql)")
    errors = tmp_path_factory.mktemp("loopback") / "stderr.log"
    with errors.open("w") as stderr:
        process = subprocess.Popen(
            [str(ROOT / "scripts" / "loopback-deploy.sh"), "--hold"],
            cwd=ROOT,
            # Browser tests in the same run allow async-unsafe calls; production's checks rightly refuse that.
            env={key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    assert process.stdout is not None and process.stdin is not None
    # The script's every step is bounded, so it either says READY or ends (and has cleaned up after itself).
    ready = next((line for line in process.stdout if line.startswith("READY ")), None)
    if ready is None:
        process.wait(timeout=60)
        pytest.fail(f"scripts/loopback-deploy.sh did not come up:\n{errors.read_text()[-4000:]}")
    _ready, url, work = ready.split()
    try:
        yield Deployment(url=url, work=Path(work))
    finally:
        process.stdin.close()
        process.wait(timeout=60)


def _log_lines(path: Path, needle: str) -> list[str]:
    # Access logs are written as requests finish: give the last one a moment to land.
    for _attempt in range(50):
        lines = [line for line in path.read_text().splitlines() if needle in line]
        if lines:
            return lines
        time.sleep(0.1)
    return []


def test_the_health_endpoint_answers_over_tls_through_nginx(deployment):
    response, body = deployment.request("GET", "/healthz")
    assert response.status == 200
    assert body == "ok\n"


def test_item_2_a_public_page_through_nginx_carries_the_security_headers_once(deployment):
    response, body = deployment.request("GET", "/om/")
    assert response.status == 200, "a redirect here means the proxy's X-Forwarded-Proto was not believed"
    hsts = response.headers.get_all("Strict-Transport-Security") or []
    assert len(hsts) == 1
    assert "max-age=31536000" in hsts[0] and "includeSubDomains" in hsts[0]
    policy = response.headers["Content-Security-Policy"]
    assert (
        "object-src 'none'" in policy and "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "</html>" in body


def test_plain_http_is_sent_to_https_once(deployment):
    http_port = re.search(r"listen (\d+);", (deployment.work / "nginx" / "trygg.conf").read_text())
    assert http_port is not None
    connection = http.client.HTTPConnection("127.0.0.1", int(http_port.group(1)), timeout=10)
    connection.request("GET", "/om/")
    response = connection.getresponse()
    assert response.status == 301
    assert response.headers["Location"] == f"{deployment.url}/om/"
    connection.close()


def test_a_hashed_static_file_is_served_with_long_caching(deployment):
    _response, body = deployment.request("GET", "/om/")
    stylesheet = re.search(r'href="(/static/trygg/site\.[0-9a-f]{12}\.css)"', body)
    assert stylesheet is not None, "the page links the collected, hashed stylesheet"
    response, css = deployment.request("GET", stylesheet.group(1), headers={"Accept-Encoding": "gzip"})
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/css")
    assert "immutable" in response.headers["Cache-Control"]
    assert response.headers.get("Content-Encoding") == "gzip"
    assert css


def test_only_public_media_is_served_from_disk(deployment):
    (deployment.work / "data" / "media" / "logos" / "kommun.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (deployment.work / "data" / "media" / "reports" / "photos").mkdir(parents=True)
    (deployment.work / "data" / "media" / "reports" / "photos" / "hidden.jpg").write_bytes(b"\xff\xd8")
    logo, _body = deployment.request("GET", "/media/logos/kommun.png")
    assert logo.status == 200
    assert logo.headers["Content-Type"] == "image/png"
    photo, _body = deployment.request("GET", "/media/reports/photos/hidden.jpg")
    assert photo.status == 404


def test_item_1_an_html_file_among_the_logos_is_inert_downloaded_bytes_with_a_sandbox_policy(deployment):
    # Issue 20's takeover began with an HTML file served from /media/logos/ as text/html without a policy.
    payload = b"<script>fetch('/admin/', {method: 'POST'})</script>"
    for name in ("takeover.html", "takeover.svg", "takeover"):
        (deployment.work / "data" / "media" / "logos" / name).write_bytes(payload)
        response, _body = deployment.request("GET", f"/media/logos/{name}")
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/octet-stream"
        assert response.headers["Content-Disposition"] == "attachment"
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'; sandbox;")
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    image, _body = deployment.request("GET", "/media/logos/kommun.png")
    assert image.headers["Content-Disposition"] == "inline"
    assert image.headers["Content-Security-Policy"].startswith("default-src 'none'; sandbox;")
    assert len(image.headers.get_all("Strict-Transport-Security") or []) == 1


def test_item_14_nginx_names_no_version(deployment):
    for path in ("/healthz", "/media/nothing", "/media/logos/missing.png"):
        response, body = deployment.request("GET", path)
        assert response.headers["Server"] == "nginx"
        assert not re.search(r"nginx/\d", body)


def test_item_3_and_8_a_form_post_through_nginx_passes_csrf_and_a_post_without_token_does_not(deployment):
    page, body = deployment.request("GET", "/personal/logga-in/")
    assert page.status == 200
    cookies = SimpleCookie()
    for header in page.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    assert "__Host-csrftoken" in cookies
    assert cookies["__Host-csrftoken"]["secure"]
    # Issue 20: a script that runs on the site's origin cannot read the token; forms carry it.
    assert cookies["__Host-csrftoken"]["httponly"]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    assert token is not None
    form = urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": "nobody", "password": "not the password"}
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"__Host-csrftoken={cookies['__Host-csrftoken'].value}",
        # A browser sends its origin with the port; nginx must pass the Host with the port for this to match.
        "Origin": deployment.url,
    }
    answer, answer_body = deployment.request("POST", "/personal/logga-in/", body=form, headers=headers)
    assert answer.status == 200, "the login form comes back with its errors, not a CSRF 403"
    assert 'name="username"' in answer_body
    forged, _body = deployment.request(
        "POST", "/personal/logga-in/", body="username=nobody&password=x", headers=headers
    )
    assert forged.status == 403


def test_item_20_access_logs_hold_no_query_string_and_no_residents_address(deployment):
    deployment.request("GET", f"/om/?kod={SURVEY_CODE}")
    deployment.request("GET", f"/ljungby/trygghetsmatning/enkat/?kod={SURVEY_CODE}")
    deployment.request("GET", "/personal/logga-in/")
    (deployment.work / "data" / "media" / "logos" / "logga.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    deployment.request("GET", "/media/logos/logga.png")
    gunicorn_log = deployment.work / "gunicorn-access.log"
    nginx_log = deployment.work / "nginx" / "log" / "access.log"
    for log in (gunicorn_log, nginx_log):
        about = _log_lines(log, "GET /om/ ")
        survey = _log_lines(log, "/trygghetsmatning/enkat/")
        staff = _log_lines(log, "GET /personal/logga-in/ ")
        assert about and survey and staff, f"{log.name} logs the requests"
        assert SURVEY_CODE not in log.read_text()
        assert "?" not in log.read_text()
        # Issue 20, item 4: no public request is logged with the client's address (a survey page's assets
        # would otherwise place its respondent); the staff login keeps the address nginx saw.
        assert all(line.startswith("- ") for line in about + survey)
        assert all(line.startswith("127.0.0.1 ") for line in staff)
    logo = _log_lines(nginx_log, "/media/logos/logga.png")
    assert logo and all(line.startswith("- ") for line in logo)


def test_the_worker_sent_the_e_mail_queued_on_commit(deployment):
    messages = [path.read_text() for path in (deployment.work / "mail").iterdir()]
    assert sum("Subject: Loopback" in message for message in messages) == 1
    # The test message of `trygg sendtestemail`, sent by the command itself.
    assert sum("Subject: Test email from" in message for message in messages) == 1


def test_the_daily_jobs_ran_and_left_a_backup(deployment):
    manifests = list((deployment.work / "backups").glob("trygg-*/manifest.json"))
    assert len(manifests) == 1
    log = (deployment.work / "scheduled.log").read_text()
    assert "== purge_personal_data" in log and "== send_digests" in log and "== prune_db_task_results" in log
