"""Reports hold reporters' names and e-mail addresses and followers' addresses: a personal-data source.

The report itself is a public record and stays; erasure and retention blank the contact data only, and
photos of long-closed reports are deleted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from trygg.core.privacy import retention_days


class ReportContactSource:
    name = "reports"

    def export(self, *, email: str) -> list[dict[str, Any]]:
        from .models import Report, ReportFollower

        rows: list[dict[str, Any]] = [
            {
                "report": report.reference,
                "municipality": report.municipality.name,
                "name": report.reporter_name,
                "email": report.reporter_email,
                "filed_at": report.created_at.isoformat(),
            }
            for report in Report.objects.filter(reporter_email__iexact=email).select_related("municipality")
        ]
        rows += [
            {"report": follower.report.reference, "follows_with_email": follower.email}
            for follower in ReportFollower.objects.filter(email__iexact=email).select_related("report")
        ]
        return rows

    @transaction.atomic
    def erase(self, *, email: str) -> int:
        from .models import Report, ReportFollower

        blanked = Report.objects.filter(reporter_email__iexact=email).update(
            reporter_name="", reporter_email=""
        )
        deleted, _counts = ReportFollower.objects.filter(email__iexact=email).delete()
        return blanked + deleted

    @transaction.atomic
    def purge(self, *, now: dt.datetime) -> int:
        from .models import Report, ReportFollower, ReportPhoto

        contact_before = now - dt.timedelta(days=retention_days("report_contact"))
        closed = Report.objects.filter(state__in=Report.State.final_states(), resolved_at__lt=contact_before)
        count = closed.exclude(reporter_name="", reporter_email="").update(
            reporter_name="", reporter_email=""
        )
        deleted, _counts = ReportFollower.objects.filter(report__in=closed).delete()
        photos_before = now - dt.timedelta(days=retention_days("report_photos"))
        old_photos = ReportPhoto.objects.filter(
            report__state__in=Report.State.final_states(), report__resolved_at__lt=photos_before
        )
        for photo in old_photos:
            photo.image.delete(save=False)
        photos, _counts = old_photos.delete()
        return count + deleted + photos
