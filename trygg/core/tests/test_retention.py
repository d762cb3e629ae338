"""Item 28: the retention purge, with time moved forward, takes contact data and photos, files and all."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.comments.models import Comment, CommentContact
from trygg.core.privacy import personal_data_purge
from trygg.core.tests.residents import file_names_in_database, media_files, report_file
from trygg.demo.reports import load_reports_demo
from trygg.municipalities.models import Municipality
from trygg.promises.models import Promise
from trygg.reports.models import Report, ReportFollower, ReportPhoto
from trygg.reports.services import report_change

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MAP_TILES_URL = ""
    settings.RETENTION_DAYS = {"report_contact": 90, "report_photos": 365, "comment_email": 365}
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def reports_home(home_municipality: Municipality, media_root: Path) -> Municipality:
    load_reports_demo(home_municipality)
    return home_municipality


def _comment_with_email(client: Client, email: str) -> Comment:
    promise = Promise.objects.get(municipality__slug="ljungby", slug="2023")
    url = reverse("comments:create", kwargs={"kind": "lofte", "pk": promise.pk})
    response = client.post(
        url,
        {
            "kommentar-author_name": "Gammal Kommentar",
            "kommentar-email": email,
            "kommentar-text": "Mer belysning vid stationen, tack.",
            "kommentar-website": "",
            "kommentar-submission_id": "6f1d3c52-8a44-4a3e-9a39-0c1e2b7d9a11",
        },
    )
    assert response.status_code in {200, 302}
    return Comment.objects.get(contact__email=email)


def _purge(now: dt.datetime, django_capture_on_commit_callbacks: Any) -> dict[str, int]:
    # The files go once the rows are committed: run the commit callbacks as a real commit would.
    with django_capture_on_commit_callbacks(execute=True):
        return personal_data_purge(now=now)


def test_item_28_the_purge_months_later_takes_contact_data_then_photo_files_and_keeps_the_audit_rows(
    client: Client,
    reports_home: Municipality,
    coordinator: User,
    media_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    now = timezone.now()
    closed = report_file(client, photos=2, reporter_name="Karin Kanarie", reporter_email="karin@example.se")
    client.post(f"{closed.get_absolute_url()}folj/", {"email": "foljer@example.se", "website": ""})
    still_open = report_file(client, reporter_name="Olle Öppen", reporter_email="olle@example.se")
    report_change(report=closed, by=coordinator, state=Report.State.RESOLVED, note="Lagad.", now=now)
    comment = _comment_with_email(client, "kommentar@example.se")
    closed_photos = list(ReportPhoto.objects.filter(report=closed).values_list("image", flat=True))
    assert len(closed_photos) == 2 and set(closed_photos) <= media_files(media_root)
    assert ReportFollower.objects.filter(report=closed).exists()
    audit_before = set(AuditEntry.objects.values_list("pk", flat=True))
    assert AuditEntry.objects.filter(model="reports.report", object_id=str(closed.pk)).count() >= 2

    # Four months on: past the 90 days for contact data, not yet past the year for photos.
    _purge(now + dt.timedelta(days=122), django_capture_on_commit_callbacks)

    closed.refresh_from_db()
    assert (closed.reporter_name, closed.reporter_email) == ("", "")
    assert not ReportFollower.objects.filter(report=closed).exists()
    assert ReportPhoto.objects.filter(report=closed).count() == 2
    assert set(closed_photos) <= media_files(media_root)
    still_open.refresh_from_db()
    assert still_open.reporter_email == "olle@example.se"  # an open report keeps its reporter
    assert CommentContact.objects.filter(comment=comment).exists()

    # Thirteen months on: the photos of the closed report go, rows and files; the comment's address too.
    _purge(now + dt.timedelta(days=396), django_capture_on_commit_callbacks)

    assert not ReportPhoto.objects.filter(report=closed).exists()
    files = media_files(media_root)
    assert not set(closed_photos) & files
    assert ReportPhoto.objects.filter(report=still_open).count() == 1
    assert not CommentContact.objects.filter(comment=comment).exists()
    assert Comment.objects.filter(pk=comment.pk).exists()  # the comment is a public record and stays
    assert Report.objects.filter(pk=closed.pk).exists()
    # Not one orphan either way: every file has a row and every row its file.
    assert files == file_names_in_database()
    # The audit trail is kept whole (gallring of the audit log is not the purge's business) and tells of it.
    assert audit_before <= set(AuditEntry.objects.values_list("pk", flat=True))
    purged = AuditEntry.objects.filter(model="reports.report", object_id=str(closed.pk)).exclude(
        pk__in=audit_before
    )
    assert {tuple(sorted(entry.changes)) for entry in purged} == {
        ("reporter_email", "reporter_name"),
        ("photos",),
    }
    assert all("karin" not in str(entry.changes).lower() for entry in purged)


def test_item_28_a_purge_that_is_rolled_back_keeps_the_photo_files_with_their_rows(
    client: Client,
    reports_home: Municipality,
    coordinator: User,
    media_root: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    now = timezone.now()
    closed = report_file(client)
    report_change(report=closed, by=coordinator, state=Report.State.RESOLVED, note="Lagad.", now=now)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        personal_data_purge(now=now + dt.timedelta(days=400))
        raise RuntimeError("the database went away before the commit")

    assert ReportPhoto.objects.filter(report=closed).count() == 1
    assert media_files(media_root) == file_names_in_database()


def test_the_daily_purge_command_names_every_source(capsys: pytest.CaptureFixture[str], db: None) -> None:
    from django.core.management import call_command

    call_command("purge_personal_data")

    out = capsys.readouterr().out
    for source in ("reports", "comments", "meeting_signups", "neighbourhood_watch_contacts"):
        assert f"{source}: " in out


def test_the_privacy_page_gives_the_legal_basis_public_records_and_the_retention_from_the_settings(
    client: Client, settings: Any, db: None
) -> None:
    settings.RETENTION_DAYS = {"report_contact": 91, "report_photos": 366, "comment_email": 367}

    page = client.get("/om/").content.decode()

    assert "artikel 6.1 e" in page and "allmänna handlingar" in page
    for days in ("91 dagar efter att ärendet avslutats", "366 dagar efter att", "efter 367 dagar"):
        assert days in page
    assert "efter 7 dagar" in page  # unconfirmed subscriptions
