import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from trygg.comments.services import contact_emails_purge, unconfirmed_subscriptions_purge


class Command(BaseCommand):
    help = (
        "Radera e-postadresser från kommentarer som är äldre än lagringstiden (COMMENT_EMAIL_RETENTION_DAYS)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--older-than-days",
            type=int,
            default=None,
            help="Lagringstid i dagar (standard: COMMENT_EMAIL_RETENTION_DAYS, annars 365).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["older_than_days"]
        if days is None:
            days = int(getattr(settings, "COMMENT_EMAIL_RETENTION_DAYS", 365))
        if days < 0:
            self.stderr.write("--older-than-days kan inte vara negativt.")
            raise SystemExit(2)
        now = timezone.now()
        purged = contact_emails_purge(older_than=now - dt.timedelta(days=days))
        # Addresses that never confirmed a subscription are kept a week at most.
        unconfirmed = unconfirmed_subscriptions_purge(older_than=now - dt.timedelta(days=7))
        self.stdout.write(
            f"{purged} e-postadresser raderade från kommentarer; {unconfirmed} obekräftade prenumerationer raderade."
        )
