from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from trygg.core.privacy import personal_data_purge


class Command(BaseCommand):
    help = "Tar bort personuppgifter som passerat sin lagringstid (körs dagligen)."

    def handle(self, *args: Any, **options: Any) -> None:
        for source, count in personal_data_purge(now=timezone.now()).items():
            self.stdout.write(f"{source}: {count}")
