import json
import logging
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from trygg.promises.findings import EXPLANATIONS
from trygg.promises.parsing import LOW_CONFIDENCE, ParsedPromise, parse_promise_text, to_json_dict
from trygg.promises.readers import DocumentError, decode_text, read_document

PER_WORDS = {
    "year": "per år",
    "term": "per termin",
    "quarter": "per kvartal",
    "month": "per månad",
    "week": "per vecka",
    "day": "per dygn",
    "period": "under hela perioden",
}


def read_source(path: str) -> tuple[str, str]:
    """The text of PATH (or of standard input for "-") and the name to use in messages."""
    if path == "-":
        try:
            return decode_text(sys.stdin.buffer.read()), "stdin"
        except DocumentError as error:
            raise CommandError(f"stdin: {error}") from error
    file = Path(path)
    # pypdf logs every oddity of a broken file; the one clear message below is enough.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    if not file.is_file():
        raise CommandError(_("%(path)s: filen finns inte.") % {"path": path})
    try:
        return read_document(file), path
    except DocumentError as error:
        raise CommandError(f"{path}: {error}") from error


def parse_or_fail(text: str, name: str) -> ParsedPromise:
    parsed = parse_promise_text(text)
    if not parsed.activities:
        raise CommandError(
            _(
                "%(name)s: inga aktiviteter hittades. Har fokusområdena rubriker och står aktiviteterna "
                "som punkter eller som meningar med ”ska”, ”lovar” eller ”genomför”?"
            )
            % {"name": name}
        )
    return parsed


def promised(activity: Any) -> str:
    parts = []
    if activity.at_least:
        parts.append("minst")
    if activity.quantity is not None and activity.quantity_max is not None:
        parts.append(f"{activity.quantity}–{activity.quantity_max}")
    elif activity.quantity_max is not None:
        parts.append(f"högst {activity.quantity_max}")
    elif activity.quantity is not None:
        parts.append(str(activity.quantity))
    if not parts:
        return "–"
    if activity.unit:
        parts.append(activity.unit)
    if activity.per:
        parts.append(PER_WORDS.get(activity.per, activity.per))
    return " ".join(parts)


def _doubt(confidence: float) -> str:
    return " (?)" if confidence < LOW_CONFIDENCE else ""


def summary(parsed: ParsedPromise, name: str) -> str:
    activities = parsed.activities
    with_findings = sum(1 for activity in activities if activity.issues)
    period = (
        f"{parsed.period.start.isoformat()} – {parsed.period.end.isoformat()}"
        if parsed.period
        else _("ingen period angiven")
    )
    lowest = parsed.lowest_confidence
    # The labels are translated outside the f-strings: makemessages does not look inside one.
    label = {
        "municipality": _("Kommun"),
        "not_given": _("anges inte i texten"),
        "period": _("Period"),
        "untitled": _("(utan rubrik)"),
        "line": _("Rad"),
        "confidence": _("säkerhet"),
        "responsible": _("Ansvarig"),
        "partners": _("Tillsammans med"),
        "promised": _("Lovat"),
        "target_group": _("Målgrupp"),
        "place": _("Plats"),
        "finding": _("Anmärkning"),
    }
    lines = [
        name,
        f"{label['municipality']}: {parsed.municipality or label['not_given']}",
        f"{label['period']}: {period}",
        _("%(areas)s fokusområden, %(activities)s aktiviteter, %(findings)s med anmärkningar.")
        % {"areas": len(parsed.focus_areas), "activities": len(activities), "findings": with_findings},
        _("Lägsta säkerhet i inläsningen: %(percent)s %%; delar under %(limit)s %% är markerade med ”?”.")
        % {"percent": round((lowest or 0) * 100), "limit": round(LOW_CONFIDENCE * 100)},
    ]
    for area_number, area in enumerate(parsed.focus_areas, start=1):
        lines += ["", f"{area_number}. {area.title or label['untitled']}{_doubt(area.confidence)}"]
        for activity_number, activity in enumerate(area.activities, start=1):
            lines.append(f"  {area_number}.{activity_number} {activity.text}{_doubt(activity.confidence)}")
            lines.append(
                f"      {label['line']}: {activity.line}, {label['confidence']} {round(activity.confidence * 100)} %"
            )
            lines.append(f"      {label['responsible']}: {', '.join(activity.parties) or '–'}")
            if activity.partners:
                lines.append(f"      {label['partners']}: {', '.join(activity.partners)}")
            lines.append(f"      {label['promised']}: {promised(activity)}")
            if activity.target_group:
                lines.append(f"      {label['target_group']}: {activity.target_group}")
            if activity.place:
                lines.append(f"      {label['place']}: {activity.place}")
            for code in activity.issues:
                lines.append(f"      {label['finding']} ({code}): {EXPLANATIONS.get(code, code)}")
    return "\n".join(lines)


class Command(BaseCommand):
    help = (
        "Läser ett medborgarlöfte (.txt, .md, .html, .pdf, .docx eller - för standard input) och visar "
        "fokusområden, aktiviteter och anmärkningar; --json skriver strukturen som JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", metavar="PATH", help="Filen med löftet, eller - för standard input.")
        parser.add_argument("--json", action="store_true", help="Skriv strukturen som ett JSON-objekt.")

    def handle(self, *args: Any, **options: Any) -> None:
        text, name = read_source(options["path"])
        parsed = parse_or_fail(text, name)
        if self.stdout._out is sys.stdout and hasattr(sys.stdout, "reconfigure"):
            # Swedish letters must survive a pipe even where the locale is not UTF-8.
            sys.stdout.reconfigure(encoding="utf-8")
        if options["json"]:
            self.stdout.write(json.dumps(to_json_dict(parsed), ensure_ascii=False, indent=2))
        else:
            self.stdout.write(summary(parsed, name))
