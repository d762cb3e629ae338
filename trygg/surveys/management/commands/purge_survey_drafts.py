from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = "Tar bort påbörjade enkätsvar som övergetts (körs varje timme och dagligen)."

    def handle(self, *args: Any, **options: Any) -> None:
        from trygg.surveys.services import answer_drafts_purge  # imports numpy: not when Django starts

        self.stdout.write(f"survey_drafts: {answer_drafts_purge(now=timezone.now())}")
