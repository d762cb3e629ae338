import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from trygg.municipalities.models import Municipality
from trygg.promises.importing import draft_from_parsed, promise_import
from trygg.promises.parsing import Period

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


class Command(BaseCommand):
    help = (
        "Läser ett medborgarlöfte från en fil och sparar det som ett utkast för kommunen. Ett publicerat "
        "löfte skrivs aldrig över; ett utkast med samma adress bara med --replace-draft."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", metavar="PATH", help="Filen med löftet, eller - för standard input.")
        parser.add_argument(
            "--municipality", required=True, metavar="SLUG", help="Kommunens adress, t.ex. ljungby."
        )
        parser.add_argument("--slug", help="Löftets adress; annars året (”2023”) eller åren (”2023-2024”).")
        parser.add_argument("--title", help="Löftets rubrik; annars ”Medborgarlöfte ÅR i KOMMUN”.")
        parser.add_argument(
            "--from", dest="valid_from", metavar="ÅÅÅÅ-MM-DD", help="Gäller från (om texten inte säger det)."
        )
        parser.add_argument("--until", dest="valid_until", metavar="ÅÅÅÅ-MM-DD", help="Gäller till och med.")
        parser.add_argument(
            "--replace-draft",
            action="store_true",
            help="Ersätt ett befintligt utkast med samma adress (publicerade löften ersätts aldrig).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            municipality = Municipality.objects.get(slug=options["municipality"])
        except Municipality.DoesNotExist as error:
            raise CommandError(
                _("Det finns ingen kommun med adressen ”%(slug)s”.") % {"slug": options["municipality"]}
            ) from error
        if bool(options["valid_from"]) != bool(options["valid_until"]):
            raise CommandError(_("Ange både --from och --until, eller ingen av dem."))
        period = None
        if options["valid_from"]:
            period = Period(_date(options["valid_from"]), _date(options["valid_until"]))
        text, name = read_source(options["path"])
        parsed = parse_or_fail(text, name)
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
        if draft.text_municipality and draft.text_municipality.casefold() != municipality.name.casefold():
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
        self.stdout.write(
            _("Utkast sparat: %(title)s (%(slug)s), %(areas)s fokusområden, %(activities)s aktiviteter.")
            % {
                "title": promise.title,
                "slug": promise.slug,
                "areas": len(draft.focus_areas),
                "activities": draft.activity_count,
            }
        )
