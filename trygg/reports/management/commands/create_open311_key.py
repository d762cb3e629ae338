"""`trygg create_open311_key --municipality SLUG [--notify-reporters] NAME`: a new Open311 api_key, printed once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from trygg.municipalities.models import Municipality


class Command(BaseCommand):
    help = "Create an Open311 api_key for a municipality; the key is shown once and only its hash is stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="who will use the key, e.g. 'Felanmälningsappen'")
        parser.add_argument("--municipality", required=True)
        parser.add_argument(
            "--notify-reporters",
            action="store_true",
            help="Trygg e-mails the reporters of this key's reports about changes (off: the integrator does)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from trygg.reports.services import open311_key_create  # imports pyproj: not when Django starts

        municipality = Municipality.objects.filter(slug=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"no municipality with the slug {options['municipality']!r}")
        _key, raw = open311_key_create(
            municipality=municipality,
            name=options["name"],
            by=None,
            notify_reporters=options["notify_reporters"],
        )
        self.stdout.write(raw)
