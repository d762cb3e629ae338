import json
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from trygg.surveys.thresholds import DEFAULT_K, MIN_K


class Command(BaseCommand):
    help = "Beräkna trygghetsmätningens indikatorer ur en fil i utbytesformatet och skriv dem som JSON."
    # A file in, JSON out: no database, and no system checks (they would import every URL and view).
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Svarsfilen (CSV i UTF-8, en rad per svarande).")
        parser.add_argument(
            "--by", default="", help="Gruppera per kolumner, kommaseparerade, t.ex. area,kon."
        )
        parser.add_argument(
            "--k",
            type=int,
            default=None,
            help=f"Minsta antal svar i en cell (standard: inställningen, {DEFAULT_K}; aldrig under {MIN_K}).",
        )
        parser.add_argument("--no-progress", action="store_true", help="Visa ingen förloppsindikator.")
        # The output is always the contract's JSON; the flag is accepted so that scripts may say so.
        parser.add_argument("--json", action="store_true", help="Skriv resultatet som JSON (alltid gjort).")

    def handle(self, *args: Any, **options: Any) -> None:
        # numpy and polars: imported when the file is read, not when Django starts.
        from trygg.surveys.analysis import SurveyFileError, read_responses, survey_indices

        path: str = options["file"]
        by = [column.strip() for column in options["by"].split(",") if column.strip()]
        k = (
            options["k"]
            if options["k"] is not None
            else int(getattr(settings, "SURVEY_SUPPRESSION_K", DEFAULT_K))
        )
        mapping = getattr(settings, "SURVEY_PROBLEM_POINTS", None)
        if k < MIN_K:
            self._fail(f"{path}: k måste vara minst {MIN_K} (fick {k}).", status=2)

        bar = _progress_bar(enabled=not options["no_progress"])

        def progress(done: int, total: int) -> None:
            if bar is not None:
                bar.total = total
                bar.n = done
                bar.refresh()

        try:
            responses = read_responses(path, progress=progress, group_columns=by)
        except FileNotFoundError:
            _close(bar)
            self._fail(f"{path}: filen finns inte.", status=2)
        except IsADirectoryError:
            _close(bar)
            self._fail(f"{path}: är en mapp, inte en fil.", status=2)
        except PermissionError:
            _close(bar)
            self._fail(f"{path}: filen får inte läsas (behörighet saknas).", status=2)
        except SurveyFileError as error:
            _close(bar)
            for item in error.errors:
                sys.stderr.write(f"{path}: {item}\n")
            if error.total > len(error.errors):
                sys.stderr.write(f"{path}: … och {error.total - len(error.errors)} fel till\n")
            sys.exit(1)
        _close(bar)
        try:
            result = survey_indices(responses, by=by, k=k, mapping=mapping)
        except ValueError as error:
            self._fail(f"{path}: {error}", status=2)
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    def _fail(self, message: str, *, status: int) -> None:
        sys.stderr.write(message + "\n")
        sys.exit(status)


def _progress_bar(*, enabled: bool) -> Any:
    """A progress bar on stderr, or None with --no-progress (then tqdm is not even imported)."""
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=None, unit="B", unit_scale=True, desc="Läser", file=sys.stderr)


def _close(bar: Any) -> None:
    if bar is not None:
        bar.close()
