import argparse
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from trygg.crimestats import kommuner
from trygg.municipalities.models import Municipality
from trygg.national.services import document_promise_publish, document_sources
from trygg.promises.importing import draft_from_parsed, promise_import
from trygg.promises.models import Promise
from trygg.promises.parsing import ParsedPromise, Period
from trygg.promises.readers import SUPPORTED_SUFFIXES

from .parse_promise import parse_or_fail, read_source


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            _("%(value)s är inget datum; skriv det som ÅÅÅÅ-MM-DD.") % {"value": value}
        ) from error


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return " ".join(message for messages in error.message_dict.values() for message in messages)
    return " ".join(error.messages)


@dataclass
class _Row:
    """One file of a folder import: what was read and what became of it."""

    file: str
    municipality: str = "–"
    period: str = "–"
    areas: str = "–"
    activities: str = "–"
    findings: str = "–"
    lowest: str = "–"
    result: str = ""
    failed: bool = False


def _period_text(period: Period | None) -> str:
    return f"{period.start.isoformat()}–{period.end.isoformat()}" if period else _("saknas")


def _table(rows: list[_Row]) -> str:
    header = _Row(
        _("Fil"),
        _("Kommun"),
        _("Period"),
        _("Fokusområden"),
        _("Aktiviteter"),
        _("Anmärkningar"),
        _("Lägsta säkerhet"),
        _("Resultat"),
    )
    columns = ["file", "municipality", "period", "areas", "activities", "findings", "lowest", "result"]
    table = [[str(getattr(row, column)) for column in columns] for row in [header, *rows]]
    widths = [max(len(line[index]) for line in table) for index in range(len(columns) - 1)]
    rule = "  ".join("-" * width for width in widths) + "  " + "-" * len(header.result)
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=False)) + "  " + line[-1]
        for line in table
    ]
    return "\n".join([lines[0], rule, *lines[1:]])


class Command(BaseCommand):
    help = (
        "Läser ett medborgarlöfte från en fil, eller alla löften i en mapp, och sparar dem som utkast. Ett "
        "publicerat löfte skrivs aldrig över; ett utkast med samma adress bara med --replace-draft. "
        "Ingenting publiceras: utkasten granskas och publiceras på personalsidorna."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path", metavar="PATH", help="Filen med löftet, en mapp med löften, eller - för standard input."
        )
        parser.add_argument(
            "--municipality",
            metavar="SLUG",
            help="Kommunens adress, t.ex. ljungby; utan den väljs kommunen som texten namnger.",
        )
        parser.add_argument("--slug", help="Löftets adress; annars året (”2023”) eller åren (”2023-2024”).")
        parser.add_argument("--title", help="Löftets rubrik; annars ”Medborgarlöfte ÅR i KOMMUN”.")
        parser.add_argument(
            "--from", dest="valid_from", metavar="ÅÅÅÅ-MM-DD", help="Gäller från (om texten inte säger det)."
        )
        parser.add_argument("--until", dest="valid_until", metavar="ÅÅÅÅ-MM-DD", help="Gäller till och med.")
        parser.add_argument(
            "--as-document",
            action=argparse.BooleanOptionalAction,
            default=None,
            help=(
                "Publicera löftet märkt ”inläst ur dokument, ej verifierad” med filen som källa (nationellt läge; "
                "standard där). En kallor.csv i mappen (fil,url,hamtad) anger varifrån varje fil hämtades."
            ),
        )
        parser.add_argument("--source-url", default="", help="Adressen dokumentet hämtades från (en fil).")
        parser.add_argument(
            "--replace-draft",
            action="store_true",
            help="Ersätt ett befintligt utkast med samma adress (publicerade löften ersätts aldrig).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        chosen = self._municipality(options["municipality"]) if options["municipality"] else None
        if bool(options["valid_from"]) != bool(options["valid_until"]):
            raise CommandError(_("Ange både --from och --until, eller ingen av dem."))
        period = None
        if options["valid_from"]:
            period = Period(_date(options["valid_from"]), _date(options["valid_until"]))
        folder = Path(options["path"])
        if options["path"] != "-" and folder.is_dir():
            if options["slug"] or options["title"]:
                raise CommandError(_("--slug och --title gäller en fil, inte en mapp."))
            self._documents = document_sources(folder) if self._as_document(options) else None
            self._import_folder(folder, chosen, period, options["replace_draft"])
            return
        text, name = read_source(options["path"])
        parsed = parse_or_fail(text, name)
        municipality = chosen or self._named_in(parsed, name)
        if period is None and parsed.period is None:
            raise CommandError(
                _("%(name)s: texten säger inte vilken period löftet gäller. Ange --from och --until.")
                % {"name": name}
            )
        draft = draft_from_parsed(
            parsed=parsed,
            municipality=municipality,
            text=text,
            slug=options["slug"],
            title=options["title"],
            period=period,
        )
        if draft.text_municipality and not kommuner.same_kommun(draft.text_municipality, municipality.name):
            self.stderr.write(
                _("Obs: texten nämner %(text)s, men löftet sparas för %(chosen)s.")
                % {"text": draft.text_municipality, "chosen": municipality.name}
            )
        source = "stdin" if options["path"] == "-" else Path(options["path"]).name
        try:
            promise = promise_import(
                municipality=municipality,
                draft=draft,
                actor=None,
                reason=_("Importerad från fil %(name)s") % {"name": source},
                replace_draft=options["replace_draft"],
            )
        except ValidationError as error:
            raise CommandError(f"{name}: {_messages(error)}") from error
        if self._as_document(options) and options["path"] != "-":
            path = Path(options["path"])
            self._publish_document(promise, path, options["source_url"], None)
        self.stdout.write(
            _("Utkast sparat: %(title)s (%(slug)s), %(areas)s fokusområden, %(activities)s aktiviteter.")
            % {
                "title": promise.title,
                "slug": promise.slug,
                "areas": len(draft.focus_areas),
                "activities": draft.activity_count,
            }
        )

    _documents: dict[str, tuple[str, dt.datetime | None]] | None = None

    def _as_document(self, options: dict[str, Any]) -> bool:
        return settings.NATIONAL if options["as_document"] is None else bool(options["as_document"])

    def _publish_document(self, promise: Promise, path: Path, url: str, fetched: dt.datetime | None) -> None:
        checksum = hashlib.sha256(path.read_bytes()).hexdigest()
        when = fetched or dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
        document_promise_publish(
            promise=promise,
            file_name=path.name,
            checksum=checksum,
            source_url=url,
            fetched_at=when,
            today=timezone.localdate(),
        )

    def _municipality(self, slug: str) -> Municipality:
        try:
            return Municipality.objects.get(slug=slug)
        except Municipality.DoesNotExist as error:
            raise CommandError(
                _("Det finns ingen kommun med adressen ”%(slug)s”.") % {"slug": slug}
            ) from error

    def _named_in(self, parsed: ParsedPromise, name: str) -> Municipality:
        """The municipality whose name the text writes ("Ljungby kommun"), when --municipality is not given."""
        named = (parsed.municipality or "").casefold()
        for municipality in Municipality.objects.all():
            if named and named in {municipality.name.casefold(), f"{municipality.name} kommun".casefold()}:
                return municipality
        # The official list knows the genitive and other forms ("Markaryds kommun", "Stockholms stad").
        region = kommuner.resolve(parsed.municipality or "") if named else None
        if region is not None and region.kind is kommuner.RegionKind.KOMMUN:
            found = Municipality.objects.filter(scb_code=region.code).first()
            if found is not None:
                return found
        raise CommandError(
            _("%(name)s: ingen kommun i Trygg heter som kommunen i texten (%(text)s). Ange --municipality.")
            % {"name": name, "text": parsed.municipality or _("ingen namnges")}
        )

    def _import_folder(
        self, folder: Path, chosen: Municipality | None, period: Period | None, replace_draft: bool
    ) -> None:
        files = sorted(
            path
            for path in folder.iterdir()
            if path.is_file() and path.suffix.lower() in SUPPORTED_SUFFIXES and not path.name.startswith(".")
        )
        if not files:
            raise CommandError(
                _("%(folder)s: mappen har inga filer att läsa (.txt, .md, .html, .pdf, .docx).")
                % {"folder": folder}
            )
        rows = [self._import_file(path, chosen, period, replace_draft) for path in files]
        self.stdout.write(_table(rows))
        failed = sum(1 for row in rows if row.failed)
        saved = len(rows) - failed
        self.stdout.write(
            "\n"
            + (
                _("%(saved)s av %(total)s filer publicerade som inlästa ur dokument, ej verifierade.")
                if self._documents is not None
                else _("%(saved)s av %(total)s filer sparade som utkast; inget är publicerat.")
            )
            % {"saved": saved, "total": len(rows)}
        )
        if failed:
            raise CommandError(
                _("%(failed)s av %(total)s filer kunde inte läsas in; se kolumnen Resultat.")
                % {"failed": failed, "total": len(rows)}
            )

    def _import_file(
        self, path: Path, chosen: Municipality | None, period: Period | None, replace_draft: bool
    ) -> _Row:
        row = _Row(path.name)
        try:
            text, _source = read_source(str(path))
            parsed = parse_or_fail(text, path.name)
        except CommandError as error:
            row.result, row.failed = str(error).removeprefix(f"{path}: ").removeprefix(f"{path.name}: "), True
            return row
        activities = parsed.activities
        lowest = parsed.lowest_confidence
        row.period = _period_text(period or parsed.period)
        row.areas, row.activities = str(len(parsed.focus_areas)), str(len(activities))
        row.findings = str(sum(len(activity.issues) for activity in activities))
        row.lowest = f"{round(lowest * 100)} %" if lowest is not None else "–"
        row.municipality = parsed.municipality or "–"
        try:
            municipality = chosen or self._named_in(parsed, path.name)
            row.municipality = municipality.name
            if period is None and parsed.period is None:
                raise CommandError(
                    _("texten säger inte vilken period löftet gäller; ange --from och --until")
                )
            draft = draft_from_parsed(parsed=parsed, municipality=municipality, period=period)
            taken = Promise.objects.filter(municipality=municipality, slug=draft.slug).exists()
            if taken and not replace_draft:
                # Several files of one folder often cover the same years: the file's name tells them apart.
                draft.slug = f"{draft.slug}-{slugify(path.stem).replace('_', '-')}"[:60].strip("-")
            promise = promise_import(
                municipality=municipality,
                draft=draft,
                actor=None,
                reason=_("Importerad från fil %(name)s") % {"name": path.name},
                replace_draft=replace_draft,
            )
        except CommandError as error:
            row.result, row.failed = str(error).removeprefix(f"{path.name}: "), True
        except ValidationError as error:
            row.result, row.failed = _messages(error), True
        else:
            row.result = _("utkast %(slug)s") % {"slug": promise.slug}
            if self._documents is not None:
                url, fetched = self._documents.get(path.name, ("", None))
                self._publish_document(promise, path, url, fetched)
                row.result = _("publicerat %(slug)s, ej verifierat") % {"slug": promise.slug}
        return row
