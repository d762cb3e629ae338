import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from tqdm import tqdm

from trygg.surveys.models import Survey


class Command(BaseCommand):
    help = (
        "Läser in en trygghetsmätnings svar från en CSV-fil i utbytesformatet eller en SPSS-fil (.sav). "
        "Ingenting läses in från en fil med fel."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--survey", type=int, required=True, help="Mätningens id.")
        parser.add_argument("--by", required=True, help="Användarnamnet på den samordnare som läser in.")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="KÄLLA=MÅL",
            help="Byt namn på en kolumn, t.ex. --map Q12=p_klotter. Övriga kolumner behåller sina namn.",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        # numpy, polars and pyreadstat: imported when a file is read, not when Django starts.
        from trygg.surveys import importing, services
        from trygg.surveys.analysis import SurveyFileError

        path = Path(options["file"])
        if not path.exists():
            raise CommandError(f"{path}: filen finns inte.")
        survey = Survey.objects.filter(pk=options["survey"]).select_related("municipality").first()
        if survey is None:
            raise CommandError(f"Mätningen {options['survey']} finns inte.")
        user = get_user_model().objects.filter(username=options["by"], is_active=True).first()
        if user is None:
            raise CommandError(f"Användaren {options['by']} finns inte.")
        try:
            services.survey_check_import_allowed(survey=survey)
        except ValidationError as error:
            raise CommandError(f"{path}: {' '.join(error.messages)}") from None
        kind = importing.file_kind(path.name)
        renames = dict(item.split("=", 1) for item in options["map"] if "=" in item)
        mapping = {column: renames.get(column, column) for column in importing.source_columns(path, kind)}
        bar = tqdm(total=None, unit="rad", desc="Läser in", file=sys.stderr, disable=options["no_progress"])

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        try:
            data_file = services.survey_import_file(
                survey=survey,
                path=path,
                kind=kind,
                mapping=mapping,
                original_name=path.name,
                by=user,
                today=timezone.localdate(),
                progress=progress,
            )
        except SurveyFileError as error:
            bar.close()
            for item in error.errors:
                sys.stderr.write(f"{path}: {item}\n")
            raise CommandError(f"{path}: {error.total} fel; ingenting lästes in.") from None
        except (PermissionDenied, ValidationError) as error:
            bar.close()
            raise CommandError(f"{path}: {error}") from None
        bar.close()
        self.stdout.write(f"{path}: inläst till {survey} ({data_file.original_name}).")
