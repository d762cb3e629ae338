from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from trygg.national.harvest import HarvestError, harvest_sources, source_register
from trygg.national.models import HarvestSource


class Command(BaseCommand):
    help = (
        "Hämtar ändrade medborgarlöften från registrerade Trygg-installationer (en daglig körning). En källa som "
        "inte svarar eller svarar fel rapporteras och hindrar inte de andra. --add URL registrerar en installation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--add", metavar="URL", help="Registrera en installation (dess adress).")
        parser.add_argument("--name", default="", help="Namn på installationen som registreras.")
        parser.add_argument("--source", metavar="URL", action="append", help="Hämta bara den här källan.")
        parser.add_argument(
            "--pinged", action="store_true", help="Hämta bara källor som har aviserat en ändring."
        )
        parser.add_argument("--full", action="store_true", help="Hämta allt igen, inte bara ändringar.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["add"]:
            try:
                source = source_register(url=options["add"], name=options["name"])
            except HarvestError as error:
                raise CommandError(str(error)) from error
            codes = ", ".join(source.allowed_codes) or "inga"
            self.stdout.write(f"Registrerad: {source.name} ({source.discovery_url}); kommunkoder: {codes}.")
            return
        sources = HarvestSource.objects.filter(active=True)
        if options["source"]:
            sources = sources.filter(discovery_url__in=options["source"])
        if options["pinged"]:
            sources = sources.filter(ping_pending=True)
        if options["full"]:
            sources.update(cursor=None, discovery_etag="")
        runs = harvest_sources(sources=list(sources), now_function=timezone.now)
        failed = 0
        for run in sorted(runs, key=lambda run: run.source.name):
            if run.ok:
                state = (
                    "oförändrad"
                    if run.not_modified
                    else (
                        f"{run.created} nya, {run.updated} ändrade, {run.deleted} borttagna, {run.rejected} avvisade"
                    )
                )
                self.stdout.write(f"{run.source.name}: {state} ({run.requests} anrop).")
                if run.error:
                    self.stdout.write(f"  avvisat: {run.error}")
            else:
                failed += 1
                self.stderr.write(f"{run.source.name}: MISSLYCKADES: {run.error}")
        self.stdout.write(f"{len(runs)} källor, {failed} misslyckades.")
        if failed:
            raise CommandError(f"{failed} av {len(runs)} källor kunde inte hämtas; de andra är hämtade.")
