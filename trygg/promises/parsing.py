"""Read a published medborgarlöfte (plain text) into focus areas and activities, and check each activity.

Pure module: no Django, no I/O beyond reading the bundled vocabulary. The words it knows live in
vocabulary.toml so that a maintainer can teach it a new phrasing without touching the code.

The text is read in four steps: lines (headings, list items, page debris), blocks (paragraphs, items with
their nesting, lead-ins), a walk that gives every item its focus area and its parties, and finally each
activity's quantity, period and findings. Every focus area and activity remembers the line it came from and
how sure the reading is, so that a person reviewing the import can look at the doubtful parts first.
"""

from __future__ import annotations

import calendar
import re
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

from trygg.crimestats.kommuner import RegionKind, resolve, same_kommun
from trygg.municipalities.names import official_name

VOCABULARY_PATH = Path(__file__).with_name("vocabulary.toml")

ISSUE_CODES = ("no_quantity", "no_party", "vague", "no_period")
PERIODS = ("year", "term", "quarter", "month", "week", "day")
POLICE = "Polisen"
GENERIC_MUNICIPALITY = "Kommunen"

# Below this confidence a reviewer should look at the part first.
LOW_CONFIDENCE = 0.75

# Internal stand-ins, resolved once the whole text has been read.
_MUNICIPALITY = "\x00municipality"
_SIGNATORIES = "\x00signatories"

MONTH_NAMES = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december")  # fmt: skip
MONTHS = {name: number for number, name in enumerate(MONTH_NAMES, start=1)}


# ---------------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Period:
    start: date
    end: date


@dataclass
class Activity:
    text: str
    parties: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    quantity: int | None = None
    quantity_max: int | None = None
    at_least: bool = False
    unit: str | None = None
    per: str | None = None
    target_group: str | None = None
    place: str | None = None
    measurable: bool = False
    issues: list[str] = field(default_factory=list)
    # Where the reading came from (1-based line numbers of the text given to the parser) and how sure it is.
    line: int = 0
    party_line: int | None = None
    confidence: float = 1.0
    doubts: list[str] = field(default_factory=list)


@dataclass
class FocusArea:
    title: str | None
    description: str
    activities: list[Activity] = field(default_factory=list)
    line: int = 0
    confidence: float = 1.0
    doubts: list[str] = field(default_factory=list)


@dataclass
class ParsedPromise:
    municipality: str | None
    period: Period | None
    focus_areas: list[FocusArea] = field(default_factory=list)
    municipality_line: int | None = None
    period_line: int | None = None
    lines: list[str] = field(default_factory=list)

    @property
    def activities(self) -> list[Activity]:
        return [activity for area in self.focus_areas for activity in area.activities]

    @property
    def lowest_confidence(self) -> float | None:
        values = [area.confidence for area in self.focus_areas] + [a.confidence for a in self.activities]
        return min(values) if values else None

    def source_line(self, number: int | None) -> str:
        """The text of a 1-based line of the parsed text ("" when there is none)."""
        if number is None or not 0 < number <= len(self.lines):
            return ""
        return self.lines[number - 1].strip()


@dataclass(frozen=True)
class Quantity:
    quantity: int | None = None
    quantity_max: int | None = None
    at_least: bool = False
    unit: str | None = None
    position: int = -1


# ---------------------------------------------------------------------------------------------------
# Vocabulary


def _alternation(phrases: Iterable[str]) -> str:
    # Longest first, so "kommer att" wins over "kommer".
    escaped = sorted({re.escape(phrase) for phrase in phrases}, key=len, reverse=True)
    return "(?:" + "|".join(escaped) + ")"


def _words_of(table: dict[str, list[str]]) -> list[str]:
    return [word for words in table.values() for word in words]


def _words_re(phrases: Iterable[str]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + _alternation(phrases) + r"(?!\w)", re.IGNORECASE)


def _any_re(patterns: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.IGNORECASE)


#: The prepositions before a place ("på torget", "i centrum", "kring stationen").
_PLACE_PREPOSITION = "(?:på|i|vid|inom|runt|utanför|kring)"


@dataclass(frozen=True)
class Vocabulary:
    numbers: dict[str, int]
    number_re: re.Pattern[str]
    at_least_re: re.Pattern[str]
    upper_bound_re: re.Pattern[str]
    range_joiner_re: re.Pattern[str]
    countable_re: re.Pattern[str]
    unit_stop_words: frozenset[str]
    all_scope_re: re.Pattern[str]
    non_quantity_re: re.Pattern[str]
    periods: dict[str, re.Pattern[str]]
    period_re: re.Pattern[str]
    recurrences: dict[str, re.Pattern[str]]
    #: Recurrences that say twice ("vår och höst", "varje fredag och lördag").
    recurrences_twice: dict[str, re.Pattern[str]]
    #: "varannan vecka", "var tredje månad": the ordinal, the unit and a "minst" before them (`read_every_nth`).
    every_nth_re: re.Pattern[str]
    #: How many of each unit a year has ("vecka" 52), and the n of each ordinal ("annan" 2).
    units_per_year: dict[str, int]
    ordinals: dict[str, int]
    activity_period_re: re.Pattern[str]
    police_re: re.Pattern[str]
    municipality_re: re.Pattern[str]
    name_prefixes: frozenset[str]
    not_names: frozenset[str]
    municipal_units: frozenset[str]
    municipal_unit_re: re.Pattern[str]
    other_parties: dict[str, str]
    signatory_words: frozenset[str]
    joint_headers: frozenset[str]
    police_headers: frozenset[str]
    municipality_headers: frozenset[str]
    header_nouns: frozenset[str]
    partner_re: re.Pattern[str]
    responsible_re: re.Pattern[str]
    promise_verb_re: re.Pattern[str]
    not_passive: frozenset[str]
    agentless_verbs: frozenset[str]
    deponent_verbs: frozenset[str]
    non_party_openers: frozenset[str]
    goal_verbs_re: re.Pattern[str]
    vague_re: re.Pattern[str]
    prompt_re: re.Pattern[str]
    deadline_re: re.Pattern[str]
    skip_headings: tuple[str, ...]
    skip_heading_re: re.Pattern[str]
    label_headings: frozenset[str]
    not_activity_re: re.Pattern[str]
    chrome_re: re.Pattern[str]
    #: "Det kallas för medborgarlöfte": a paragraph about promises in general.
    explains_promises_re: re.Pattern[str]
    #: "Fokusområde 1:", "Löfte 2 –": a section's kind and number before its title.
    area_label_re: re.Pattern[str]
    signing_re: re.Pattern[str]
    speech_re: re.Pattern[str]
    generic_words: frozenset[str]
    incomplete_endings: frozenset[str]
    place_re: re.Pattern[str]
    target_group_re: re.Pattern[str]
    target_group_object_re: re.Pattern[str]
    #: An item of a list of people: a group's word among its first three ("deras föräldrar", "unga vuxna").
    target_group_item_re: re.Pattern[str]


def _number_table(numbers: dict[str, dict[str, int]]) -> dict[str, int]:
    table = {**numbers["ones"], **numbers["teens"], **numbers["tens"], **numbers["hundreds"]}
    for tens_word, tens_value in numbers["tens"].items():
        for ones_word, ones_value in numbers["ones"].items():
            table[tens_word + ones_word] = tens_value + ones_value
    return table


def vocabulary_from_dict(data: dict[str, Any]) -> Vocabulary:
    numbers = _number_table(data["numbers"])
    quantity = data["quantity"]
    parties = data["parties"]
    sentences = data["sentences"]
    sections = data["sections"]
    every_nth = data["recurrence_every_nth"]
    return Vocabulary(
        numbers=numbers,
        number_re=re.compile(r"(?<![\w,.])(?:\d+|" + _alternation(numbers) + r")(?!\w)", re.IGNORECASE),
        at_least_re=re.compile(_alternation(quantity["at_least"]) + r"(?:\s+i\s+snitt)?\s*$", re.IGNORECASE),
        upper_bound_re=re.compile(
            r"(?<!\w)" + _alternation(quantity["upper_bound"]) + r"\s*$", re.IGNORECASE
        ),
        range_joiner_re=re.compile(
            r"\s*(?:[-–—]|" + _alternation(quantity["range_joiners"]) + r"(?!\w))\s*", re.IGNORECASE
        ),
        countable_re=re.compile(
            r"\w*" + _alternation(quantity["countable_units"]) + r"(?:ar|er|en|et|na|arna|erna|n)?",
            re.IGNORECASE,
        ),
        unit_stop_words=frozenset(quantity["unit_stop_words"]),
        all_scope_re=re.compile(
            # "framför allt unga" means "above all" and "allt fler" "more and more", not every one of them.
            r"(?<!\w)(?<!framför\s)(?!allt\s+(?:fler|färre|mer|mindre|större|oftare|bättre|sämre)(?!\w))"
            + _alternation(quantity["all_scope"])
            + r"\s+(?!"
            + _alternation(quantity["not_a_scope"])
            + r"(?!\w))(?!\w*"
            + _alternation(quantity["not_a_scope_endings"])
            + r"(?!\w))\w+",
            re.IGNORECASE,
        ),
        non_quantity_re=_any_re(quantity["non_quantity"]),
        periods={per: _any_re(patterns) for per, patterns in data["periods"].items()},
        period_re=re.compile(
            "|".join(
                f"(?P<{per}>" + "|".join(f"(?:{pattern})" for pattern in patterns) + ")"
                for per, patterns in data["periods"].items()
            ),
            re.IGNORECASE,
        ),
        recurrences={per: _any_re(patterns) for per, patterns in data["recurrence_without_number"].items()},
        recurrences_twice={per: _any_re(patterns) for per, patterns in data["recurrence_twice"].items()},
        every_nth_re=re.compile(
            rf"(?P<least>\b{_alternation(quantity['at_least'])}\s+)?\bvart?\s?"
            # "var 3:e vecka"; a bare number after "var" is the verb's ("Det var 10 år sedan").
            rf"(?P<nth>{_alternation(_words_of(every_nth['ordinals']))}|\d{{1,2}}:[ae])\s+"
            rf"(?P<unit>{_alternation(_words_of(every_nth['units_per_year']))})(?!\w)",
            re.IGNORECASE,
        ),
        units_per_year={word: int(n) for n, words in every_nth["units_per_year"].items() for word in words},
        ordinals={word: int(n) for n, words in every_nth["ordinals"].items() for word in words},
        activity_period_re=_any_re(data["activity_period"]["regex"]),
        police_re=re.compile(parties["police"], re.IGNORECASE),
        municipality_re=re.compile(parties["municipality"], re.IGNORECASE),
        name_prefixes=frozenset(prefix.lower() for prefix in parties["name_prefixes"]),
        not_names=frozenset(word.lower() for word in parties["not_names"]),
        municipal_units=frozenset(unit.lower() for unit in parties["municipal_units"]),
        municipal_unit_re=re.compile(
            r"[\w-]*" + _alternation(parties["municipal_unit_endings"]) + r"(?:\s+i\s+.+)?", re.IGNORECASE
        ),
        other_parties={name.lower(): name for name in parties["others"]},
        signatory_words=frozenset(parties["signatories"]),
        joint_headers=frozenset(parties["joint_headers"]),
        police_headers=frozenset(parties["police_headers"]),
        municipality_headers=frozenset(parties["municipality_headers"]),
        header_nouns=frozenset(parties["header_nouns"]),
        partner_re=_words_re(parties["partner_markers"]),
        responsible_re=re.compile(
            r"^" + _alternation(parties["responsible_labels"]) + r"\s*:\s*(?P<who>.+)$", re.IGNORECASE
        ),
        promise_verb_re=_words_re(sentences["promise_verbs"]),
        not_passive=frozenset(sentences["not_passive"]),
        agentless_verbs=frozenset(sentences["agentless_verbs"]),
        deponent_verbs=frozenset(sentences["deponent_verbs"]),
        non_party_openers=frozenset(sentences["non_party_openers"]),
        goal_verbs_re=re.compile(r"^" + _alternation(sentences["goal_verbs"]) + r"(?!\w)", re.IGNORECASE),
        vague_re=_words_re(data["vague"]["phrases"]),
        prompt_re=_words_re(data["vague"]["prompt_words"]),
        deadline_re=re.compile(data["vague"]["deadline"], re.IGNORECASE),
        skip_headings=tuple(sections["skip_headings"]),
        skip_heading_re=re.compile(_alternation(sections["skip_headings"]) + r"(?:\s|$)"),
        label_headings=frozenset(sections["label_headings"]),
        not_activity_re=_words_re(sections["not_activity_leadins"]),
        explains_promises_re=_any_re(sections["explains_promises"]),
        area_label_re=re.compile(
            rf"^{_alternation(sections['area_labels'])}(?:\s+(?:\d{{1,2}}|[IVX]{{1,4}}))?\s*[:.–—-]\s+(?=\w)",
            re.IGNORECASE,
        ),
        chrome_re=_any_re(sections["chrome_lines"]),
        signing_re=_words_re(sections["signing_markers"]),
        speech_re=re.compile(
            r"[,–-]\s*" + _alternation(sections["speech_verbs"]) + r"\s+[A-ZÅÄÖ]", re.IGNORECASE
        ),
        generic_words=frozenset(word.lower() for word in data["leadins"]["generic_words"]),
        incomplete_endings=frozenset(word.lower() for word in data["leadins"]["incomplete_endings"]),
        # Two prepositions for one place ("i och kring Strängnäs resecentrum") are one.
        place_re=re.compile(
            rf"(?<!\w){_PLACE_PREPOSITION}(?:\s+(?:och|eller)\s+{_PLACE_PREPOSITION})?\s+((?:[\w-]+\s+){{0,3}}?[\w-]*"
            + _alternation(data["places"]["suffixes"])
            + r")(?!\w)",
            re.IGNORECASE,
        ),
        target_group_object_re=re.compile(
            r"(?<!\w)(" + _alternation(data["target_groups"]["heads"]) + r"(?!\w)[^.;:()]*)", re.IGNORECASE
        ),
        target_group_re=re.compile(
            r"(?<!\w)"
            + _alternation(data["target_groups"]["markers"])
            + r"\s+((?:[\w-]+\s+){0,2}?"
            + _alternation(data["target_groups"]["heads"])
            + r"(?!\w)[^.;:()]*)",
            re.IGNORECASE,
        ),
        target_group_item_re=re.compile(
            r"^(?:[\w-]+\s+){0,2}?" + _alternation(data["target_groups"]["heads"]) + r"(?!\w)", re.IGNORECASE
        ),
    )


@cache
def load_vocabulary(path: Path = VOCABULARY_PATH) -> Vocabulary:
    with path.open("rb") as handle:
        return vocabulary_from_dict(tomllib.load(handle))


# ---------------------------------------------------------------------------------------------------
# Numbers, quantities and periods


def number_value(word: str, vocabulary: Vocabulary | None = None) -> int | None:
    vocabulary = vocabulary or load_vocabulary()
    if word.isdigit():
        return int(word) if len(word) < 10 else None
    return vocabulary.numbers.get(word.lower())


_MASKED: dict[tuple[int, str], str] = {}
_QUOTED_RE = re.compile(r"[”“\"«»][^”“\"«»]{0,200}[”“\"«»]")


def mask_non_quantities(text: str, vocabulary: Vocabulary) -> str:
    """The text with every number that is not a quantity blanked out (same length, so positions hold)."""
    key = (id(vocabulary), text)
    if key not in _MASKED:
        if len(_MASKED) > 4096:
            _MASKED.clear()
        # Quoted titles ("En kommun fri från våld") name things; their numbers and articles count nothing.
        masked = _QUOTED_RE.sub(lambda match: " " * len(match.group()), text)
        _MASKED[key] = vocabulary.non_quantity_re.sub(lambda match: " " * len(match.group()), masked)
    return _MASKED[key]


def _unit_after(rest: str, vocabulary: Vocabulary) -> str | None:
    words: list[str] = []
    for token in re.split(r"\s+", rest.strip()):
        word = token.strip('(),.;:!?”“"')
        if not word and not words:
            continue
        if token.startswith(("/", "(")) and words:
            break
        word = word.split("/")[0]
        if word.lower() in {"st", "st.", "stycken"} and not words:
            continue
        if (
            not word
            or not re.fullmatch(r"[^\W\d_][\w-]*", word)
            or word.lower() in vocabulary.unit_stop_words
        ):
            break
        words.append(word)
        if len(words) == 3 or token[-1:] in ",.;:!?)/":
            break
    return " ".join(words) or None


def _is_countable(rest: str, vocabulary: Vocabulary) -> bool:
    # The noun may be compounded and inflected: "en samverkansträff", "ett par kvällsträffar".
    # "en ny gång- och cykelväg": a word cut off by a hyphen is the first half of a compound, not "gång".
    words = [word for word in re.findall(r"[^\W\d_]+-?", rest[:60].lower())[:2] if not word.endswith("-")]
    return any(vocabulary.countable_re.fullmatch(word) for word in words)


def _quantity_candidates(text: str, vocabulary: Vocabulary) -> Iterable[tuple[bool, Quantity]]:
    """Each number that promises an amount, with whether it is only the article "en"/"ett" counting one."""
    masked = mask_non_quantities(text, vocabulary)
    for count, match in enumerate(vocabulary.number_re.finditer(masked)):
        # A long text is not read past its first numbers: the words near each number are what count.
        if count >= 12:
            return
        value = number_value(match.group(), vocabulary)
        if value is None:
            continue
        before, rest = (
            masked[max(match.start() - 60, 0) : match.start()],
            masked[match.end() : match.end() + 120],
        )
        at_least = bool(vocabulary.at_least_re.search(before))
        if vocabulary.upper_bound_re.search(before):
            yield False, Quantity(None, value, False, _unit_after(rest, vocabulary), match.start())
            continue
        joined = vocabulary.range_joiner_re.match(rest)
        upper = vocabulary.number_re.match(rest, joined.end()) if joined else None
        if upper is not None:
            upper_value = number_value(upper.group(), vocabulary)
            if upper_value is not None and upper_value > value:
                unit = _unit_after(rest[upper.end() :], vocabulary)
                yield False, Quantity(value, upper_value, at_least, unit, match.start())
                continue
        article = match.group().lower() in {"en", "ett"} and not at_least
        # "en"/"ett" is usually an article; it promises one only before something countable.
        if article and not _is_countable(rest, vocabulary):
            continue
        yield article, Quantity(value, None, at_least, _unit_after(rest, vocabulary), match.start())


def read_quantity(text: str, vocabulary: Vocabulary | None = None) -> Quantity:
    vocabulary = vocabulary or load_vocabulary()
    return _chosen_quantity(list(_quantity_candidates(text, vocabulary)))


def _chosen_quantity(candidates: list[tuple[bool, Quantity]]) -> Quantity:
    first: Quantity | None = None
    for article, amount in candidates:
        # "ett dialogmöte minst en gång per år": the stated number says more than the article does.
        if not article:
            return amount
        first = first or amount
    return first or Quantity()


def read_per(text: str, position: int = -1, vocabulary: Vocabulary | None = None) -> str | None:
    vocabulary = vocabulary or load_vocabulary()
    found: list[tuple[int, str]] = []
    for match in vocabulary.period_re.finditer(text):
        # The period word after the number usually belongs to it ("3 gånger per vecka under året").
        distance = match.start() - position if match.start() >= position else 1000 + position - match.start()
        found.append((distance if position >= 0 else match.start(), match.lastgroup or ""))
    return min(found)[1] if found else None


def read_recurrence(text: str, vocabulary: Vocabulary | None = None) -> str | None:
    found = read_recurrence_count(text, vocabulary)
    return found[1] if found else None


def read_recurrence_count(text: str, vocabulary: Vocabulary | None = None) -> tuple[int, str] | None:
    """How many times per what a recurrence without a number says: "varje vecka" once a week, "varje fredag och
    lördag" and "vår och höst" twice; the first in the text, the twice form where both start at one place."""
    vocabulary = vocabulary or load_vocabulary()
    found = [
        (match.start(), -count, per)
        for count, recurrences in ((1, vocabulary.recurrences), (2, vocabulary.recurrences_twice))
        for per, pattern in recurrences.items()
        if (match := pattern.search(text)) is not None
    ]
    if not found:
        return None
    _start, count, per = min(found)
    return -count, per


@dataclass(frozen=True)
class EveryNth:
    """A rate read from "varannan vecka" (26 per year) or "minst vartannat år" (at least once in two years)."""

    quantity: int
    per: str
    at_least: bool


def read_every_nth(text: str, period: Period | None, vocabulary: Vocabulary | None = None) -> EveryNth | None:
    """The rate of one time in every n days, weeks, months or years, as a number per year; every n years as a
    number over the promise's period, counting its whole years (once where the period is unknown or shorter)."""
    vocabulary = vocabulary or load_vocabulary()
    match = vocabulary.every_nth_re.search(text)
    if match is None:
        return None
    ordinal = match["nth"].lower()
    nth = vocabulary.ordinals.get(ordinal) or int(ordinal.split(":")[0])
    if nth < 2:
        return None
    per_year = vocabulary.units_per_year[match["unit"].lower()]
    at_least = match["least"] is not None
    if per_year < nth:
        years = period.end.year - period.start.year + 1 if period is not None else 1
        return EveryNth(max(1, years * per_year // nth), "period", at_least)
    return EveryNth(round(per_year / nth), "year", at_least)


def _clamped_date(year: int, month: int, day: int) -> date:
    # Published texts contain impossible dates ("31 juni"); the intended day is the month's last.
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


_MONTH_NAMES = "|".join(MONTHS)
_DATE = (
    r"(?:(?P<{p}iso>(?:19|20)\d{{2}}-\d{{2}}-\d{{2}})"
    r"|(?:den\s+)?(?P<{p}day>\d{{1,2}})?\s*(?P<{p}month>"
    + _MONTH_NAMES
    + r")\s*(?P<{p}year>(?:19|20)\d{{2}})?)"
)
_DASH = r"\s*(?:-{1,2}|–|—|−|till\s+och\s+med|t\.\s?o\.\s?m\.?|fram\s+till|till)\s*"
_DATE_RANGE_RE = re.compile(_DATE.format(p="a") + _DASH + _DATE.format(p="b"), re.IGNORECASE)
_YEAR_RANGE_RE = re.compile(
    r"(?<![\d-])((?:19|20)\d{2})" + _DASH + r"((?:19|20)\d{2}|\d{2})(?![\d-])", re.IGNORECASE
)
_PROMISE_YEAR_RE = re.compile(
    r"(?:medborgarlöfte[tn]?a?|löfte[tn]?a?|gäller|period(?:en)?|giltig\w*)\s+(?:för\s+)?(?:år(?:et)?\s+)?"
    r"((?:19|20)\d{2})(?![\d-])",
    re.IGNORECASE,
)
# "under 2024", also with a season or a half ("under hösten 2015", "under första halvåret 2024").
_DURING_YEAR_RE = re.compile(
    r"\bunder\s+(?:(?:våren|sommaren|hösten|vintern|första\s+halvåret|andra\s+halvåret|året)\s+)?"
    r"((?:19|20)\d{2})(?![\d-])",
    re.IGNORECASE,
)
# "Ekholm den 12 mars 2023", "Granby 2023-03-12": a place and a date alone sign the text.
_SIGNING_LINE_RE = re.compile(
    r"^[A-ZÅÄÖ][a-zåäöé]+(?:[ -][A-ZÅÄÖ][a-zåäöé]+)?,?\s+(?:den\s+)?(?:\d{1,2}\s+(?:"
    + _MONTH_NAMES
    + r")\s+(?:19|20)\d{2}"
    r"|(?:19|20)\d{2}-\d{2}-\d{2})\.?$",
    re.IGNORECASE,
)
# Words that tell a line speaks of the promise itself, so that its years are the validity.
_PROMISE_WORDS_RE = re.compile(r"löfte|gäller|giltig|period|lovar|tidsram|under tiden|åtar", re.IGNORECASE)


def _range_date(match: re.Match[str], prefix: str, fallback_year: int | None, end: bool) -> date | None:
    iso = match.group(prefix + "iso")
    if iso:
        year, month, day = (int(part) for part in iso.split("-"))
        return _clamped_date(year, month, day) if 1 <= month <= 12 and day >= 1 else None
    year_text = match.group(prefix + "year")
    named_year = int(year_text) if year_text else fallback_year
    month_name = match.group(prefix + "month")
    if named_year is None or month_name is None:
        return None
    named_month = MONTHS[month_name.lower()]
    day_text = match.group(prefix + "day")
    last_day = calendar.monthrange(named_year, named_month)[1]
    named_day = int(day_text) if day_text else (last_day if end else 1)
    return _clamped_date(named_year, named_month, max(named_day, 1))


def _explicit_period(line: str) -> Period | None:
    for match in _DATE_RANGE_RE.finditer(line):
        end_year = match.group("byear")
        end = _range_date(match, "b", None, end=True)
        start = _range_date(match, "a", int(end_year) if end_year else None, end=False)
        if start and end and start <= end:
            return Period(start, end)
    return None


def _year_range(line: str) -> Period | None:
    for match in _YEAR_RANGE_RE.finditer(line):
        first, second = match.group(1), match.group(2)
        last = int(second) if len(second) == 4 else int(first[:2] + second)
        if int(first) <= last <= int(first) + 10:
            return Period(date(int(first), 1, 1), date(last, 12, 31))
    return None


def _whole_year(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31))


def _titled_year(line: str) -> Period | None:
    if match := _PROMISE_YEAR_RE.search(line):
        return _whole_year(int(match.group(1)))
    # "Medborgarlöfte Havsö kommun 2025": a title that names the promise and one year.
    named_years = set(re.findall(r"(?<![\d-])((?:19|20)\d{2})(?![\d-])", line))
    if len(named_years) == 1 and re.search(r"löfte", line, re.IGNORECASE) and len(line) < 120:
        return _whole_year(int(named_years.pop()))
    return None


def is_signing_line(line: str, vocabulary: Vocabulary | None = None) -> bool:
    """A signature, page or update date: it says when the text was made, not when the promise holds."""
    vocabulary = vocabulary or load_vocabulary()
    stripped = line.strip().lstrip("#").strip()
    return bool(_SIGNING_LINE_RE.match(stripped)) or bool(
        vocabulary.signing_re.search(stripped) and re.search(r"(?:19|20)\d{2}", stripped)
    )


# A line naming the follow-up of a promise ("Uppföljning av medborgarlöfte 2019", a link to last year's report):
# its year is that other promise's, not this one's.
_FOLLOW_UP_LINE_RE = re.compile(
    r"^[\s#*•\-–]*(?:uppföljning|utvärdering|redovisning|återrapportering)(?!\w)|(?<!\w)uppföljning(?:en)?\s+av(?!\w)",
    re.IGNORECASE,
)


def find_period_line(text: str, vocabulary: Vocabulary | None = None) -> tuple[Period | None, int | None]:
    """The validity period and the 1-based line it was read from."""
    vocabulary = vocabulary or load_vocabulary()
    lines = [
        (number, " ".join(line.split()))
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip() and not is_signing_line(line, vocabulary) and not _FOLLOW_UP_LINE_RE.search(line)
    ]
    # A line about the promise wins over statistics ("Mellan 2016–2018 ökade inbrotten").
    about_promise = [(number, line) for number, line in lines if _PROMISE_WORDS_RE.search(line)]
    for candidates in (about_promise, lines):
        for reader in (_explicit_period, _year_range):
            for number, line in candidates:
                if period := reader(line):
                    return period, number
        for number, line in candidates:
            if period := _titled_year(line):
                return period, number
    # "Polisen ska under 2024 genomföra …": the year the promises are made for.
    years: Counter[int] = Counter()
    first_line: dict[int, int] = {}
    for number, line in lines:
        # Promises say "under 2024" in their sentences and list items, statistics in the background do not.
        if vocabulary.promise_verb_re.search(line) or _BULLET_RE.match(line):
            for match in _DURING_YEAR_RE.finditer(line):
                years[int(match.group(1))] += 1
                first_line.setdefault(int(match.group(1)), number)
    if years:
        year = years.most_common(1)[0][0]
        return _whole_year(year), first_line[year]
    return None, None


def find_period(text: str, vocabulary: Vocabulary | None = None) -> Period | None:
    return find_period_line(text, vocabulary)[0]


_MUNICIPALITY_NAME_RE = re.compile(
    r"(?:(?P<before>[A-ZÅÄÖ][a-zåäö]+)\s+)?(?<![\w-])(?P<name>[A-ZÅÄÖ][a-zåäöé]+(?:-[A-ZÅÄÖ][a-zåäöé]+)?)"
    r"\s+(?P<kind>kommun|stad|Stad)(?:s)?(?!\w)"
    r"|(?<!\w)Region\s+(?P<region>[A-ZÅÄÖ][a-zåäöé]+)(?!\w)"
)


def find_municipality_line(text: str, vocabulary: Vocabulary | None = None) -> tuple[str | None, int | None]:
    """The kommun's full name as the text writes it, and the 1-based line where it first stands."""
    vocabulary = vocabulary or load_vocabulary()
    names: Counter[str] = Counter()
    first_line: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _MUNICIPALITY_NAME_RE.finditer(line):
            if match.group("region"):
                name = f"Region {match.group('region')}"
            else:
                name = match.group("name")
                if name.split("-")[0].lower() in vocabulary.not_names:
                    continue
                # Two-word names start with a known word ("Upplands Väsby"); "Medborgarlöfte Ekdala" does not.
                before = match.group("before")
                if before and before.lower() in vocabulary.name_prefixes:
                    name = f"{before} {name}"
                name = f"{name} {match.group('kind')}"
            names[name] += 1
            first_line.setdefault(name, number)
    if not names:
        return _titled_kommun(text)
    # Counter keeps first-seen order, so a tie goes to the name the text mentions first.
    name = names.most_common(1)[0][0]
    return name, first_line[name]


# A kommun named beside the word medborgarlöfte without "kommun" after it: the police's page for each kommun is
# titled "Munkedal – medborgarlöften"; titles also say "Medborgarlöfte 2024 för Lilla Edet", "Medborgarlöften i
# Umeå" and "Vännäs medborgarlöfte". Only a name in SCB's list of the 290 kommuner is taken.
_NAME_WORDS = r"[A-ZÅÄÖ][a-zåäöé]+(?:[ -][A-ZÅÄÖ][a-zåäöé]+)?"
_TITLED_KOMMUN_RES = (
    re.compile(rf"^\s*(?P<name>{_NAME_WORDS})\s*[–—:-]\s*[Mm]edborgarlöft"),
    re.compile(
        rf"[Mm]edborgarlöft\w*(?:\s+(?:år\s+)?\d{{4}}(?:\s*[–—-]\s*\d{{4}})?)?\s+(?:för\s+|i\s+)?"
        rf"(?P<name>{_NAME_WORDS})(?![\w-])"
    ),
    re.compile(rf"(?<![\w-])(?P<name>{_NAME_WORDS})\s+[Mm]edborgarlöft"),
)


def _official_kommun(words: str, *, whole: bool = False) -> str | None:
    """ "Munkedal", "Munkedals" or "Lilla Edet" → the kommun's official name, if SCB's list has it."""
    # The whole span first, then (unless `whole`) each of its two words ("Polisen Munkedal", "Munkedal Polisen").
    parts = [] if whole else words.replace("-", " ").split()[:2]
    for candidate in dict.fromkeys([words, *parts]):
        region = resolve(f"{candidate} kommun")
        if region.kind is RegionKind.KOMMUN:
            return official_name(region.name)
    return None


# Last: a kommun's name inside a sentence about the promise, after a word in lower case so that neither a sentence's
# first word nor a person's surname after a first name is taken ("Medborgarlöftet för 2021–2022 inriktas på
# Halmstads stadskärna").
_KOMMUN_IN_SENTENCE_RE = re.compile(rf"(?<=[a-zåäö,] )(?P<name>{_NAME_WORDS})(?![\w-])")


def _titled_kommun(text: str) -> tuple[str | None, int | None]:
    lines = [
        (number, line) for number, line in enumerate(text.splitlines(), start=1) if "edborgarlöft" in line
    ]
    for patterns in (_TITLED_KOMMUN_RES, (_KOMMUN_IN_SENTENCE_RE,)):
        for number, line in lines:
            for pattern in patterns:
                for match in pattern.finditer(line):
                    if name := _official_kommun(match.group("name"), whole=pattern is _KOMMUN_IN_SENTENCE_RE):
                        return name, number
    return None, None


def find_municipality(text: str, vocabulary: Vocabulary | None = None) -> str | None:
    return find_municipality_line(text, vocabulary)[0]


# ---------------------------------------------------------------------------------------------------
# Parties


_SOFT_OPENERS_RE = re.compile(r"^(?:både|även|också|sedan|så\s+väl|tillsammans)\s+")
_UNIT_OF_MUNICIPALITY_RE = re.compile(r"(?:kommunens|stadens|kommunernas|regionens)\s+\w")
_NAMED_MUNICIPALITY_RE = re.compile(
    r"(?P<name>[A-ZÅÄÖ][\w-]*(?:\s+[A-ZÅÄÖ][\w-]*)*)\s+(?P<kind>kommun|stad)(?P<genitive>s?)(?P<rest>\s+.+)?",
    re.IGNORECASE,
)
_REGION_RE = re.compile(r"region\s+\w+")


@dataclass(frozen=True)
class _Names:
    vocabulary: Vocabulary
    municipality: str | None
    # What each chunk of text was found to name: the same phrases come back many times in one text.
    known: dict[tuple[str, bool], str | None] = field(default_factory=dict, compare=False, hash=False)

    def canonical(self, chunk: str, *, allow_unknown: bool) -> str | None:
        key = (chunk, allow_unknown)
        if key not in self.known:
            if len(self.known) > 20_000:
                self.known.clear()
            self.known[key] = self._canonical(chunk, allow_unknown=allow_unknown)
        return self.known[key]

    def _canonical(self, chunk: str, *, allow_unknown: bool) -> str | None:
        # "Tekniska verken (TVAB)": the name without its abbreviation in brackets.
        chunk = re.sub(r"(?<=\S)\s*\([^()]*\)$", "", chunk.strip(" \t.,;:!?”“\"'"))
        chunk = chunk.strip(" \t.,;:()!?”“\"'")
        if chunk[:1] in "båostBÅOST":
            chunk = _SOFT_OPENERS_RE.sub("", chunk)
        low = chunk.lower()
        if not chunk:
            return None
        if low in self.vocabulary.signatory_words:
            return _SIGNATORIES
        if self.vocabulary.police_re.fullmatch(chunk):
            return POLICE
        if municipality := self._municipality(chunk, low):
            return municipality
        if low in self.vocabulary.other_parties:
            return self.vocabulary.other_parties[low]
        if low.endswith("s") and low[:-1] in self.vocabulary.other_parties and allow_unknown:
            return self.vocabulary.other_parties[low[:-1]]
        if allow_unknown and self.looks_like_a_name(chunk):
            return chunk
        return None

    def _municipality(self, chunk: str, low: str) -> str | None:
        if self.vocabulary.municipality_re.fullmatch(chunk) or low in self.vocabulary.municipal_units:
            return _MUNICIPALITY
        # "socialtjänsten i Hallvik", "fritidsförvaltningen": an office of the municipality acts for it.
        unit, _, where = low.partition(" i ")
        if unit in self.vocabulary.municipal_units and not self.vocabulary.police_re.fullmatch(where):
            return _MUNICIPALITY
        if self.vocabulary.municipal_unit_re.fullmatch(low) and not low.startswith(("region", "läns")):
            return _MUNICIPALITY
        # "kommunens fältgrupp", "stadens trygghetsvärdar": a unit of the municipality acts for it.
        if _UNIT_OF_MUNICIPALITY_RE.match(low):
            return _MUNICIPALITY
        named = _NAMED_MUNICIPALITY_RE.fullmatch(chunk) if len(chunk.split()) <= 8 else None
        if named and named.group("name").split()[0].lower() not in self.vocabulary.not_names:
            if named.group("rest") and not named.group("genitive"):
                return None
            full_name = f"{named.group('name')} {named.group('kind')}"
            if self.municipality and same_kommun(full_name, self.municipality):
                return _MUNICIPALITY
            return full_name
        region = _REGION_RE.fullmatch(low)
        if region and self.municipality and low == self.municipality.lower():
            return _MUNICIPALITY
        return chunk if region else None

    def looks_like_a_name(self, chunk: str) -> bool:
        words = chunk.split()
        return (
            chunk[0].isupper()
            and len(words) <= 5
            and words[0].lower() not in self.vocabulary.non_party_openers
            and words[0].lower() not in self.vocabulary.numbers
            and not re.search(r"\d", chunk)
            # "Allt klotter på skolorna" is the thing done: a name rarely holds a preposition.
            and not any(word in _PREPOSITIONS for word in words[1:])
            # A single plural noun ("Trafikkontroller ska ske") is the thing done, not who does it; a company's
            # name may end so ("Kirunabostäder").
            and not (
                len(words) == 1
                and re.search(r"(?:er|ar|or)$", chunk)
                and not _ORGANISATION_END_RE.search(chunk)
            )
            and not (len(words) == 1 and _DONE_THING_END_RE.search(chunk))
        )

    def mentions(self, fragment: str, *, allow_unknown: bool, prefixes: bool = True) -> list[str]:
        parties: list[str] = []
        # "kommunen och/eller polisen" names both; so does "polis/kommun" when each side is a known name.
        fragment = re.sub(r"\s+och\s*/\s*eller\s+", " och ", fragment, flags=re.IGNORECASE)
        chunks: list[str] = []
        for chunk in split_list(fragment):
            sides = chunk.split("/")
            known = len(sides) > 1 and all(self.canonical(side, allow_unknown=False) for side in sides)
            chunks += sides if known else [chunk]
        for chunk in chunks:
            party = self.canonical(chunk, allow_unknown=allow_unknown)
            if party is None and prefixes and len(chunk.split()) > 1:
                # "kommun och polis varje år ska …": the name is the start of the last chunk.
                words = chunk.split()
                party = next(
                    (
                        found
                        for size in range(min(len(words) - 1, 3), 0, -1)
                        if (found := self.canonical(" ".join(words[:size]), allow_unknown=False))
                    ),
                    None,
                )
            if party and party not in parties:
                parties.append(party)
        return parties

    def may_begin_a_name(self, word: str) -> bool:
        """Whether a party's name could start with this word ("kommunen", "Polisen", "socialtjänsten")."""
        low = word.lower().strip(".,;:()”“\"'")
        vocabulary = self.vocabulary
        return bool(
            word[:1].isupper()
            or low in vocabulary.signatory_words
            or low in vocabulary.municipal_units
            or low in vocabulary.other_parties
            or vocabulary.police_re.match(low)
            or vocabulary.municipality_re.match(low)
            or vocabulary.municipal_unit_re.fullmatch(low)
        )

    def leading_mentions(self, fragment: str) -> list[str]:
        """Parties named at the very start of a fragment: "Ljungby kommun och Polisen arbeta för …"."""
        parties: list[str] = []
        for chunk in split_list(fragment.strip(), maxsplit=4):
            words = chunk.split()
            found = next(
                (
                    (party, size)
                    for size in range(min(len(words), 4), 0, -1)
                    if (party := self.canonical(" ".join(words[:size]), allow_unknown=False))
                ),
                None,
            )
            if found is None:
                break
            parties.append(found[0])
            if found[1] < len(words):
                break
        return parties


def _is_passive(verb: str, after: str, vocabulary: Vocabulary) -> bool:
    if verb.lower() not in vocabulary.not_passive and " " not in verb and verb.lower().endswith("s"):
        return True
    # After an auxiliary ("ska", "kommer att") the first infinitive tells active from passive.
    for word in re.findall(r"[^\W\d_]+", after)[:8]:
        low = word.lower()
        if low in vocabulary.not_passive or low in {"att", "det", "även", "också", "inte"}:
            continue
        if low in vocabulary.agentless_verbs:
            return True
        if low in vocabulary.deponent_verbs:
            return False
        if low.endswith(("as", "ås", "es")) and len(low) >= 3:
            return True
        if low.endswith(("a", "å")):
            return False
    return False


_LIST_SEPARATOR_RE = re.compile(r"\s*,\s*|\s+(?:och|samt|&|eller)\s+")


def split_list(text: str, maxsplit: int = 0) -> list[str]:
    """ "Ljungby kommun, Polisen och Räddningstjänsten" → its three names."""
    return _LIST_SEPARATOR_RE.split(text.strip(), maxsplit=maxsplit)


def _noun_phrase(phrase: str) -> str:
    # "Holmö Turism AB sätta upp skyltar": an infinitive after a noun ends the partner's name.
    words = phrase.split(" ")
    for position in range(1, len(words)):
        word, previous = words[position], words[position - 1]
        if re.fullmatch(r"[a-zåäö]+[aå]", word) and (
            previous[:1].isupper() or previous.endswith(("en", "et", "na", "AB"))
        ):
            return " ".join(words[:position])
    return phrase


# Verbs that begin what an item says is done, after the names of who does it with whom.
_ITEM_VERBS = (
    r"ska|skall|lovar|kommer|genomföra|genomför|initiera|arbeta|bjuder|se|ta|ge|gå|få|ha"
    r"|bli|göra|hålla|sätta|starta|erbjuda|informera|utbilda|besöka|delta|anordna|ordna|träffa"
    r"|finnas|vara|synas|verka|skapa|stärka|öka|minska|samverka|patrullera|kontrollera|arbetar|finns"
    r"|bidra|bevaka|jobba|diskutera|närvara|fortsätta|utveckla|stödja|driva|bedriva|följa|sprida|medverka"
    r"|uppmärksamma|förebygga|motverka|främja|bistå|planera|förbättra|förstärka|erbjuder"
)
_PARTNERS_END_RE = re.compile(
    rf"\s(?:och\s+)?(?:{_ITEM_VERBS}"
    r"|för\s+att|i\s+syfte|under|vid|på|genom|om|att|med\s+fokus"
    # How often, which starts the rest too: "… och fritidsgården en gång per termin".
    r"|varje|minst|högst|per|en\s+gång|\w+\s+gånger|\d+)(?!\w)"
)
# Where the partners a "tillsammans med" names end: punctuation, or a verb or preposition that starts the rest.
# A dash between spaces joins a table row's columns ("… fritidsgården – En gång per termin").
_PARTNERS_STOP_RE = re.compile(r"[.,;:()]|\s[–—]\s|" + _PARTNERS_END_RE.pattern)
_COMMA_LIST_RE = re.compile(
    r"(?:\s*[^\W\d_][\w-]*(?:\s+[^\W\d_][\w-]*){0,2}\s*,)+\s*[^\W\d_][\w-]*(?:\s+[^\W\d_][\w-]*){0,2}"
    r"(?=\s+(?:och|samt|eller)\s)"
)


def _strip_partners(text: str, names: _Names) -> tuple[str, list[str]]:
    partners: list[str] = []
    vocabulary = names.vocabulary
    for match in vocabulary.partner_re.finditer(text):
        tail = text[match.end() :]
        # "tillsammans med skola, socialtjänst och föreningsliv": the commas of a list ending in "och" do not end
        # the partners; a comma after it still does.
        listed = _COMMA_LIST_RE.match(tail)
        start = listed.end() if listed and not _PARTNERS_END_RE.search(listed.group()) else 0
        stop = _PARTNERS_STOP_RE.search(tail, start)
        phrase = _noun_phrase(tail[: stop.start()] if stop else tail)
        for chunk in split_list(phrase.strip()):
            partner = names.canonical(chunk, allow_unknown=False) or (
                chunk.strip() if 0 < len(chunk.split()) <= 6 else None
            )
            # "med stöd av 14 kap. 1 §" cites a law, it names no partner.
            if partner and partner not in partners and not re.search(r"\d", partner):
                partners.append(partner)
        text = (
            text[: match.start()]
            + " " * (match.end() - match.start() + len(phrase))
            + text[match.end() + len(phrase) :]
        )
    return text, partners


_PREPOSITIONS = frozenset(
    [
        "med",
        "av",
        "för",
        "till",
        "hos",
        "från",
        "i",
        "på",
        "vid",
        "om",
        "mot",
        "åt",
        "genom",
        "via",
        "tillsammans",
        "samverkan",
        "samarbete",
        "stöd",
        "dialog",
    ]
)


def _first_subject(text: str, names: _Names) -> list[str]:
    """The party a sentence without a known promise verb is about: "att kommunen erbjuder …",
    "Kommunen delar ut …", "Varje kvartal bjuder kommunen in …" (the subject right after the verb)."""
    clause = re.split(r"[,;:(]|(?<!\w)(?:som|när|där|eftersom|för att)(?!\w)", text, maxsplit=1)[0]
    clause = re.sub(r"^\s*att\s+", "", clause, flags=re.IGNORECASE)
    if leading := names.leading_mentions(clause):
        return leading
    words = clause.split()
    for position in range(1, min(len(words), 5)):
        # Only after a finite verb ("Varje kvartal bjuder kommunen in"): "Informera kommunen" names the object.
        finite = (
            words[position - 1].lower().endswith("r") and words[position - 1].lower() not in _PREPOSITIONS
        )
        if not finite or not names.may_begin_a_name(words[position]):
            continue
        if found := names.leading_mentions(" ".join(words[position:])):
            return found
    return []


# A passive infinitive or present ("genomföras", "hålls"); not a genitive plural ("skolornas").
_PASSIVE_FORM_RE = re.compile(r"(?<!\w)[a-zåäö]{3,}(?<!n)(?:as|ås|ats|its|tts)(?!\w)")


def subject_parties(text: str, names: _Names) -> list[str]:
    vocabulary = names.vocabulary
    verb = vocabulary.promise_verb_re.search(text)
    if verb is None:
        # "Polisen att genomföra …" under a lead-in that carries the verb.
        bare = re.match(r"^(.{1,80}?)\s+att\s+\w", text)
        found = names.mentions(bare.group(1), allow_unknown=False) if bare else []
        return found or _first_subject(text, names)
    before, after = text[: verb.start()], text[verb.end() :]
    # The subject is in the clause right before the verb ("Narkotika, innebär att polisen … ska").
    clause = re.split(r"(?<!\w)(?:att|som|när|där|eftersom|innebär)(?!\w)", before, flags=re.IGNORECASE)[-1]
    # "Under 2020 ska tre gemensamma insatser … genomföras av X": a passive form later in the clause.
    passive_later = not names.mentions(clause, allow_unknown=False) and bool(
        _PASSIVE_FORM_RE.search(re.split(r"[,;:.]", after, maxsplit=1)[0][:160])
    )
    if passive_later or _is_passive(verb.group(), after, vocabulary):
        # The doer of a passive follows "av" or "genom" ("genomföras av kommunen", "genom socialtjänsten").
        agent = re.search(r"(?<!\w)(?:av|genom)\s+([^.;:]{1,80})", after)
        return names.leading_mentions(agent.group(1)) if agent else []
    parties = names.mentions(clause, allow_unknown=True) if clause.strip() else []
    return parties or names.leading_mentions(clause) or names.leading_mentions(after)


def trailing_tag(text: str, names: _Names) -> list[str] | None:
    """Parties named after the activity: "(kommun och polis)", "… tillfällen. Polis"."""
    bracket = re.search(r"\(([^()]{2,80})\)\s*[.!]?\s*$", text)
    if bracket:
        parties = names.mentions(bracket.group(1), allow_unknown=True)
        known = [party for party in parties if party in (POLICE, _MUNICIPALITY, _SIGNATORIES)]
        # "(polis/kommun)" names two as "(kommun och polis)" does.
        if known and len(parties) == len(split_list(bracket.group(1).strip().replace("/", ", "))):
            return parties
    sentences = split_sentences(text)
    if len(sentences) >= 2:
        last = sentences[-1].rstrip(".! ")
        if (
            len(last.split()) <= 6
            and not names.vocabulary.promise_verb_re.search(last)
            and not re.search(r"\d", last)
        ):
            chunks = split_list(last.strip().replace("/", ", "))
            known = names.mentions(last, allow_unknown=False)
            # An unknown name counts only when every word is capitalised ("Poseidon", "Holmö Turism AB").
            capitalised = all(word[:1].isupper() for word in last.split())
            parties = known if len(known) == len(chunks) else names.mentions(last, allow_unknown=capitalised)
            if parties and len(parties) == len(chunks):
                return parties
    return None


# ---------------------------------------------------------------------------------------------------
# Lines


LineKind = Literal["blank", "heading", "bullet", "quote", "responsible", "text"]

_BULLET_RE = re.compile(
    r"^(?P<marker>[•·▪◦‣●○■□►➢✓✔*]|[-–—−](?=\s)|\(?\d{1,2}[.)](?=\s)|[a-zA-Z][)](?=\s))\s*(?P<text>.*)$"
)
_MARKDOWN_HEADING_RE = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.+?)\s*#*$")
_QUOTE_OPENERS = ("”", "“", '"', "«", "„")


@dataclass
class _Line:
    number: int
    text: str
    indent: int
    kind: LineKind
    level: int = 0
    # "bullet" or "number" for list items: bullets under a numbered item belong to it.
    marker: str = ""
    guessed: bool = False


# Word's bullets in the Symbol and Wingdings fonts come out of a PDF or a copy as characters of the private use
# area (U+F0B7 "", U+F0A7 "", U+F0D8 "") or, without a character map, as the font's own code: "Ø" for its
# arrow; its second-level bullet is a Courier "o". Swedish text never starts a line with either.
_SYMBOL_BULLET_RE = re.compile(r"[\uf000-\uf0ff]|(?m:^(?P<indent>[ \t]*)(?:Ø(?=[ \t])|o(?=[ \t]+[a-zåäö])))")


def symbol_bullets(text: str) -> str:
    """Word's symbol-font bullets as "•"."""
    return _SYMBOL_BULLET_RE.sub(lambda match: f"{match.group('indent') or ''}•", text)


def normalise_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u2212", "–").replace("\t", "    ").replace("\u00ad", "")
    text = re.sub(r"[\u200b\u200c\u200d\ufeff]", "", text)
    text = symbol_bullets(text)
    # Runs of blanks carry no meaning past indentation, and patterns that scan them would slow down.
    text = re.sub(r" {40,}", " " * 8, text)
    if re.search(r"(?m)^#{1,6}\s", text):
        # In Markdown with headings, a short line in bold alone is a heading too ("**Trafik**").
        text = re.sub(r"(?m)^[ \t]*(?:\*\*|__)([^*_\n]{1,90}?[^.!?*_\n])(?:\*\*|__)[ \t]*$", r"#### \1", text)
    # Markdown emphasis and links say nothing about the promise.
    text = re.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda match: match.group(1) or match.group(2), text)
    return re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)


def _is_quote_line(stripped: str, vocabulary: Vocabulary) -> bool:
    if stripped.startswith(_QUOTE_OPENERS):
        return True
    # "-Medborgarlöftet bygger på …": a dash glued to the text opens a quote in Swedish news style.
    return bool(re.match(r"^[-–—][^\W\d_]", stripped)) or bool(
        re.match(r"^[-–—]\s", stripped) and vocabulary.speech_re.search(stripped)
    )


_KEY_YEARS_RE = re.compile(r"\b(?:19|20)\d{2}\b|[–—-]\s*$|[:.!?]+$")
_KEY_TAIL_RE = re.compile(r"\s*[-–—/]\s*(?:\d{2,4})?\s*$")
_KEY_NUMBER_RE = re.compile(r"^\d+[.)]\s*")


def heading_key(title: str) -> str:
    """A heading reduced to its words: no years, numbering or end punctuation ("1. Trafik:" → "trafik")."""
    key = _KEY_YEARS_RE.sub("", title.lower())
    key = _KEY_NUMBER_RE.sub("", _KEY_TAIL_RE.sub("", key.strip()))
    return " ".join(key.split()).strip(" :.,–-")


def _is_skip_heading(key: str, vocabulary: Vocabulary) -> bool:
    return bool(vocabulary.skip_heading_re.match(key))


def _looks_like_heading(stripped: str, vocabulary: Vocabulary) -> bool:
    words = stripped.split()
    if not 0 < len(words) <= 12 or len(stripped) > 90:
        return False
    key = heading_key(stripped)
    # "Det här ska vi göra" holds "ska" and is still a heading, and so does "Aktiviteter som polisen ska göra".
    if (
        key in vocabulary.label_headings
        or _is_skip_heading(key, vocabulary)
        or key.split(" som ", 1)[0] in vocabulary.label_headings
    ):
        return not stripped.endswith((".", ","))
    return (
        not stripped.endswith((".", ":", ";", ",", "!", "?"))
        and (stripped[0].isupper() or stripped[0].isdigit())
        and not vocabulary.promise_verb_re.search(stripped)
    )


def _raw_lines(text: str, vocabulary: Vocabulary) -> list[_Line]:
    lines: list[_Line] = []
    raw_lines = text.split("\n")
    for number, raw in enumerate(raw_lines, start=1):
        stripped = raw.strip()
        indent = len(raw) - len(raw.lstrip())
        if not stripped or vocabulary.chrome_re.fullmatch(stripped.rstrip(".").strip()):
            lines.append(_Line(number, "", 0, "blank"))
        elif heading := _MARKDOWN_HEADING_RE.match(stripped):
            lines.append(
                _Line(number, heading.group("text"), indent, "heading", len(heading.group("hashes")))
            )
        elif vocabulary.responsible_re.match(stripped):
            lines.append(_Line(number, stripped, indent, "responsible"))
        elif _is_quote_line(stripped, vocabulary):
            lines.append(_Line(number, stripped, indent, "quote"))
        elif bullet := _BULLET_RE.match(stripped):
            marker = "number" if bullet.group("marker").strip("(")[0].isdigit() else "bullet"
            lines.append(_Line(number, bullet.group("text").strip(), indent, "bullet", marker=marker))
        else:
            lines.append(_Line(number, stripped, indent, "text"))
    _join_lone_markers(lines)
    _numbered_headings(lines, vocabulary)
    # Marked-up text (Markdown, or what the readers made of HTML and Word) says where its headings are.
    if not any(line.level for line in lines):
        _guess_headings(lines, vocabulary)
    _unmarked_items(lines, vocabulary)
    return lines


def _unmarked_items(lines: list[_Line], vocabulary: Vocabulary) -> None:
    """Lines one by one under a lead-in, each its own paragraph, are a list that lost its bullets (as text
    copied from a web page often does): "Polisen lovar att:" + "Genomföra …" + "Hålla …"."""
    for index, line in enumerate(lines):
        if line.kind != "text" or not line.text.endswith(":"):
            continue
        candidates: list[_Line] = []
        position = index + 1
        while position < len(lines):
            current = lines[position]
            if current.kind == "blank":
                position += 1
                continue
            key = heading_key(current.text)
            plain = current.kind == "text" or (current.kind == "heading" and current.guessed)
            if (
                not plain
                or current.text.endswith(":")
                or len(current.text) > 250
                or key in vocabulary.label_headings
                or _is_skip_heading(key, vocabulary)
                or lines[position - 1].kind != "blank"
            ):
                break
            candidates.append(current)
            position += 1
        following = lines[position] if position < len(lines) else None
        if len(candidates) < 2 or (following is not None and following.kind == "bullet"):
            continue
        for candidate in candidates:
            candidate.kind, candidate.marker, candidate.guessed = "bullet", "bullet", False


def _join_lone_markers(lines: list[_Line]) -> None:
    # "•" alone on a line and its text on the next, as PDF text often comes out.
    for index, line in enumerate(lines[:-1]):
        following = lines[index + 1]
        if line.kind == "bullet" and not line.text and following.kind == "text":
            line.text = following.text
            following.kind, following.text = "blank", ""


def _next_content(lines: list[_Line], index: int) -> _Line | None:
    return next((later for later in lines[index + 1 :] if later.kind != "blank"), None)


def _numbered_headings(lines: list[_Line], vocabulary: Vocabulary) -> None:
    # "1. Trafik" followed by a paragraph, or by bullets of another kind, numbers a focus area.
    for index, line in enumerate(lines):
        if line.marker != "number" or len(line.text.split()) > 8:
            continue
        if not _looks_like_heading(line.text, vocabulary):
            continue
        following = _next_content(lines, index)
        if following is None:
            continue
        blank_after = index + 1 < len(lines) and lines[index + 1].kind == "blank"
        paragraph_after = blank_after and following.kind == "text"
        bullets_after = following.kind == "bullet" and following.marker == "bullet"
        if paragraph_after or bullets_after:
            line.kind, line.text = "heading", f"{line.text}"


def _guess_headings(lines: list[_Line], vocabulary: Vocabulary) -> None:
    # Plain text has no markup: a short line without end punctuation that neither continues the line
    # before it nor runs on into the next one is a heading. Text taken from PDFs often lacks blank lines.
    for index, line in enumerate(lines):
        if line.kind != "text" or not _looks_like_heading(line.text, vocabulary):
            continue
        previous = lines[index - 1] if index > 0 else None
        following = lines[index + 1] if index + 1 < len(lines) else None
        continues_previous = (
            previous is not None
            and previous.kind == "text"
            and not previous.text.endswith((".", "!", "?"))
            and not previous.guessed
        )
        runs_on = following is not None and following.kind == "text" and following.text[:1].islower()
        if not continues_previous and not runs_on:
            line.kind, line.guessed = "heading", True


# ---------------------------------------------------------------------------------------------------
# Blocks


BlockKind = Literal["heading", "paragraph", "item", "leadin", "quote", "responsible"]


@dataclass
class _Block:
    kind: BlockKind
    text: str
    line: int
    indent: int = 0
    level: int = 0
    marker: str = ""
    guessed: bool = False


def ends_open(text: str, vocabulary: Vocabulary) -> bool:
    """A line that introduces what follows: "… lovar att:", "Detta gör vi genom att", "… kommer;"."""
    stripped = text.rstrip()
    if stripped.endswith((":", ";", "..", "…")):
        return True
    if stripped.endswith((".", "!", "?")):
        return False
    words = stripped.lower().split()
    return bool(words) and (
        words[-1] in vocabulary.incomplete_endings or " ".join(words[-2:]) in vocabulary.incomplete_endings
    )


def _blocks(lines: list[_Line], vocabulary: Vocabulary) -> list[_Block]:
    blocks: list[_Block] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.kind == "blank":
            continue
        if line.kind == "heading":
            blocks.append(
                _Block("heading", line.text, line.number, line.indent, line.level, guessed=line.guessed)
            )
        elif line.kind == "quote":
            blocks.append(_Block("quote", line.text, line.number, line.indent))
        elif line.kind == "responsible":
            blocks.append(_Block("responsible", line.text, line.number, line.indent))
        elif line.kind == "bullet":
            text, index = _continue_item(line, lines, index)
            blocks.append(_Block("item", text, line.number, line.indent, marker=line.marker))
        else:
            index = _paragraph_blocks(line, lines, index, blocks, vocabulary)
    return blocks


def _continue_item(item: _Line, lines: list[_Line], index: int) -> tuple[str, int]:
    parts = [item.text]
    while index < len(lines):
        line = lines[index]
        after_blank = line.kind == "blank" and index + 1 < len(lines)
        candidate = lines[index + 1] if after_blank else line
        wrapped = candidate.kind == "text" and (
            candidate.indent > item.indent or (not after_blank and candidate.text[:1].islower())
        )
        # A paragraph indented under a bullet after a blank line still belongs to that bullet.
        if not wrapped or (after_blank and candidate.indent < 2):
            break
        parts.append(candidate.text)
        index += 2 if after_blank else 1
    return _join_wrapped(parts), index


def _join_wrapped(parts: list[str]) -> str:
    text = parts[0]
    for part in parts[1:]:
        # A word split at the end of a line ("hastighets-" + "kontroller") is one word again.
        if (
            re.search(r"[a-zåäö]-$", text)
            and part[:1].islower()
            and not re.match(r"(och|eller|samt)\b", part)
        ):
            text = text[:-1] + part
        else:
            text = f"{text} {part}"
    return text


def _paragraph_blocks(
    first: _Line, lines: list[_Line], index: int, blocks: list[_Block], vocabulary: Vocabulary
) -> int:
    group = [first]
    while index < len(lines) and lines[index].kind == "text":
        group.append(lines[index])
        index += 1
    # A line ending in ":" followed by plain lines is a lead-in over an unmarked list: each line an item.
    if not any(line.text.endswith(":") for line in group[:-1]):
        text = _join_wrapped([line.text for line in group])
        kind: BlockKind = "leadin" if ends_open(text, vocabulary) else "paragraph"
        blocks.append(_Block(kind, text, first.number, first.indent))
        return index
    # "Trafik:" + a line of description + a bulleted list: the line describes, the bullets are the list.
    bullets_follow = index < len(lines) and lines[index].kind == "bullet"
    in_list = False
    pending: list[_Line] = []

    def flush() -> None:
        if pending:
            text = _join_wrapped([line.text for line in pending])
            blocks.append(_Block("paragraph", text, pending[0].number, pending[0].indent))
            pending.clear()

    for line in group:
        if line.text.endswith(":"):
            flush()
            blocks.append(_Block("leadin", line.text, line.number, line.indent))
            in_list = True
        elif not in_list or bullets_follow:
            pending.append(line)
        elif line.text[:1].islower() and blocks[-1].kind == "item" and not blocks[-1].text.endswith("."):
            blocks[-1].text += " " + line.text
        else:
            blocks.append(_Block("item", line.text, line.number, line.indent + 1, marker="bullet"))
    flush()
    return index


# ---------------------------------------------------------------------------------------------------
# The walk: focus areas, lead-ins and the parties every item inherits


AreaKind = Literal["untitled", "title", "topic", "label", "colon", "goal"]


@dataclass
class _Context:
    parties: list[str] | None
    line: int | None = None
    per: str | None = None
    # A header that names an organisation ("Räddningstjänsten:") makes "vi" under it that organisation.
    named: bool = False


@dataclass
class _Draft:
    text: str
    line: int
    parties: list[str]
    partners: list[str]
    party_line: int | None
    area: int
    per_hint: str | None = None
    prose: bool = False
    inherited: bool = False


@dataclass
class _Area:
    kind: AreaKind
    title: str
    line: int
    level: int = 0
    guessed: bool = False
    parent: int | None = None
    description: list[str] = field(default_factory=list)
    # Sentences of its paragraphs, with the parties in force there: activities only if the area has no list.
    sentences: list[tuple[str, int, _Context]] = field(default_factory=list)


@dataclass(frozen=True)
class _LeadIn:
    parties: list[str] | None
    topical: bool
    negative: bool
    per: str | None
    goal: str | None


_INFINITIVE_ITEM_RE = re.compile(r"^\s*att\s+([^\W\d_]+)", re.IGNORECASE)
_OWNED_HEADER_RE = re.compile(r"(?P<owner>.+?)s\s+(?P<noun>\w+)", re.IGNORECASE)
_COMMITMENT_RE = re.compile(
    r"(?<!\w)(?:ska|skall|lovar|kommer|åtar|avger|ansvarar|förbinder|genomför|prioriterar|arbetar)(?!\w)",
    re.IGNORECASE,
)
# A line saying that what follows is the means to what came before: "Det ska vi åstadkomma genom följande
# aktiviteter", "Detta uppnås genom dessa insatser".
_MEANS_RE = re.compile(
    r"(?:åstadkomm|uppnå)\w*\s+(?:\w+\s+){0,3}genom(?!\w)|(?<!\w)genom\s+(?:följande|nedanstående|dessa)\s+"
    r"(?:aktiviteter|åtgärder|insatser)",
    re.IGNORECASE,
)
_PROMISING_RE = re.compile(r"(?<!\w)(?:lovar|avger|åtar\s+sig|förbinder\s+sig)(?!\w)", re.IGNORECASE)
# A paragraph saying that what follows are the areas the promise focuses on (the police's page for Vännäs).
_AREAS_FOLLOW_RE = re.compile(
    r"(?<!\w)(?:fokuser|koncentrer|inrikt)\w*\s+(?:sig\s+|arbetet\s+)?på\s+(?:\w+\s+)?(?:fokus|prioriterade\s+)?områden(?!\w)",
    re.IGNORECASE,
)
# A sentence saying that activities will be attached or drawn up ("Till varje område kommer det kopplas
# aktiviteter som …"): it names none.
_ACTIVITIES_LATER_RE = re.compile(
    r"(?<!\w)(?:kopplas|knyts|tas\s+fram|arbetas\s+fram)\s+(?:\w+\s+){0,3}?aktiviteter(?!\w)"
    r"|(?<!\w)aktiviteter(?:na)?\s+(?:\w+\s+){0,2}?(?:kopplas|knyts|tas\s+fram|arbetas\s+fram)(?!\w)",
    re.IGNORECASE,
)
# How the names of housing companies, utilities and agencies end ("Kirunabostäder", "Nyköpingshem", "Tekniska verken").
_ORGANISATION_END_RE = re.compile(r"(?:bostäder|hem|bolaget|verken|verket|tjänsten)$")
# A single noun for something done, in its definite form ("Dialogen ska bidra till lägesbilden", "Kampanjen ska
# nå alla elever"), is what the sentence is about, not who does it.
_DONE_THING_END_RE = re.compile(
    r"(?:dialogen|mötet|mötena|träffen|träffarna|insatsen|insatserna|arbetet|kampanjen|vandringen|vandringarna|"
    r"satsningen|projektet|löftet|utbildningen|kontrollen|kontrollerna|aktiviteten|aktiviteterna|åtgärden|"
    r"åtgärderna)$",
    re.IGNORECASE,
)
_ANAPHORIC_OPENERS = frozenset(
    {"detta", "det", "dessa", "den", "de", "arbetet", "löftet", "medborgarlöftet", "här", "följande"}
)


def split_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ”“\"])", text.strip())
    return [part.strip() for part in parts if part.strip()]


def area_title(text: str) -> str:
    """A heading, colon line or goal sentence as a focus area's title: no numbering, no end punctuation."""
    title = re.sub(r"^\s*(?:\d{1,2}[.)]|[•·▪*–-])\s+", "", text.strip())
    return re.sub(r"\s*[:;.…]+$", "", title).strip() or text.strip()


@dataclass
class _Walk:
    names: _Names
    lines: list[str]
    areas: list[_Area] = field(default_factory=list)
    drafts: list[_Draft] = field(default_factory=list)
    #: Read again because nothing was found: items under a lead-in that says they are not activities ("… har
    #: utsett följande prioriterade områden:") count after all where each says who will do what ("Vi ska …").
    lenient: bool = False

    @property
    def vocabulary(self) -> Vocabulary:
        return self.names.vocabulary

    # --- what a lead-in says ------------------------------------------------------------------------

    def header_parties(self, text: str) -> list[str] | None:
        """Parties of a group header: "Polisens aktiviteter", "Gemensamt:", "Räddningstjänsten:"."""
        key = re.sub(r"\s+", " ", text.strip().rstrip(":;.… ").lower())
        vocabulary = self.vocabulary
        if key in vocabulary.joint_headers or key.startswith("gemensam"):
            return [_MUNICIPALITY, POLICE]
        if key in vocabulary.police_headers:
            return [POLICE]
        if key in vocabulary.municipality_headers:
            return [_MUNICIPALITY]
        words = key.split()
        owned = _OWNED_HEADER_RE.fullmatch(text.strip().rstrip(":;.… "))
        if owned and len(words) <= 6 and owned.group("noun").lower() in vocabulary.header_nouns:
            # "Polisens aktiviteter", "Kirby kommuns medborgarlöften": the owner's list.
            owner = self.names.canonical(owned.group("owner"), allow_unknown=False)
            if owner:
                return [owner]
        if len(words) <= 6:
            chunks = split_list(text.strip().rstrip(":;.… "))
            named = self.names.mentions(text.strip().rstrip(":;.… "), allow_unknown=False, prefixes=False)
            if named and len(named) == len(chunks):
                return named
        return None

    def party_header(self, text: str) -> list[str] | None:
        """A heading or line that only says who does what follows: "Polisen ska:", "Kommunens insatser"."""
        if heading_key(text) in self.vocabulary.label_headings:
            return None
        parties = self.header_parties(text)
        if parties is None and _COMMITMENT_RE.search(text) and not self.content_words(text):
            parties = self.leadin_parties(text)
        if parties is None:
            return None
        # "Skolan" alone may be a problem heading; an organisation heads a group only with a colon or a verb.
        signatories = {_MUNICIPALITY, POLICE, _SIGNATORIES}
        if set(parties) & signatories or text.rstrip().endswith(":") or _COMMITMENT_RE.search(text):
            return parties
        return None

    def content_words(self, text: str) -> list[str]:
        """The words of a lead-in that say what it is about, once parties and generic words are gone."""
        vocabulary = self.vocabulary
        cleaned = mask_non_quantities(text, vocabulary)
        words = re.findall(r"[^\W\d_][\w.-]*", cleaned.lower())
        party_words = {
            word
            for chunk in split_list(re.split(_COMMITMENT_RE, text, maxsplit=1)[0])
            if self.names.canonical(chunk, allow_unknown=False)
            for word in chunk.lower().split()
        }
        return [
            word
            for word in words
            if word not in vocabulary.generic_words
            and word not in party_words
            and not vocabulary.police_re.fullmatch(word)
            and not vocabulary.municipality_re.fullmatch(word)
            and word.rstrip(".") not in vocabulary.generic_words
            and not self.names.canonical(word, allow_unknown=False)
        ]

    def leadin_parties(self, sentence: str) -> list[str] | None:
        if header := self.header_parties(sentence):
            return header
        stripped = sentence.strip().rstrip(":;.… ")
        stripped, _ = _strip_partners(stripped, self.names)
        subject = re.split(_COMMITMENT_RE, stripped, maxsplit=1)[0]
        parties = self.names.mentions(subject, allow_unknown=False) if subject.strip() else []
        if not parties:
            parties = self.names.leading_mentions(subject) or _first_subject(stripped, self.names)
        for verb in _COMMITMENT_RE.finditer(stripped):
            if parties:
                break
            # "Under tiden 1 januari 2023 - 31 december 2024 lovar polisen att:", "För att färre ska skadas lovar
            # kommunen:": after a long adverbial the subject follows the verb (Swedish puts the verb second).
            parties = self.names.leading_mentions(stripped[verb.end() :])
        if not parties and re.search(r"(?<!\w)vi(?!\w)", stripped, re.IGNORECASE):
            return [_SIGNATORIES]
        return parties or self._named_doer(stripped) or None

    def _named_doer(self, sentence: str) -> list[str]:
        """An organisation no list knows, doing what the lead-in's items say: "Tekniska verken kommer även att:",
        "Gällande trafik kommer Tekniska verken att:" (the verb second, the name after it). Only a capitalised
        name that ends like an organisation ("Kirunabostäder", "Tekniska verken") or has two capitalised words
        ("Ekby Energi"), so that a topic ("Trafik kommer att prioriteras:", "Gällande trafiken kommer …") is not
        taken for one."""
        verb = _COMMITMENT_RE.search(sentence)
        if verb is None:
            return []
        after = re.match(
            r"\s*([A-ZÅÄÖ][\w-]*(?:\s+[\w-]+){0,3}?)\s+(?:även|också|att|tillsammans|gemensamt|under|i|på)(?!\w)",
            sentence[verb.end() :],
        )
        for candidate in (after.group(1) if after else "", sentence[: verb.start()].strip()):
            words = candidate.split()
            capitalised = sum(word[:1].isupper() for word in words)
            organisation = candidate[:1].isupper() and (
                capitalised >= 2 or bool(_ORGANISATION_END_RE.search(candidate))
            )
            if organisation and words[0].lower() not in self.vocabulary.not_names:
                found = self.names.mentions(candidate, allow_unknown=True)
                if found and all(self.names.looks_like_a_name(name) for name in found if name[:1].isupper()):
                    return found
        return []

    def classify(self, text: str, previous: str | None = None) -> _LeadIn:
        """A lead-in line (and the paragraph right before it): its parties, whether it names a topic of its
        own (then it may title a focus area), whether its items are not activities, and its period word."""
        vocabulary = self.vocabulary
        sentences = split_sentences(text) or [text]
        lead = sentences[-1]
        earlier = (
            sentences[-2] if len(sentences) > 1 else (split_sentences(previous)[-1] if previous else None)
        )
        if vocabulary.not_activity_re.search(lead) and not _PROMISING_RE.search(lead):
            return _LeadIn(None, False, True, None, None)
        parties = self.leadin_parties(lead)
        topical = bool(self.content_words(lead)) and not self.header_parties(lead)
        per = read_per(lead, vocabulary=vocabulary)
        goal = None
        if topical and parties:
            goal = lead
        elif not topical and earlier and _COMMITMENT_RE.search(earlier) and not self.is_goal(earlier):
            # "Polisen och kommunen lovar att arbeta för X." + "Det ska åstadkommas genom följande aktiviteter:"
            earlier_parties = self.leadin_parties(earlier)
            if (earlier_parties and earlier_parties != [_SIGNATORIES]) or parties is None:
                goal = earlier
                parties = earlier_parties or parties
        return _LeadIn(parties, topical, False, per, goal)

    def is_goal(self, text: str) -> bool:
        low = text.lower().lstrip("-–• ")
        if re.match(r"(?:målet|målen|syftet|visionen|ambitionen)\b", low):
            return True
        verb = self.vocabulary.promise_verb_re.search(text)
        if verb is None:
            return False
        after = text[verb.end() :].strip()
        after = re.sub(r"^(?:att|också|även|därmed|på sikt)\s+", "", after, flags=re.IGNORECASE)
        # Only the clause right before the verb is its subject ("… för att fler ska känna sig trygga").
        subject = re.split(r",|(?<!\w)(?:att|som|när|där|om|eftersom)(?!\w)", text[: verb.start()])[-1]
        return bool(self.vocabulary.goal_verbs_re.match(after)) and not self.names.mentions(
            subject, allow_unknown=False
        )

    # --- the walk -------------------------------------------------------------------------------------

    def open_area(self, kind: AreaKind, block: _Block, parent: int | None = None) -> int:
        # "Fokusområde 1: Trafik" is titled "Trafik"; the document's title keeps its words ("Medborgarlöfte – …").
        title = self.vocabulary.area_label_re.sub("", area_title(block.text))
        self.areas.append(_Area(kind, title, block.line, block.level, block.guessed, parent=parent))
        return len(self.areas) - 1

    def draft(self, text: str, line: int, context: _Context, area: int, *, prose: bool = False) -> _Draft:
        without_partners, partners = _strip_partners(text, self.names)
        tag = trailing_tag(text, self.names)
        # A sentence that follows the first one modifies the activity; it does not name who does it.
        first_sentence = (split_sentences(without_partners) or [without_partners])[0]
        infinitive = _INFINITIVE_ITEM_RE.match(first_sentence)
        if infinitive and not self.names.may_begin_a_name(infinitive.group(1)):
            # "Att genomföra …", "att bjuda in …": the doer is the lead-in's, whatever comes later.
            own = tag or []
        else:
            own = tag or subject_parties(first_sentence, self.names)
        if not own and re.match(r"^\s*vi(?!\w)", without_partners, re.IGNORECASE):
            own = [_SIGNATORIES]
        if own == [_SIGNATORIES] and context.named and context.parties:
            own = list(context.parties)
        inherited = not own and bool(context.parties)
        parties = own or list(context.parties or [])
        partners = [partner for partner in partners if partner not in parties]
        party_line = line if own else (context.line if inherited else None)
        return _Draft(text.strip(), line, parties, partners, party_line, area, context.per, prose, inherited)

    def walk(self, blocks: list[_Block]) -> None:
        vocabulary = self.vocabulary
        self.areas = [_Area("untitled", "", 0)]
        current = 0
        goal_area: int | None = None
        skip_level: int | None = None
        negative = False
        seen_heading = False
        page = _Context(None)
        context = page
        parents: list[tuple[int, str, _Context]] = []
        for position, block in enumerate(blocks):
            following = blocks[position + 1] if position + 1 < len(blocks) else None
            previous = blocks[position - 1] if position > 0 else None
            if (
                previous is not None
                and previous.kind == "item"
                and _MEANS_RE.search((split_sentences(block.text) or [block.text])[0])
            ):
                # "• Minska trafikbrotten." + "Det ska vi åstadkomma genom följande aktiviteter": the items right
                # above say what is to be achieved, the ones below how; only the latter are activities.
                above = set()
                for earlier in reversed(blocks[:position]):
                    if earlier.kind != "item":
                        break
                    above.add(earlier.line)
                self.drafts = [draft for draft in self.drafts if draft.line not in above]
            if block.kind == "heading":
                key = heading_key(block.text)
                if skip_level is not None:
                    if block.level and skip_level and block.level > skip_level:
                        continue
                    skip_level = None
                if _is_skip_heading(key, vocabulary):
                    skip_level = block.level
                    seen_heading = True
                    continue
                header = self.party_header(block.text)
                if header is not None or (ends_open(block.text, vocabulary) and not block.level):
                    block = _Block("leadin", block.text, block.line, block.indent, block.level)
                else:
                    area = self.areas[current]
                    attach = (
                        key in vocabulary.label_headings
                        and area.kind in ("topic", "colon")
                        and not any(d.area == current for d in self.drafts)
                        and not (block.level and area.level and block.level < area.level)
                    )
                    negative, parents, goal_area = False, [], None
                    if attach:
                        continue
                    kind: AreaKind = "title" if not seen_heading else "topic"
                    if seen_heading and key in vocabulary.label_headings:
                        kind = "label"
                    seen_heading = True
                    current = self.open_area(kind, block)
                    context = page
                    continue
            if (
                skip_level is not None
                and block.kind == "leadin"
                and self.ends_skipping(block, blocks[position + 1 :], marked=bool(skip_level))
            ):
                # "Trafik:" after a skipped "Problembild", "Polisen lovar att:" after "Mål": promises again.
                skip_level = None
            if skip_level is not None or block.kind == "quote":
                continue
            if block.kind == "leadin":
                before = previous.text if previous is not None and previous.kind == "paragraph" else None
                info = self.classify(block.text, before)
                parents = []
                if info.negative:
                    negative = True
                    continue
                negative = False
                # Items may come after a line or two describing the topic ("Trafik:" + description + list).
                after = next((later for later in blocks[position + 1 :] if later.kind != "paragraph"), None)
                items_follow = after is not None and after.kind in ("item", "leadin")
                if info.topical and not info.parties and info.goal is None:
                    # "Närvaro och trafiksäkerhet:", "Minska narkotikan genom att:" over a list.
                    # Under a problem heading it is only a lead-in; a second one ends the first.
                    if items_follow and self.areas[current].kind != "topic":
                        current = self.open_area("colon", block)
                        goal_area, context = None, page
                    continue
                if info.parties:
                    named = bool(info.parties) and not set(info.parties) & {
                        _MUNICIPALITY,
                        POLICE,
                        _SIGNATORIES,
                    }
                    context = _Context(info.parties, block.line, info.per or context.per, named)
                elif info.per:
                    context = _Context(context.parties, context.line, info.per, context.named)
                if info.goal and following is not None and following.kind == "item":
                    goal_block = _Block("leadin", info.goal, block.line, block.indent, block.level)
                    goal_area = self.open_area("goal", goal_block, parent=current)
                if self.areas[current].kind in ("untitled", "title", "label") and not self.drafts:
                    page = context
                continue
            if block.kind == "paragraph":
                if self.is_page_date(block.text):
                    continue
                target = goal_area if goal_area is not None else current
                self.areas[target].description.append(block.text)
                for sentence in split_sentences(block.text):
                    self.areas[target].sentences.append((sentence, block.line, context))
                sentences = split_sentences(block.text) or [""]
                last = sentences[-1]
                if (
                    following is not None
                    and following.kind == "item"
                    and any(_AREAS_FOLLOW_RE.search(sentence) for sentence in sentences[-2:])
                    and not _PROMISING_RE.search(last)
                ):
                    # "Polisen och kommunen kommer under 2023–2025 att fokusera på fem områden." over a list:
                    # the items are the areas ("Öka tryggheten på platser som upplevs som otrygga"), not activities.
                    negative = True
                    continue
                if following is not None and following.kind == "item" and _PROMISING_RE.search(last):
                    # "X och Y lovar att …" right above the list speaks for its items.
                    info = self.classify(last)
                    if info.parties:
                        context = _Context(info.parties, block.line, info.per or context.per)
                        if info.goal:
                            goal_block = _Block("leadin", info.goal, block.line)
                            goal_area = self.open_area("goal", goal_block, parent=current)
                continue
            if block.kind == "responsible":
                who = vocabulary.responsible_re.match(block.text)
                if who and self.drafts:
                    self.drafts[-1].parties = self.names.mentions(who.group("who"), allow_unknown=True)
                    self.drafts[-1].party_line = block.line
                    self.drafts[-1].inherited = False
                continue
            if block.kind != "item" or (negative and not (self.lenient and self.says_who_does(block.text))):
                continue
            while parents:
                indent, marker, _ = parents[-1]
                if block.indent > indent or (block.indent == indent and marker == "number" != block.marker):
                    break
                parents.pop()
            inherited = parents[-1][2] if parents else context
            child_follows = (
                following is not None
                and following.kind == "item"
                and (
                    following.indent > block.indent
                    or (following.indent == block.indent and block.marker == "number" != following.marker)
                )
            )
            if ends_open(block.text, vocabulary) and (
                child_follows or block.text.rstrip().endswith((":", ";"))
            ):
                # A parent that introduces sub-items is a lead-in for them, not an activity.
                info = self.classify(block.text)
                if info.negative:
                    parents.append((block.indent, block.marker, _Context(None)))
                    continue
                parties = info.parties or inherited.parties
                frame = _Context(
                    parties, block.line if info.parties else inherited.line, info.per or inherited.per
                )
                if child_follows:
                    parents.append((block.indent, block.marker, frame))
                else:
                    context = frame
                continue
            if self.is_goal(block.text):
                continue
            target = goal_area if goal_area is not None else current
            for text in self.split_by_doer(block.text):
                self.drafts.append(self.draft(text, block.line, inherited, target))

    def split_by_doer(self, text: str) -> list[str]:
        """An item of two sentences whose second names another doer and what it will do is two activities
        ("Polisen ska öka sin närvaro i byarna. Polis och kommun ska arbeta förebyggande …"); a sentence that
        names no doer, or the same one, adds to the activity before it."""
        sentences = split_sentences(text)
        if len(sentences) < 2:
            return [text]
        pieces = [[sentences[0]]]
        doers = subject_parties(sentences[0], self.names)
        for sentence in sentences[1:]:
            own = subject_parties(sentence, self.names) if self.says_who_does(sentence) else []
            if own and doers and own != doers:
                pieces.append([sentence])
                doers = own
            else:
                pieces[-1].append(sentence)
        return [" ".join(piece) for piece in pieces] if len(pieces) > 1 else [text]

    def says_who_does(self, text: str) -> bool:
        """An item with a promise verb and a doer: "Vi ska tillsammans arbeta …", "Kommunen ska …"."""
        first = (split_sentences(text) or [text])[0]
        if not self.vocabulary.promise_verb_re.search(first) or self.is_goal(first):
            return False
        return bool(re.match(r"^\s*vi(?!\w)", first, re.IGNORECASE) or subject_parties(first, self.names))

    def ends_skipping(self, block: _Block, rest: list[_Block], *, marked: bool) -> bool:
        """A line ending in a colon with items under it, naming who promises ("Polisen och kommunen lovar att
        genomföra:") or, in text without marked-up headings, a topic ("Trafik:")."""
        text = block.text.strip()
        after = next((later for later in rest if later.kind != "paragraph"), None)
        if not text.endswith(":") or block.indent or after is None or after.kind not in ("item", "leadin"):
            return False
        info = self.classify(text)
        if info.negative:
            return False
        promising = bool(info.parties and info.parties != [_SIGNATORIES]) and bool(
            _COMMITMENT_RE.search(text)
        )
        return promising or (not marked and info.topical and len(text.split()) <= 8)

    def is_page_date(self, text: str) -> bool:
        """ "Fastställd den 12 december 2023", "Ekholm den 12 mars 2023": about the page, not the problem."""
        return len(text) < 160 and is_signing_line(text, self.vocabulary)

    def is_prose_promise(self, sentence: str) -> bool:
        verb = self.vocabulary.promise_verb_re.search(sentence)
        if verb is None or self.is_goal(sentence) or self.vocabulary.not_activity_re.search(sentence):
            return False
        if (
            _PROMISE_IN_FORCE_RE.search(sentence)
            or _AREAS_FOLLOW_RE.search(sentence)
            or _ACTIVITIES_LATER_RE.search(sentence)
        ):
            return False
        if ends_open(sentence, self.vocabulary) or self.is_page_date(sentence):
            return False
        opener = sentence.split()[0].lower() if sentence.split() else ""
        # "Detta kommer att prioriteras": an anaphoric sentence describes, it does not promise, unless it
        # says what the promise holds ("Löftet innebär bland annat att kommunen ska …").
        holds = re.search(r"(?<!\w)innebär(?:\s+(?:bland annat|bl\.\s?a\.|även|också))?\s+att\s", sentence)
        return opener not in _ANAPHORIC_OPENERS or bool(holds)

    def focus_areas(self, document_title: str) -> list[tuple[_Area, list[_Draft]]]:
        """Areas in the order they were opened, each with its activities; empty areas left out."""
        by_area: dict[int, list[_Draft]] = {}
        for draft in self.drafts:
            by_area.setdefault(draft.area, []).append(draft)
        # Goal sentences title their own areas only when there are two or more under one heading that is not
        # itself a problem heading; a single lead sentence above all the items is not an area.
        for index, area in enumerate(self.areas):
            if area.kind != "goal" or area.parent is None:
                continue
            siblings = [
                other
                for number, other in enumerate(self.areas)
                if other.kind == "goal" and other.parent == area.parent and by_area.get(number)
            ]
            if len(siblings) < 2 or self.areas[area.parent].kind in ("topic",):
                moved = by_area.pop(index, [])
                for draft in moved:
                    draft.area = area.parent
                by_area.setdefault(area.parent, []).extend(moved)
                by_area[area.parent].sort(key=lambda draft: draft.line)
                self.areas[area.parent].description += area.description
        has_items = bool(by_area)
        first_listed = min(by_area, default=len(self.areas))
        for index, area in enumerate(self.areas):
            if index in by_area or area.kind == "goal":
                continue
            # A paragraph saying what a medborgarlöfte is explains promises in general up to that sentence ("Varje
            # år lovar polisen att satsa på något. Det kallas för medborgarlöfte."); what it says after may promise.
            explained = {
                line: position
                for position, (sentence, line, _context) in enumerate(area.sentences)
                if self.vocabulary.explains_promises_re.search(sentence)
            }
            prose = [
                self.draft(sentence, line, context, index, prose=True)
                for position, (sentence, line, context) in enumerate(area.sentences)
                if position > explained.get(line, -1) and self.is_prose_promise(sentence)
            ]
            # Prose above the first heading introduces the promise when the headings below hold the items, and so
            # does prose under headings above the first list ("Vårt löfte" before "Aktiviteter under 2020").
            introduction = index < first_listed
            if prose and not (has_items and introduction):
                by_area[index] = prose
        if len(by_area) > 1:
            for index in [index for index in by_area if self.areas[index].kind in ("untitled", "title")]:
                if all(draft.prose for draft in by_area[index]):
                    del by_area[index]
        result = []
        for index, area in enumerate(self.areas):
            if index not in by_area:
                continue
            if area.kind == "untitled":
                area.title = document_title
            result.append((area, by_area[index]))
        return result


# ---------------------------------------------------------------------------------------------------
# Measurability


def is_measurable(
    text: str, quantity: int | None, quantity_max: int | None, vocabulary: Vocabulary | None = None
) -> bool:
    vocabulary = vocabulary or load_vocabulary()
    return quantity is not None or quantity_max is not None or bool(vocabulary.all_scope_re.search(text))


def check_activity(
    *,
    text: str,
    parties: Sequence[str],
    quantity: int | None,
    quantity_max: int | None,
    per: str | None,
    promise_has_period: bool,
    vocabulary: Vocabulary | None = None,
) -> list[str]:
    """The measurability findings for one activity, as issue codes in a fixed order."""
    vocabulary = vocabulary or load_vocabulary()
    issues: list[str] = []
    if not is_measurable(text, quantity, quantity_max, vocabulary):
        issues.append("no_quantity")
    if not parties:
        issues.append("no_party")
    prompt_without_deadline = vocabulary.prompt_re.search(text) and not vocabulary.deadline_re.search(text)
    if vocabulary.vague_re.search(text) or prompt_without_deadline:
        issues.append("vague")
    has_own_period = per in PERIODS or bool(vocabulary.activity_period_re.search(text))
    if not promise_has_period and not has_own_period:
        issues.append("no_period")
    return issues


def _read_target_group(text: str, vocabulary: Vocabulary) -> str | None:
    # "för elever i årskurs 8", else a group named as the object ("informera elever i årskurs 8 om …").
    match = vocabulary.target_group_re.search(text) or vocabulary.target_group_object_re.search(text)
    if match is None:
        return None
    # A dash between spaces joins a table's columns ("… fastighetsägare – Två gånger per år"): the group ends there.
    # "möta kvinnor och män genom olika former av dialog": "genom" begins the means, not the group.
    stops = (
        r"\s+(?:för\s+att|i\s+syfte|genom|under\s+året|under|vid|på|om|med|till)\s|\s+[–—]\s+"
        r"|\s+som\s+målgrupp(?!\w)"
    )
    group = re.split(stops, match.group(1))[0]
    # So does a verb ("… deras vårdnadshavare genomföra insatser", "där barn och ungdomar vistas"), except in a
    # relative clause that says who ("äldre som bor ensamma").
    if not re.search(r"(?<!\w)som(?!\w)", group):
        group = re.split(rf"\s+(?:{_ITEM_VERBS}|vistas|bor)(?!\w)", group)[0]
    group = _people_listed(group, vocabulary)
    # A list cut short by a stop ends in its conjunction ("… i centralorterna och" before "på landsbygden").
    group = re.sub(r"\s+(?:och|samt|eller)$", "", group.strip(" ,"))
    return group or None


def _people_listed(group: str, vocabulary: Vocabulary) -> str:
    """A target group's list, up to its first item that names no people: in "brott mot äldre, stölder och
    inbrott" the group is "äldre" and the rest are crimes; "medborgare, föreningar och företagare" stays whole.
    A "som" clause says who and is kept as it stands ("ungdomar som riskerar kriminalitet eller missbruk"); a
    number is never an item ("i åldern 13 och 17 år")."""
    head, clause, rest = group.partition(" som ")
    parts = re.split(r"(,\s+|\s+(?:och|samt|eller)\s+)(?=[^\W\d_])", head)
    kept = parts[0]
    for separator, item in zip(parts[1::2], parts[2::2], strict=True):
        if not vocabulary.target_group_item_re.match(item):
            return kept
        kept += separator + item
    return kept + clause + rest


def _read_place(text: str, vocabulary: Vocabulary) -> str | None:
    masked = mask_non_quantities(text, vocabulary)
    if match := vocabulary.place_re.search(masked):
        return match.group(1).strip()
    # A proper name after a preposition ("i Läggesta"), but not the kommun itself ("i Storumans kommun").
    proper = re.search(r"(?<=[a-zåäö,] )(?:på|i|vid)\s+([A-ZÅÄÖ][\w-]+(?:\s+[A-ZÅÄÖ][\w-]+){0,2})", masked)
    if proper is None or re.match(r"\s+(?:kommun|stad)(?!\w)", masked[proper.end() :]):
        return None
    return proper.group(1)


# A sentence about the promise being in force ("… ska 2018 års löften gälla för 2019 också", "Löftet ska gälla i
# två år") says when, not what is done.
_PROMISE_IN_FORCE_RE = re.compile(
    r"(?<!\w)(?:medborgar)?löfte(?:t|n|na)?\s+(?:\w+\s+)?gäll(?:a|er)(?!\w)", re.IGNORECASE
)


def _activity_doubts(
    draft: _Draft, amount: Quantity, numbers: list[Quantity], vocabulary: Vocabulary
) -> list[str]:
    """Why a reading may be wrong, as codes the review page explains; each lowers the confidence."""
    doubts: list[str] = []
    if draft.prose:
        doubts.append("prose")
    if not draft.parties:
        doubts.append("no_party")
    elif draft.inherited:
        doubts.append("inherited_party")
    # An item that is an infinitive is a verb: "genomföra trygghetsvandringar", "Att öka samverkan", "Att
    # samordnat arbeta för …" (the police's pages list their promises so).
    if not vocabulary.promise_verb_re.search(draft.text) and not re.match(
        r"^(?:[Aa]tt\s+(?:[a-zåäö]+t\s+)?)?[a-zåäö]+a\b", draft.text
    ):
        doubts.append("no_verb")
    if len(draft.text) > 280:
        doubts.append("long_text")
    if len(numbers) > 1:
        doubts.append("several_numbers")
    elif numbers and amount.quantity == 1 and re.match(r"(?i)e(?:n|tt)\b", draft.text[amount.position :]):
        doubts.append("article_count")
    return doubts


_DOUBT_WEIGHTS = {
    "prose": 0.3,
    "no_party": 0.2,
    "inherited_party": 0.05,
    "no_verb": 0.1,
    "long_text": 0.15,
    "several_numbers": 0.15,
    "article_count": 0.1,
    "guessed_heading": 0.1,
    "goal_sentence": 0.15,
    "colon_heading": 0.15,
    "label_heading": 0.1,
    "document_title": 0.3,
}


def confidence_from(doubts: Sequence[str]) -> float:
    value = 1.0
    for doubt in doubts:
        value -= _DOUBT_WEIGHTS.get(doubt, 0.1)
    return round(max(value, 0.05), 2)


# An activity is a sentence or two; a longer text is read for its fields no further than this.
_READ_CHARS = 800


def build_activity(draft: _Draft, *, promise_period: Period | None, vocabulary: Vocabulary) -> Activity:
    text = draft.text[:_READ_CHARS]
    candidates = list(_quantity_candidates(text, vocabulary))
    amount = _chosen_quantity(candidates)
    quantity, quantity_max, per = amount.quantity, amount.quantity_max, None
    at_least = amount.at_least
    every = read_every_nth(text, promise_period, vocabulary)
    if quantity is not None or quantity_max is not None:
        # "Vi lovar att under året: • genomföra minst 50 kontroller": the lead-in's period counts.
        per = read_per(text, amount.position, vocabulary)
        if per is None and every is not None and quantity is not None and quantity_max is None:
            # "två möten var tredje månad": two each time, four times a year.
            quantity, per, at_least = quantity * every.quantity, every.per, at_least or every.at_least
        per = per or draft.per_hint or "period"
    elif every is not None:
        quantity, per, at_least = every.quantity, every.per, every.at_least
    elif recurrence := read_recurrence_count(text, vocabulary):
        quantity, per = recurrence
    activity = Activity(
        text=draft.text,
        parties=draft.parties,
        partners=draft.partners,
        quantity=quantity,
        quantity_max=quantity_max,
        at_least=at_least,
        unit=amount.unit,
        per=per,
        target_group=_read_target_group(text, vocabulary),
        place=_read_place(text, vocabulary),
        line=draft.line,
        party_line=draft.party_line,
    )
    activity.measurable = is_measurable(text, quantity, quantity_max, vocabulary)
    activity.issues = check_activity(
        text=text,
        parties=draft.parties,
        quantity=quantity,
        quantity_max=quantity_max,
        per=per or draft.per_hint,
        promise_has_period=promise_period is not None,
        vocabulary=vocabulary,
    )
    activity.doubts = _activity_doubts(draft, amount, [found for _, found in candidates], vocabulary)
    activity.confidence = confidence_from(activity.doubts)
    return activity


def _area_doubts(area: _Area, drafts: Sequence[_Draft]) -> list[str]:
    doubts = {
        "untitled": ["document_title"],
        "goal": ["goal_sentence"],
        "colon": ["colon_heading"],
        "label": ["label_heading"],
    }.get(area.kind, [])
    if area.guessed:
        doubts = [*doubts, "guessed_heading"]
    if drafts and all(draft.prose for draft in drafts):
        doubts = [*doubts, "prose"]
    return doubts


# ---------------------------------------------------------------------------------------------------
# The whole promise


def _is_joint(drafts: Sequence[_Draft], text: str, municipality: str | None) -> bool:
    if any(_MUNICIPALITY in draft.parties for draft in drafts):
        return True
    municipality_words = r"kommun(?:en)?|staden" + (f"|{re.escape(municipality)}" if municipality else "")
    pattern = rf"(?:{municipality_words})\s+(?:och|&)\s+polis(?:en)?|polis(?:en)?\s+(?:och|&)\s+(?:{municipality_words})"
    return bool(re.search(pattern, text, re.IGNORECASE))


def _resolve(parties: Sequence[str], signatories: Sequence[str], municipality_name: str) -> list[str]:
    resolved: list[str] = []
    for party in parties:
        for name in signatories if party == _SIGNATORIES else [party]:
            name = municipality_name if name == _MUNICIPALITY else name
            if name not in resolved:
                resolved.append(name)
    return resolved


#: The longest first line taken for the document's title when it has no heading.
TITLE_CHARACTERS = 120


def _document_title(blocks: Sequence[_Block], lines: Sequence[str]) -> str:
    heading = next((block.text for block in blocks if block.kind == "heading"), None)
    if heading:
        return area_title(heading)
    first = next((line.strip() for line in lines if line.strip()), "")
    # A first line of running prose (a news item, a page without headings) is no title: its opening words cut
    # off would title the focus area ("I medborgarlöftet för 2018 lovade polisen …").
    if not first or len(first) > TITLE_CHARACTERS or len(split_sentences(first)) > 1:
        return "Medborgarlöfte"
    return area_title(first)


def parse_promise_text(text: str, *, vocabulary: Vocabulary | None = None) -> ParsedPromise:
    vocabulary = vocabulary or load_vocabulary()
    text = normalise_text(text)
    lines = text.split("\n")
    municipality, municipality_line = find_municipality_line(text, vocabulary)
    period, period_line = find_period_line(text, vocabulary)
    names = _Names(vocabulary, municipality)
    blocks = _blocks(_raw_lines(text, vocabulary), vocabulary)
    walk = _Walk(names, lines)
    walk.walk(blocks)
    areas = walk.focus_areas(_document_title(blocks, lines))
    if not areas:
        walk = _Walk(names, lines, lenient=True)
        walk.walk(blocks)
        areas = walk.focus_areas(_document_title(blocks, lines))
    all_drafts = [draft for _, drafts in areas for draft in drafts]
    municipality_name = municipality or GENERIC_MUNICIPALITY
    signatories = [_MUNICIPALITY, POLICE] if _is_joint(all_drafts, text, municipality) else [POLICE]
    focus_areas: list[FocusArea] = []
    for area, drafts in areas:
        activities = []
        for draft in drafts:
            draft.parties = _resolve(draft.parties, signatories, municipality_name)
            draft.partners = [
                p for p in _resolve(draft.partners, signatories, municipality_name) if p not in draft.parties
            ]
            activities.append(build_activity(draft, promise_period=period, vocabulary=vocabulary))
        doubts = _area_doubts(area, drafts)
        description = (
            "\n\n".join(area.description)
            if any(not d.prose for d in drafts)
            else " ".join(
                sentence for sentence, _, _ in area.sentences if sentence not in {d.text for d in drafts}
            )
        )
        focus_areas.append(
            FocusArea(
                area.title,
                description,
                activities,
                line=area.line,
                confidence=confidence_from(doubts),
                doubts=doubts,
            )
        )
    return ParsedPromise(
        municipality,
        period,
        focus_areas,
        municipality_line=municipality_line,
        period_line=period_line,
        lines=lines,
    )


# ---------------------------------------------------------------------------------------------------
# Output


def activity_to_json_dict(activity: Activity) -> dict[str, Any]:
    return {
        "text": activity.text,
        "parties": list(activity.parties),
        "partners": list(activity.partners),
        "quantity": activity.quantity,
        "quantity_max": activity.quantity_max,
        "at_least": activity.at_least,
        "unit": activity.unit,
        "per": activity.per,
        "target_group": activity.target_group,
        "place": activity.place,
        "measurable": activity.measurable,
        "issues": list(activity.issues),
    }


def to_json_dict(promise: ParsedPromise) -> dict[str, Any]:
    period = promise.period
    return {
        "municipality": promise.municipality,
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()} if period else None,
        "focus_areas": [
            {
                "title": area.title,
                "description": area.description,
                "activities": [activity_to_json_dict(activity) for activity in area.activities],
            }
            for area in promise.focus_areas
        ],
    }
