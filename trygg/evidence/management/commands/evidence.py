from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from trygg.evidence import selectors
from trygg.evidence.templatetags.evidence_tags import part_explanation, part_label
from trygg.municipalities.models import Municipality


class Command(BaseCommand):
    help = "Rank a municipality's problems for a year from every source, showing each part of every score."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", required=True, help="the municipality's slug, e.g. ljungby")
        parser.add_argument("--year", type=int, default=timezone.localdate().year - 1)
        parser.add_argument("--top", type=int, default=0, help="show only the first N problems")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            municipality = Municipality.objects.get(slug=options["municipality"])
        except Municipality.DoesNotExist as error:
            raise CommandError(f"Ingen kommun med adressen {options['municipality']}") from error
        ranked = selectors.ranking_for(municipality=municipality, year=options["year"])
        self.stdout.write(f"Lägesbild {ranked.year}: {municipality.name}")
        for source in ranked.sources.values():
            state = "finns" if source.available else "KÄLLA SAKNAS"
            date = f", {source.date:%Y-%m-%d}" if source.date else ""
            example = " [exempeldata]" if source.example_data and source.available else ""
            self.stdout.write(f"  {source.label}: {state}{date} – {source.note}{example}")
        weights = ", ".join(f"{code}={weight:g}" for code, weight in ranked.weights.items())
        self.stdout.write(f"  Vikter: {weights}\n")
        problems = ranked.problems[: options["top"]] if options["top"] else ranked.problems
        for problem in problems:
            self.stdout.write(f"{problem.rank:>2}. {problem.name}: {problem.score} poäng")
            for part in problem.parts:
                calculation = f"{part.weight} × {part.signal}" if part.signal is not None else "–"
                flag = " (osäkert)" if part.uncertain else ""
                self.stdout.write(
                    f"      {part.points:>6}  {part_label(part)}: {part_explanation(part)}{flag} [{calculation}]"
                )
