from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trygg.core.backup import backup_restore


class Command(BaseCommand):
    help = "Återställer en säkerhetskopia till den konfigurerade (tomma) databasen och kontrollerar den mot manifestet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup_restore(directory=options["directory"])
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        rows = sum(table["rows"] for table in manifest["tables"].values())
        self.stdout.write(
            f"{options['directory']}: {len(manifest['tables'])} tables, {rows} rows, {manifest['media_files']} media files"
        )
