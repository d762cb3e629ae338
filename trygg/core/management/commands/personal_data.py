import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trygg.core.privacy import personal_data_erase, personal_data_export


class Command(BaseCommand):
    help = "Visar (export) eller tar bort (erase) det Trygg har om en e-postadress."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["export", "erase"])
        parser.add_argument("--email", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        if "@" not in options["email"]:
            raise CommandError("--email ska vara en e-postadress.")
        if options["action"] == "export":
            result: Any = personal_data_export(email=options["email"])
        else:
            result = personal_data_erase(email=options["email"])
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2, default=str))
