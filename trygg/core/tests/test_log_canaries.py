"""Checklist item 20 (and the log part of item 25): canary values pushed through the real request paths.

tests/log_canaries.py writes every log record of the run to a file, through the project's log filters, and
fails the run if a canary is in any of them when the run ends. Each test here also looks at what its own
requests logged, so a leak fails the test that caused it as well.
"""

import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.log_canaries import CANARIES, canary_record, current_log_file, flush, scan, scan_file
from trygg.accounts.models import User
from trygg.municipalities.models import Municipality
from trygg.promises.models import Promise
from trygg.surveys import services as survey_services
from trygg.surveys.models import Response, Survey

ROOT = Path(__file__).resolve().parents[3]
EMAIL = CANARIES["e-mail"]
PHONE = CANARIES["phone number"]
PASSWORD = CANARIES["password"]
CLIENT_ADDRESS = CANARIES["client address"]
LEVELS = ("DEBUG ", "INFO ", "WARNING ", "ERROR ", "CRITICAL ")


class Logged:
    """What the process logged while the block ran: the captured file's new lines."""

    text = ""

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()


@contextmanager
def _logged(*canaries: str) -> Iterator[Logged]:
    """Run the block and fail if it logged one of `canaries` (values only known now: a code, a session key)."""
    flush()
    path = current_log_file()
    offset = path.stat().st_size if path.exists() else 0
    logged = Logged()
    yield logged
    flush()
    wanted = {value: kind for kind, value in CANARIES.items()} | {value: "run-time" for value in canaries}
    assert scan_file(path, wanted, offset) == []
    if path.exists():
        with open(path, "rb") as file:
            file.seek(offset)
            logged.text = file.read().decode("utf-8", errors="replace")


@pytest.mark.django_db
def test_item_20_every_record_reaches_the_capture_file_through_the_projects_redaction(client: Client) -> None:
    with _logged() as logged:
        logging.getLogger("trygg.canary_check").debug("kontakt %s", "eva.ek@example.se")
        client.get("/ingen-sadan-kommun/")

    assert "DEBUG trygg.canary_check kontakt [e-post]" in logged.lines
    assert "eva.ek@example.se" not in logged.text
    assert any(
        line.startswith("WARNING django.request Not Found: /ingen-sadan-kommun/") for line in logged.lines
    )


def test_item_20_the_scanner_names_each_planted_canary_and_the_line(tmp_path: Path) -> None:
    (tmp_path / "canaries-gw3.tsv").write_text("session key\tkanariesessionsnyckel123\n", encoding="utf-8")
    (tmp_path / "log-gw3.log").write_text(
        "INFO x nothing here\n"
        "WARNING django.request Not Found: /?e=kanarie.loggprov%40example.org\n"
        "INFO y the session is KANARIESESSIONSNYCKEL123\n",
        encoding="utf-8",
    )
    (tmp_path / "log-gw4.log").write_text("INFO z ring 0705551937\nINFO z clean\n", encoding="utf-8")

    findings = scan(tmp_path)

    assert [(finding.kind, finding.file.name, finding.line_number) for finding in findings] == [
        ("e-mail", "log-gw3.log", 2),
        ("session key", "log-gw3.log", 3),
        ("phone number", "log-gw4.log", 1),
    ]
    assert "kanarie.loggprov%40example.org" in str(findings[0])


def test_item_20_a_canary_in_the_log_fails_the_whole_run_also_under_xdist(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp_path / "test_leak.py").write_text(
        "import logging\n\n"
        "def test_a_careless_log_line():\n"
        f"    logging.getLogger('trygg.careless').info('login with %s', {PASSWORD!r})\n\n"
        "def test_a_clean_one():\n"
        "    logging.getLogger('trygg.careless').info('nothing to see')\n",
        encoding="utf-8",
    )
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTEST_") and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    environment.update(DJANGO_SETTINGS_MODULE="trygg.settings", TRYGG_TEST_LOG_DIR=str(tmp_path / "logs"))

    command = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "tests.log_canaries",
        "-p",
        "no:cacheprovider",
        "-n",
        "2",
    ]
    result = subprocess.run(
        [
            *command,
            "-c",
            str(tmp_path / "pytest.ini"),
            "--rootdir",
            str(tmp_path),
            str(tmp_path / "test_leak.py"),
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )

    assert "2 passed" in result.stdout, result.stdout + result.stderr
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"the password canary {PASSWORD!r} is in log-gw" in result.stdout
    assert "INFO trygg.careless login with" in result.stdout
    assert sorted(path.name for path in (tmp_path / "logs").glob("log-*.log")) == [
        "log-gw0.log",
        "log-gw1.log",
    ]


@pytest.mark.django_db
def test_item_20_no_line_break_in_a_path_or_username_forges_a_log_line(
    client: Client, coordinator: User
) -> None:
    forged = "FORGED-LINE INFO trygg.security security event=login_ok"

    with _logged() as logged:
        client.get(f"/ljungby/x%0D%0A{forged.replace(' ', '%20')}/")
        client.post(
            "/personal/logga-in/",
            {"username": f"coordinator\r\n{forged}", "password": "fel", "otp_token": "000000"},
        )

    assert sum("FORGED-LINE" in line for line in logged.lines) >= 1
    for line in logged.lines:
        assert line.startswith(LEVELS), f"a line that is not a record of its own: {line!r}"
        assert not line.startswith("FORGED-LINE")


def _report_data(municipality: Municipality, **fields: str) -> dict[str, str]:
    from trygg.reports.models import ReportCategory

    category = ReportCategory.objects.filter(municipality=municipality).order_by("pk").first()
    assert category is not None
    return {
        "category": str(category.pk),
        "place": "Salvesbacken",
        "description": f"Lampan är trasig. Ring mig på {PHONE} eller skriv till {EMAIL}.",
        "reporter_name": "Kanarie Fågel",
        "reporter_email": EMAIL,
        "submission_id": str(uuid.uuid4()),
        "website": "",
        **fields,
    }


@pytest.mark.django_db
def test_item_20_a_reporters_email_and_phone_number_are_never_logged(
    client: Client, home_municipality: Municipality, settings, tmp_path: Path
) -> None:
    from trygg.demo.reports import load_reports_demo
    from trygg.reports.models import Report

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MAP_TILES_URL = ""
    load_reports_demo(home_municipality)

    with _logged() as logged:
        refused = client.post("/ljungby/felanmalan/", _report_data(home_municipality, place=""))
        filed = client.post("/ljungby/felanmalan/", _report_data(home_municipality))
        report = Report.objects.get(reporter_email=EMAIL)
        client.post(f"{report.get_absolute_url()}folj/", {"email": EMAIL, "website": ""})
        client.post(f"{report.get_absolute_url()}folj/", {"email": f"{PHONE}@", "website": ""})

    assert refused.status_code == 400 and filed.status_code == 302
    assert "django.request Bad Request: /ljungby/felanmalan/" in logged.text


@pytest.mark.django_db
def test_item_20_a_commenters_and_a_subscribers_email_and_phone_number_are_never_logged(
    client: Client, home_municipality: Municipality
) -> None:
    from trygg.comments.models import CommentContact, Subscription

    promise = Promise.objects.get(municipality=home_municipality, slug="2023")
    comment_url = reverse("comments:create", kwargs={"kind": "lofte", "pk": promise.pk})
    subscribe_url = reverse("comments:subscribe", kwargs={"kind": "lofte", "pk": promise.pk})
    comment = {
        "kommentar-author_name": "Kanarie",
        "kommentar-email": EMAIL,
        "kommentar-text": f"Ring mig på {PHONE} om belysningen.",
        "kommentar-website": "",
        "kommentar-submission_id": str(uuid.uuid4()),
    }

    with _logged():
        client.post(comment_url, {**comment, "kommentar-text": ""})
        client.post(comment_url, comment)
        client.post(subscribe_url, {"prenumeration-email": EMAIL, "prenumeration-website": ""})
        client.post(subscribe_url, {"prenumeration-email": f"{PHONE} {EMAIL}", "prenumeration-website": ""})

    assert CommentContact.objects.filter(email=EMAIL).exists()
    assert Subscription.objects.filter(email=EMAIL).exists()


def _code(user: User) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


@pytest.mark.django_db
def test_item_20_a_staff_password_is_never_logged_at_a_failed_or_a_successful_login(
    client: Client, coordinator: User
) -> None:
    coordinator.set_password("ett-annat-långt-lösenord")
    coordinator.save()

    with _logged() as logged:
        failed = client.post(
            "/personal/logga-in/",
            {"username": coordinator.username, "password": PASSWORD, "otp_token": _code(coordinator)},
        )
        coordinator.set_password(PASSWORD)
        coordinator.save()
        succeeded = client.post(
            "/personal/logga-in/",
            {"username": coordinator.username, "password": PASSWORD, "otp_token": _code(coordinator)},
        )

    assert failed.status_code == 200 and succeeded.status_code == 302
    assert "security event=login_failed" in logged.text


@pytest.mark.django_db
def test_item_20_the_session_key_of_a_logged_in_client_is_never_logged(
    login, coordinator: User, home_municipality: Municipality
) -> None:
    client = login(coordinator)
    key = client.session.session_key
    assert key
    canary_record("session key", key)

    with _logged(key) as logged:
        client.get("/personal/")
        client.get("/personal/trygghetsmatning/999999/")
        client.get("/admin/")
        assert client.session.session_key == key
        client.post("/personal/logga-ut/")

    assert "django.request Not Found: /personal/trygghetsmatning/999999/" in logged.text


def _answer_every_step(client: Client, survey: Survey) -> None:
    step = 1
    while True:
        url = reverse("surveys:step", args=[survey.municipality.slug, survey.slug, step])
        page = client.get(url, REMOTE_ADDR=CLIENT_ADDRESS)
        data = {"next": "1"}
        if step == 1:
            data.update({"area": "Centrum", "kon": "1"})
        if b'name="p_klotter"' in page.content:
            data["p_klotter"] = "2"
        answered = client.post(url, data, REMOTE_ADDR=CLIENT_ADDRESS)
        assert answered.status_code == 302, answered.content.decode()[:500]
        if answered["Location"].endswith("/tack/"):
            return
        step += 1


@pytest.mark.django_db
def test_item_20_a_survey_code_and_the_clients_address_are_never_logged_when_used_and_reused(
    client: Client, invitation_survey: Survey, coordinator: User
) -> None:
    [code] = survey_services.invitation_codes_generate(survey=invitation_survey, count=1, by=coordinator)
    for form in {code, survey_services.code_normalise(code)}:
        canary_record("survey code", form)
    start = invitation_survey.get_absolute_url()

    with _logged(code, survey_services.code_normalise(code)) as logged:
        client.get(start, REMOTE_ADDR=CLIENT_ADDRESS)
        client.post(start, {"code": "FELKOD-0000"}, REMOTE_ADDR=CLIENT_ADDRESS)
        client.post(start, {"code": code}, REMOTE_ADDR=CLIENT_ADDRESS)
        _answer_every_step(client, invitation_survey)
        reused = client.post(start, {"code": code}, REMOTE_ADDR=CLIENT_ADDRESS)
        by_link = client.get(f"{start}?kod={code}", REMOTE_ADDR=CLIENT_ADDRESS, follow=True)
        client.get(f"{start}tack/", REMOTE_ADDR=CLIENT_ADDRESS)
        client.get(f"{start}fragor/99/", REMOTE_ADDR=CLIENT_ADDRESS)
        client.get(f"{start}resultat/", REMOTE_ADDR=CLIENT_ADDRESS)
        client.get("/ljungby/trygghetsmatning/finns-inte/", REMOTE_ADDR=CLIENT_ADDRESS)

    assert Response.objects.filter(survey=invitation_survey).count() == 1
    assert reused.status_code == 400 and by_link.status_code == 400
    assert "django.request Bad Request: " + start in logged.text


@pytest.mark.django_db
def test_item_20_a_servers_error_logs_the_traceback_redacted_and_without_forged_lines(
    home_municipality: Municipality, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError(
            f"could not show the page to {EMAIL}\r\nFORGED-LINE INFO trygg.security all is well"
        )

    monkeypatch.setattr("trygg.followup.promise_views.promise_page_build", broken)
    client = Client(raise_request_exception=False)

    with _logged() as logged:
        response = client.get("/ljungby/2023/")

    assert response.status_code == 500
    assert "ERROR django.request Internal Server Error: /ljungby/2023/" in logged.lines
    assert any(
        line.startswith("Traceback (most recent call last):") and "[e-post]" in line for line in logged.lines
    )
    assert not any(line.startswith("FORGED-LINE") for line in logged.lines)
