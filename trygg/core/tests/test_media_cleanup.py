"""`cleanup_media`: no file without a row, no row without its file, and nothing taken from an upload in flight."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from trygg.audit.models import AuditEntry
from trygg.core.media import media_cleanup
from trygg.core.tests.residents import file_names_in_database, jpeg, media_files, report_file
from trygg.demo.reports import load_reports_demo
from trygg.municipalities.models import Municipality
from trygg.reports.models import Report, ReportPhoto
from trygg.surveys.models import SurveyDataFile
from trygg.surveys.tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MAP_TILES_URL = ""
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def reports_home(home_municipality: Municipality, media_root: Path) -> Municipality:
    load_reports_demo(home_municipality)
    return home_municipality


def _stray_file(media_root: Path, name: str, *, age: dt.timedelta) -> str:
    """A file no row names, as a crash between writing a photo and committing its row leaves one."""
    stored = default_storage.save(name, ContentFile(b"\xff\xd8\xff\xd9"))
    _age(media_root / stored, age)
    return stored


def _age(path: Path, age: dt.timedelta) -> None:
    then = (timezone.now() - age).timestamp()
    os.utime(path, (then, then))


def test_a_file_no_row_names_is_deleted_after_the_grace_period_and_named_or_new_files_stay(
    client: Client, reports_home: Municipality, media_root: Path
) -> None:
    report = report_file(client, reporter_email="a@example.se")
    photo = ReportPhoto.objects.get(report=report)
    _age(media_root / str(photo.image.name), 3 * HOUR)  # an old photo that a row names stays, however old
    old = _stray_file(media_root, "reports/photos/kraschad.jpg", age=2 * HOUR)
    in_flight = _stray_file(media_root, "reports/photos/pa-vag.jpg", age=dt.timedelta(minutes=5))

    result = media_cleanup(now=timezone.now(), grace=HOUR)

    assert result.files_deleted == [old]
    assert result.files_too_new == [in_flight]
    assert media_files(media_root) == {*photo.file_names, in_flight}
    assert result.rows_missing_file == []


def test_a_dry_run_only_tells(client: Client, reports_home: Municipality, media_root: Path) -> None:
    old = _stray_file(media_root, "reports/photos/kraschad.jpg", age=2 * HOUR)

    result = media_cleanup(now=timezone.now(), grace=HOUR, dry_run=True)

    assert result.files_deleted == [old]
    assert old in media_files(media_root)


def test_a_photo_row_whose_file_is_lost_goes_and_its_report_stays_whole(
    client: Client, reports_home: Municipality, media_root: Path
) -> None:
    report = report_file(client, photos=2)
    lost, kept = ReportPhoto.objects.filter(report=report).order_by("pk")
    (media_root / str(lost.image.name)).unlink()
    # Before the cleanup the lost photo is a 404, not a server error.
    assert client.get(lost.get_absolute_url()).status_code == 404

    result = media_cleanup(now=timezone.now(), grace=HOUR)

    assert [(missing.model, missing.pk, missing.repaired) for missing in result.rows_missing_file] == [
        ("reports.ReportPhoto", lost.pk, True)
    ]
    assert list(ReportPhoto.objects.filter(report=report)) == [kept]
    page = client.get(report.get_absolute_url())
    assert page.status_code == 200
    assert kept.get_absolute_url() in page.content.decode()
    assert lost.get_absolute_url() not in page.content.decode()
    entry = AuditEntry.objects.filter(model="reports.report", object_id=str(report.pk)).first()
    assert entry is not None and entry.changes == {"reportphoto": [lost.image.name, None]}


def test_an_optional_file_that_is_lost_is_cleared_and_a_required_one_is_reported_and_left(
    reports_home: Municipality, media_root: Path
) -> None:
    Municipality.objects.filter(pk=reports_home.pk).update(logo="logos/borta.png")
    data_file = SurveyDataFile.objects.create(
        survey=SurveyFactory.create(municipality=reports_home),
        file="surveys/1/borta.csv",
        original_name="svar.csv",
        row_count=1,
        imported_on=dt.date(2024, 5, 1),
    )

    result = media_cleanup(now=timezone.now(), grace=HOUR)

    reports_home.refresh_from_db()
    assert reports_home.logo.name == ""
    assert [(missing.model, missing.repaired) for missing in result.rows_left_without_file] == [
        ("surveys.SurveyDataFile", False)
    ]
    assert SurveyDataFile.objects.filter(pk=data_file.pk).exists()  # imported answers are not ours to drop
    with pytest.raises(CommandError):
        call_command("cleanup_media")


def test_photos_stashed_for_a_submission_that_was_never_finished_are_taken_after_the_grace_period(
    client: Client, reports_home: Municipality, media_root: Path
) -> None:
    # Text that reads like an emergency stops at a confirmation step, with the photo kept on the server.
    data = {
        "category": Report.objects.filter(municipality=reports_home).first().category_id,  # type: ignore[union-attr]
        "place": "Salvesbacken",
        "description": "En man hotade mig med kniv vid lampan.",
        "website": "",
    }
    abandoned = "0b8f0f7e-6a43-4a7c-9f1a-3f7a5c2d9e10"
    waiting = "5e2a1c3b-0d4f-4b6e-8a7c-9b1d2e3f4a50"
    for submission in (abandoned, waiting):
        check = client.post("/ljungby/felanmalan/", {**data, "submission_id": submission, "photos": [jpeg()]})
        assert check.status_code == 200 and 'value="check"' in check.content.decode()
    pending = media_root / "reports" / "pending"
    # Both stashes are dated by the test's clock: the file system stamps them with the machine's, which a run
    # under a faked clock (faketime, time-machine) does not move.
    for submission, age in ((abandoned, 2 * HOUR), (waiting, dt.timedelta(0))):
        for path in (pending / submission.replace("-", "")).iterdir():
            _age(path, age)
        _age(pending / submission.replace("-", ""), age)

    result = media_cleanup(now=timezone.now(), grace=HOUR)

    assert len(result.files_deleted) == 1 and result.files_too_new
    assert not (pending / abandoned.replace("-", "")).exists()
    # The resident still at the confirmation step files the report with the photo they chose.
    filed = client.post(
        "/ljungby/felanmalan/", {**data, "submission_id": waiting, "step": "check", "not_emergency": "on"}
    )
    assert filed.status_code == 302
    assert ReportPhoto.objects.filter(report__submission_id=waiting).count() == 1


def test_a_survey_file_waiting_for_its_column_mapping_is_given_a_working_day(
    reports_home: Municipality, media_root: Path
) -> None:
    waiting = _stray_file(media_root, "surveys/uploads/abc.csv", age=3 * HOUR)
    forgotten = _stray_file(media_root, "surveys/uploads/def.csv", age=11 * HOUR)

    result = media_cleanup(now=timezone.now(), grace=HOUR)

    assert result.files_deleted == [forgotten]
    assert waiting in media_files(media_root)


def test_after_the_cleanup_with_the_app_stopped_no_row_lacks_a_file_and_no_file_lacks_a_row(
    client: Client, reports_home: Municipality, media_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # What a kill -9 may leave: a photo written whose row never committed, and a row whose write was lost.
    for _ in range(3):
        report_file(client)
    _stray_file(media_root, "reports/photos/utan-rad.jpg", age=dt.timedelta(seconds=1))
    first = ReportPhoto.objects.order_by("pk")[0]
    (media_root / str(first.image.name)).unlink()
    assert media_files(media_root) != file_names_in_database()

    call_command("cleanup_media", "--grace-minutes", "0")

    assert media_files(media_root) == file_names_in_database()
    assert ReportPhoto.objects.count() == 2
    out = capsys.readouterr().out
    assert "1 filer utan rad borttagna" in out and "1 rader utan fil, 0 kvar" in out


def test_the_trygg_command_offers_the_cleanup_and_the_purge() -> None:
    trygg = Path(sys.executable).parent / "trygg"
    if not trygg.exists():
        pytest.skip("the trygg console script is not installed in this environment")

    result = subprocess.run([str(trygg), "help"], capture_output=True, text=True, check=True)

    assert "cleanup_media" in result.stdout and "purge_personal_data" in result.stdout
