"""How sure the parser is of each part it read, explained in Swedish for the person reviewing an import."""

from dataclasses import dataclass

from django.utils.functional import Promise as LazyText
from django.utils.translation import gettext_lazy as _

from .parsing import LOW_CONFIDENCE, ParsedPromise

DOUBTS: dict[str, LazyText] = {
    "prose": _("Läst ur löpande text, inte ur en punktlista."),
    "no_party": _("Ingen ansvarig part hittades."),
    "inherited_party": _("Parterna kommer från en rubrik eller inledning ovanför."),
    "no_verb": _("Punkten saknar verb: kontrollera att den är en aktivitet."),
    "long_text": _("Lång text: kanske flera aktiviteter i en."),
    "several_numbers": _("Flera tal i texten: kontrollera vilket som är antalet."),
    "article_count": _("Antalet 1 kommer av ”en” eller ”ett”."),
    "guessed_heading": _("Rubriken är gissad ur en textrad utan formatering."),
    "goal_sentence": _("Rubriken är en målmening ur texten."),
    "colon_heading": _("Rubriken är en rad som slutar med kolon."),
    "label_heading": _("Rubriken är en allmän rubrik, inget problemområde."),
    "document_title": _("Ingen rubrik ovanför aktiviteterna: dokumentets titel används."),
}


@dataclass(frozen=True)
class SourceLine:
    number: int
    text: str


@dataclass(frozen=True)
class Reading:
    """What the parser knew about one part: how sure it was, why not surer, and the lines it read."""

    confidence: float
    doubts: tuple[str, ...]
    line: SourceLine | None
    party_line: SourceLine | None = None

    @property
    def low(self) -> bool:
        return self.confidence < LOW_CONFIDENCE

    @property
    def percent(self) -> int:
        return round(self.confidence * 100)

    @property
    def explanations(self) -> list[str]:
        return [str(DOUBTS.get(doubt, doubt)) for doubt in self.doubts]


def _source(parsed: ParsedPromise, number: int | None) -> SourceLine | None:
    text = parsed.source_line(number)
    return SourceLine(number, text) if number and text else None


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Readings:
    """The parser's readings of a text, found by the area title or activity text a review form holds."""

    areas: dict[str, Reading]
    activities: dict[str, Reading]
    period_line: SourceLine | None

    def area(self, title: str | None) -> Reading | None:
        return self.areas.get(_key(title or ""))

    def activity(self, text: str | None) -> Reading | None:
        return self.activities.get(_key(text or ""))


def readings(parsed: ParsedPromise) -> Readings:
    areas = {
        _key(area.title or ""): Reading(area.confidence, tuple(area.doubts), _source(parsed, area.line))
        for area in parsed.focus_areas
    }
    activities = {
        _key(activity.text): Reading(
            activity.confidence,
            tuple(activity.doubts),
            _source(parsed, activity.line),
            _source(parsed, activity.party_line),
        )
        for activity in parsed.activities
    }
    return Readings(areas, activities, _source(parsed, parsed.period_line))
