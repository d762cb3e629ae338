"""Delete the sign-ups of meetings that are over: `trygg purge_signups` (daily, e.g. from cron)."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = "Tar bort anmälningar till möten som är över."

    def handle(self, *args: Any, **options: Any) -> None:
        from trygg.meetings.services import signups_purge  # imports Pillow: not when Django starts

        deleted = signups_purge(now=timezone.now())
        self.stdout.write(f"{deleted} anmälningar borttagna.")
