"""Reports hold reporters' names and e-mail addresses and followers' addresses: a personal-data source.

The report itself is a public record and stays; erasure and retention blank the contact data only, and
photos of long-closed reports are deleted, rows and files.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from trygg.core.privacy import email_hashed, retention_days

if TYPE_CHECKING:
    from trygg.accounts.models import User
    from trygg.municipalities.models import Municipality


def _contact_blanked(report: Any, *, by: User | None, reason: str) -> None:
    from trygg.audit.models import AuditEntry
    from trygg.audit.services import audit_record

    changes: dict[str, list[str]] = {}
    if report.reporter_name:
        changes["reporter_name"] = ["…", ""]
    if report.reporter_email:
        changes["reporter_email"] = [email_hashed(report.reporter_email), ""]
    report.reporter_name = ""
    report.reporter_email = ""
    report.save(update_fields=["reporter_name", "reporter_email", "updated_at"])
    audit_record(actor=by, action=AuditEntry.Action.UPDATE, instance=report, changes=changes, reason=reason)


def _photos_deleted_audit(report: Any, *, count: int, by: User | None, reason: str) -> None:
    from trygg.audit.models import AuditEntry
    from trygg.audit.services import audit_record

    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=report,
        changes={"photos": [count, 0]},
        reason=reason,
    )


def photo_files_delete_on_commit(names: list[str]) -> None:
    """Delete stored files once the rows that named them are gone for good.

    A rollback keeps rows and files together; a crash between the commit and the deletion leaves files
    without rows, which `cleanup_media` removes.
    """

    def delete() -> None:
        for name in names:
            default_storage.delete(name)

    if names:
        transaction.on_commit(delete)


class ReportContactSource:
    name = "reports"

    def export(self, *, email: str, municipality: Municipality | None = None) -> list[dict[str, Any]]:
        from .models import Report, ReportFollower

        reports = Report.objects.filter(reporter_email__iexact=email)
        followers = ReportFollower.objects.filter(email__iexact=email)
        if municipality is not None:
            reports = reports.filter(municipality=municipality)
            followers = followers.filter(report__municipality=municipality)
        rows: list[dict[str, Any]] = [
            {
                "report": report.reference,
                "municipality": report.municipality.name,
                "name": report.reporter_name,
                "email": report.reporter_email,
                "description": report.description,
                "place": report.place_name,
                "latitude": report.latitude,
                "longitude": report.longitude,
                "state": report.state,
                "photos": [photo.name for photo in report.photos.all()],
                "filed_at": report.created_at.isoformat(),
            }
            for report in reports.select_related("municipality").prefetch_related("photos")
        ]
        rows += [
            {
                "report": follower.report.reference,
                "follows_with_email": follower.email,
                "since": follower.created_at.isoformat(),
            }
            for follower in followers.select_related("report")
        ]
        return rows

    @transaction.atomic
    def erase(self, *, email: str, municipality: Municipality | None = None, by: User | None = None) -> int:
        from .models import Report, ReportFollower

        reports = Report.objects.select_for_update().filter(reporter_email__iexact=email)
        followers = ReportFollower.objects.filter(email__iexact=email)
        if municipality is not None:
            reports = reports.filter(municipality=municipality)
            followers = followers.filter(report__municipality=municipality)
        from .models import ReportPhoto

        blanked = 0
        reason = _("Radering på begäran av den registrerade")
        erased_reports = list(reports)
        for report in erased_reports:
            _contact_blanked(report, by=by, reason=reason)
            blanked += 1
        # The person's photos go too: a photo of one's own street or house can say who took it.
        photos = list(ReportPhoto.objects.filter(report__in=erased_reports).select_related("report"))
        if photos:
            ReportPhoto.objects.filter(pk__in=[photo.pk for photo in photos]).delete()
            per_report: dict[int, int] = {}
            for photo in photos:
                per_report[photo.report_id] = per_report.get(photo.report_id, 0) + 1
            for report in erased_reports:
                if report.pk in per_report:
                    _photos_deleted_audit(report, count=per_report[report.pk], by=by, reason=reason)
            photo_files_delete_on_commit([name for photo in photos for name in photo.file_names])
        deleted, _counts = followers.delete()
        return blanked + len(photos) + deleted

    @transaction.atomic
    def purge(self, *, now: dt.datetime) -> int:
        from trygg.audit.models import AuditEntry
        from trygg.audit.services import audit_record

        from .models import Report, ReportFollower, ReportPhoto

        reason = _("Lagringstiden har gått ut")
        contact_before = now - dt.timedelta(days=retention_days("report_contact"))
        closed = Report.objects.filter(state__in=Report.State.final_states(), resolved_at__lt=contact_before)
        count = 0
        for report in closed.exclude(reporter_name="", reporter_email="").select_for_update():
            _contact_blanked(report, by=None, reason=reason)
            count += 1
        deleted, _counts = ReportFollower.objects.filter(report__in=closed).delete()
        # Followers who never confirmed, and residents' flags 30 days after staff decided on them.
        from .following import UNCONFIRMED_FOLLOWER_DAYS
        from .models import ReportFlag

        unconfirmed, _counts = ReportFollower.objects.filter(
            confirmed_at__isnull=True, created_at__lt=now - dt.timedelta(days=UNCONFIRMED_FOLLOWER_DAYS)
        ).delete()
        flags, _counts = ReportFlag.objects.filter(
            handled_on__lt=(now - dt.timedelta(days=30)).date()
        ).delete()
        deleted += unconfirmed + flags

        photos_before = now - dt.timedelta(days=retention_days("report_photos"))
        old_photos = list(
            ReportPhoto.objects.filter(
                report__state__in=Report.State.final_states(), report__resolved_at__lt=photos_before
            ).select_related("report", "report__municipality")
        )
        per_report: dict[int, list[Any]] = {}
        for photo in old_photos:
            per_report.setdefault(photo.report_id, []).append(photo)
        ReportPhoto.objects.filter(pk__in=[photo.pk for photo in old_photos]).delete()
        for photos in per_report.values():
            audit_record(
                actor=None,
                action=AuditEntry.Action.UPDATE,
                instance=photos[0].report,
                changes={"photos": [len(photos), 0]},
                reason=reason,
            )
        photo_files_delete_on_commit([name for photo in old_photos for name in photo.file_names])
        return count + deleted + len(old_photos)
