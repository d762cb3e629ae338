from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = "Skriver öppna data (CSV, Parquet, JSON) för installationen och, i nationellt läge, hela landet."

    def handle(self, *args: Any, **options: Any) -> None:
        from trygg.national.exports import export_write, scopes  # imports polars: not when Django starts

        now = timezone.now()
        for scope in scopes():
            result = export_write(scope=scope, today=timezone.localdate(now), now=now)
            counts = ", ".join(f"{table} {rows}" for table, rows in result.rows.items())
            self.stdout.write(f"{scope}: {counts} rader i {result.directory}")
