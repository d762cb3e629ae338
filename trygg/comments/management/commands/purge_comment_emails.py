import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from trygg.comments.privacy import UNCONFIRMED_SUBSCRIPTION_DAYS
from trygg.comments.services import contact_emails_purge, unconfirmed_subscriptions_purge
from trygg.core.privacy import retention_days


class Command(BaseCommand):
    help = (
        "Radera e-postadresser från kommentarer som är äldre än lagringstiden (RETENTION_COMMENT_EMAIL_DAYS)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--older-than-days",
            type=int,
            default=None,
            help="Lagringstid i dagar (standard: RETENTION_DAYS['comment_email'], 365 om inget annat är satt).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["older_than_days"]
        if days is None:
            days = retention_days("comment_email")
        if days < 0:
            self.stderr.write("--older-than-days kan inte vara negativt.")
            raise SystemExit(2)
        now = timezone.now()
        purged = contact_emails_purge(older_than=now - dt.timedelta(days=days))
        unconfirmed = unconfirmed_subscriptions_purge(
            older_than=now - dt.timedelta(days=UNCONFIRMED_SUBSCRIPTION_DAYS)
        )
        self.stdout.write(
            f"{purged} e-postadresser raderade från kommentarer; {unconfirmed} obekräftade prenumerationer raderade."
        )
