"""Read a published medborgarlöfte (plain text) into focus areas and activities, and check each activity.

Pure module: no Django, no I/O beyond reading the bundled vocabulary. The words it knows live in
vocabulary.toml so that a maintainer can teach it a new phrasing without touching the code.
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

VOCABULARY_PATH = Path(__file__).with_name("vocabulary.toml")

ISSUE_CODES = ("no_quantity", "no_party", "vague", "no_period")
PERIODS = ("year", "term", "quarter", "month", "week", "day")
POLICE = "Polisen"
GENERIC_MUNICIPALITY = "Kommunen"

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


@dataclass
class FocusArea:
    title: str | None
    description: str
    activities: list[Activity] = field(default_factory=list)


@dataclass
class ParsedPromise:
    municipality: str | None
    period: Period | None
    focus_areas: list[FocusArea] = field(default_factory=list)

    @property
    def activities(self) -> list[Activity]:
        return [activity for area in self.focus_areas for activity in area.activities]


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


def _words_re(phrases: Iterable[str]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + _alternation(phrases) + r"(?!\w)", re.IGNORECASE)


def _any_re(patterns: Iterable[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{pattern})" for pattern in patterns), re.IGNORECASE)


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
    recurrences: dict[str, re.Pattern[str]]
    activity_period_re: re.Pattern[str]
    police_re: re.Pattern[str]
    municipality_re: re.Pattern[str]
    name_prefixes: frozenset[str]
    not_names: frozenset[str]
    municipal_units: frozenset[str]
    other_parties: dict[str, str]
    signatory_words: frozenset[str]
    joint_headers: frozenset[str]
    police_headers: frozenset[str]
    municipality_headers: frozenset[str]
    partner_re: re.Pattern[str]
    responsible_re: re.Pattern[str]
    promise_verb_re: re.Pattern[str]
    not_passive: frozenset[str]
    agentless_verbs: frozenset[str]
    non_party_openers: frozenset[str]
    goal_verbs_re: re.Pattern[str]
    vague_re: re.Pattern[str]
    prompt_re: re.Pattern[str]
    deadline_re: re.Pattern[str]
    skip_headings: tuple[str, ...]
    label_headings: frozenset[str]
    not_activity_re: re.Pattern[str]
    chrome_re: re.Pattern[str]
    signing_re: re.Pattern[str]
    speech_re: re.Pattern[str]
    place_re: re.Pattern[str]
    target_group_re: re.Pattern[str]
    target_group_object_re: re.Pattern[str]


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
            r"(?<!\w)"
            + _alternation(quantity["all_scope"])
            + r"\s+(?!"
            + _alternation(quantity["not_a_scope"])
            + r"(?!\w))\w+",
            re.IGNORECASE,
        ),
        non_quantity_re=_any_re(quantity["non_quantity"]),
        periods={per: _any_re(patterns) for per, patterns in data["periods"].items()},
        recurrences={per: _any_re(patterns) for per, patterns in data["recurrence_without_number"].items()},
        activity_period_re=_any_re(data["activity_period"]["regex"]),
        police_re=re.compile(parties["police"], re.IGNORECASE),
        municipality_re=re.compile(parties["municipality"], re.IGNORECASE),
        name_prefixes=frozenset(prefix.lower() for prefix in parties["name_prefixes"]),
        not_names=frozenset(word.lower() for word in parties["not_names"]),
        municipal_units=frozenset(unit.lower() for unit in parties["municipal_units"]),
        other_parties={name.lower(): name for name in parties["others"]},
        signatory_words=frozenset(parties["signatories"]),
        joint_headers=frozenset(parties["joint_headers"]),
        police_headers=frozenset(parties["police_headers"]),
        municipality_headers=frozenset(parties["municipality_headers"]),
        partner_re=_words_re(parties["partner_markers"]),
        responsible_re=re.compile(
            r"^" + _alternation(parties["responsible_labels"]) + r"\s*:\s*(?P<who>.+)$", re.IGNORECASE
        ),
        promise_verb_re=_words_re(sentences["promise_verbs"]),
        not_passive=frozenset(sentences["not_passive"]),
        agentless_verbs=frozenset(sentences["agentless_verbs"]),
        non_party_openers=frozenset(sentences["non_party_openers"]),
        goal_verbs_re=re.compile(r"^" + _alternation(sentences["goal_verbs"]) + r"(?!\w)", re.IGNORECASE),
        vague_re=_words_re(data["vague"]["phrases"]),
        prompt_re=_words_re(data["vague"]["prompt_words"]),
        deadline_re=re.compile(data["vague"]["deadline"], re.IGNORECASE),
        skip_headings=tuple(sections["skip_headings"]),
        label_headings=frozenset(sections["label_headings"]),
        not_activity_re=_words_re(sections["not_activity_leadins"]),
        chrome_re=_any_re(sections["chrome_lines"]),
        signing_re=_words_re(sections["signing_markers"]),
        speech_re=re.compile(
            r"[,–-]\s*" + _alternation(sections["speech_verbs"]) + r"\s+[A-ZÅÄÖ]", re.IGNORECASE
        ),
        place_re=re.compile(
            r"(?<!\w)(?:på|i|vid|inom|runt|utanför|kring)\s+((?:[\w-]+\s+){0,3}?[\w-]*"
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
        return int(word)
    return vocabulary.numbers.get(word.lower())


def mask_non_quantities(text: str, vocabulary: Vocabulary) -> str:
    # Quoted titles ("En kommun fri från våld") name things; their numbers and articles count nothing.
    text = re.sub(r"[”“\"«»][^”“\"«»]{0,200}[”“\"«»]", lambda match: " " * len(match.group()), text)
    return vocabulary.non_quantity_re.sub(lambda match: " " * len(match.group()), text)


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
    words = re.findall(r"[^\W\d_]+", rest[:60].lower())[:2]
    return any(vocabulary.countable_re.fullmatch(word) for word in words)


def read_quantity(text: str, vocabulary: Vocabulary | None = None) -> Quantity:
    vocabulary = vocabulary or load_vocabulary()
    masked = mask_non_quantities(text, vocabulary)
    for match in vocabulary.number_re.finditer(masked):
        value = number_value(match.group(), vocabulary)
        if value is None:
            continue
        before, rest = masked[: match.start()], masked[match.end() :]
        at_least = bool(vocabulary.at_least_re.search(before))
        if vocabulary.upper_bound_re.search(before):
            return Quantity(None, value, False, _unit_after(rest, vocabulary), match.start())
        joined = vocabulary.range_joiner_re.match(rest)
        upper = vocabulary.number_re.match(rest, joined.end()) if joined else None
        if upper is not None:
            upper_value = number_value(upper.group(), vocabulary)
            if upper_value is not None and upper_value > value:
                unit = _unit_after(rest[upper.end() :], vocabulary)
                return Quantity(value, upper_value, at_least, unit, match.start())
        # "en"/"ett" is usually an article; it promises one only before something countable.
        if match.group().lower() in {"en", "ett"} and not at_least and not _is_countable(rest, vocabulary):
            continue
        return Quantity(value, None, at_least, _unit_after(rest, vocabulary), match.start())
    return Quantity()


def read_per(text: str, position: int = -1, vocabulary: Vocabulary | None = None) -> str | None:
    vocabulary = vocabulary or load_vocabulary()
    found: list[tuple[int, str]] = []
    for per, pattern in vocabulary.periods.items():
        for match in pattern.finditer(text):
            # The period word after the number usually belongs to it ("3 gånger per vecka under året").
            distance = (
                match.start() - position if match.start() >= position else 1000 + position - match.start()
            )
            found.append((distance if position >= 0 else match.start(), per))
    return min(found)[1] if found else None


def read_recurrence(text: str, vocabulary: Vocabulary | None = None) -> str | None:
    vocabulary = vocabulary or load_vocabulary()
    found = [
        (match.start(), per)
        for per, pattern in vocabulary.recurrences.items()
        if (match := pattern.search(text)) is not None
    ]
    return min(found)[1] if found else None


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
    r"(?:medborgarlöfte[tn]?|löfte[tn]?|år|gäller|period(?:en)?|giltig\w*)\s+(?:för\s+)?(?:år\s+)?"
    r"((?:19|20)\d{2})(?![\d-])",
    re.IGNORECASE,
)
_DURING_YEAR_RE = re.compile(r"\bunder\s+((?:19|20)\d{2})(?![\d-])", re.IGNORECASE)


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


def find_period(text: str, vocabulary: Vocabulary | None = None) -> Period | None:
    vocabulary = vocabulary or load_vocabulary()
    # Signing and "uppdaterad" dates say when the text was made, not when the promise holds.
    lines = [line for line in text.splitlines() if line.strip() and not vocabulary.signing_re.search(line)]
    for reader in (_explicit_period, _year_range):
        for line in lines:
            if period := reader(line):
                return period
    for line in lines:
        if match := _PROMISE_YEAR_RE.search(line):
            return _whole_year(int(match.group(1)))
        # "Medborgarlöfte Havsö kommun 2025": a title that names the promise and one year.
        named_years = set(re.findall(r"(?<![\d-])((?:19|20)\d{2})(?![\d-])", line))
        if len(named_years) == 1 and re.search(r"löfte", line, re.IGNORECASE) and len(line) < 120:
            return _whole_year(int(named_years.pop()))
    years = Counter(int(match.group(1)) for line in lines for match in _DURING_YEAR_RE.finditer(line))
    return _whole_year(years.most_common(1)[0][0]) if years else None


_MUNICIPALITY_NAME_RE = re.compile(
    r"(?:(?P<before>[A-ZÅÄÖ][a-zåäöé]+)\s+)?(?<![\w-])(?P<name>[A-ZÅÄÖ][a-zåäöé]+(?:-[A-ZÅÄÖ][a-zåäöé]+)?)"
    r"\s+(?P<kind>kommun|stad|Stad)(?:s)?(?!\w)"
    r"|(?<!\w)Region\s+(?P<region>[A-ZÅÄÖ][a-zåäöé]+)(?!\w)"
)


def find_municipality(text: str, vocabulary: Vocabulary | None = None) -> str | None:
    vocabulary = vocabulary or load_vocabulary()
    names: Counter[str] = Counter()
    for match in _MUNICIPALITY_NAME_RE.finditer(text):
        if match.group("region"):
            names[f"Region {match.group('region')}"] += 1
            continue
        name = match.group("name")
        if name.split("-")[0].lower() in vocabulary.not_names:
            continue
        # Two-word names start with a known word ("Upplands Väsby"); "Medborgarlöfte Ekdala" does not.
        before = match.group("before")
        if before and before.lower() in vocabulary.name_prefixes:
            name = f"{before} {name}"
        names[f"{name} {match.group('kind')}"] += 1
    # Counter keeps first-seen order, so a tie goes to the name the text mentions first.
    return names.most_common(1)[0][0] if names else None


# ---------------------------------------------------------------------------------------------------
# Parties


@dataclass(frozen=True)
class _Names:
    vocabulary: Vocabulary
    municipality: str | None

    def canonical(self, chunk: str, *, allow_unknown: bool) -> str | None:
        chunk = re.sub(
            r"^(?:både|även|också|sedan|så\s+väl|tillsammans)\s+", "", chunk.strip(" \t.,;:()!?”“\"'")
        )
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
        if allow_unknown and self._looks_like_a_name(chunk):
            return chunk
        return None

    def _municipality(self, chunk: str, low: str) -> str | None:
        if self.vocabulary.municipality_re.fullmatch(chunk) or low in self.vocabulary.municipal_units:
            return _MUNICIPALITY
        # "kommunens fältgrupp", "stadens trygghetsvärdar": a unit of the municipality acts for it.
        if re.match(r"(?:kommunens|stadens|kommunernas)\s+\w", low):
            return _MUNICIPALITY
        named = re.fullmatch(
            r"(?P<name>[A-ZÅÄÖ][\w-]*(?:\s+[A-ZÅÄÖ][\w-]*)*)\s+(?P<kind>kommun|stad)(?P<genitive>s?)(?P<rest>\s+.+)?",
            chunk,
            re.IGNORECASE,
        )
        if named and named.group("name").split()[0].lower() not in self.vocabulary.not_names:
            if named.group("rest") and not named.group("genitive"):
                return None
            full_name = f"{named.group('name')} {named.group('kind')}"
            if self.municipality and full_name.lower() == self.municipality.lower():
                return _MUNICIPALITY
            return full_name
        region = re.fullmatch(r"region\s+\w+", low)
        if region and self.municipality and low == self.municipality.lower():
            return _MUNICIPALITY
        return chunk if region else None

    def _looks_like_a_name(self, chunk: str) -> bool:
        words = chunk.split()
        return (
            chunk[0].isupper()
            and len(words) <= 5
            and words[0].lower() not in self.vocabulary.non_party_openers
            and words[0].lower() not in self.vocabulary.numbers
            and not re.search(r"\d", chunk)
            # A single plural noun ("Trafikkontroller ska ske") is the thing done, not who does it.
            and not (len(words) == 1 and re.search(r"(?:er|ar|or)$", chunk))
        )

    def mentions(self, fragment: str, *, allow_unknown: bool) -> list[str]:
        parties: list[str] = []
        for chunk in split_list(fragment):
            party = self.canonical(chunk, allow_unknown=allow_unknown)
            if party and party not in parties:
                parties.append(party)
        return parties

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
        if low.endswith(("as", "ås", "es")) and len(low) > 3:
            return True
        if low.endswith(("a", "å")):
            return False
    return False


def split_list(text: str, maxsplit: int = 0) -> list[str]:
    """ "Ljungby kommun, Polisen och Räddningstjänsten" → its three names."""
    return re.split(r"\s*,\s*|\s+(?:och|samt|&|eller)\s+", text.strip(), maxsplit=maxsplit)


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


def _strip_partners(text: str, names: _Names) -> tuple[str, list[str]]:
    partners: list[str] = []
    vocabulary = names.vocabulary
    for match in vocabulary.partner_re.finditer(text):
        tail = text[match.end() :]
        stop = re.search(
            r"[.,;:()]|\s(?:och\s+)?(?:ska|skall|lovar|kommer|genomföra|genomför|initiera|arbeta|bjuder"
            r"|för\s+att|i\s+syfte|under|vid|på|genom|om|att|med\s+fokus)(?!\w)",
            tail,
        )
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


def subject_parties(text: str, names: _Names) -> list[str]:
    vocabulary = names.vocabulary
    verb = vocabulary.promise_verb_re.search(text)
    if verb is None:
        # "Polisen att genomföra …" under a lead-in that carries the verb.
        bare = re.match(r"^(.{1,80}?)\s+att\s+\w", text)
        return names.mentions(bare.group(1), allow_unknown=False) if bare else []
    before, after = text[: verb.start()], text[verb.end() :]
    if _is_passive(verb.group(), after, vocabulary):
        agent = re.search(r"(?<!\w)av\s+([^.;:]{1,80})", after)
        return names.leading_mentions(agent.group(1)) if agent else []
    # The subject is in the clause right before the verb ("Narkotika, innebär att polisen … ska").
    clause = re.split(r"(?<!\w)(?:att|som|när|där|eftersom|innebär)(?!\w)", before)[-1]
    parties = names.mentions(clause, allow_unknown=True) if clause.strip() else []
    return parties or names.leading_mentions(clause) or names.leading_mentions(after)


def trailing_tag(text: str, names: _Names) -> list[str] | None:
    """Parties named after the activity: "(kommun och polis)", "… tillfällen. Polis"."""
    bracket = re.search(r"\(([^()]{2,80})\)\s*[.!]?\s*$", text)
    if bracket:
        parties = names.mentions(bracket.group(1), allow_unknown=True)
        known = [party for party in parties if party in (POLICE, _MUNICIPALITY, _SIGNATORIES)]
        if known and len(parties) == len(split_list(bracket.group(1).strip())):
            return parties
    sentences = split_sentences(text)
    if len(sentences) >= 2:
        last = sentences[-1].rstrip(".! ")
        if (
            len(last.split()) <= 6
            and not names.vocabulary.promise_verb_re.search(last)
            and not re.search(r"\d", last)
        ):
            chunks = split_list(last.strip())
            known = names.mentions(last, allow_unknown=False)
            # An unknown name counts only when every word is capitalised ("Poseidon", "Holmö Turism AB").
            capitalised = all(word[:1].isupper() for word in last.split())
            parties = known if len(known) == len(chunks) else names.mentions(last, allow_unknown=capitalised)
            if parties and len(parties) == len(chunks):
                return parties
    return None


# ---------------------------------------------------------------------------------------------------
# Lines and blocks


BlockKind = Literal["heading", "paragraph", "item", "leadin", "quote", "responsible"]


@dataclass
class _Block:
    kind: BlockKind
    text: str
    indent: int = 0
    level: int = 0


_BULLET_RE = re.compile(
    r"^(?P<marker>[•·▪◦‣●○■□►➢✓*]|[-–—−](?=\s)|\d{1,2}[.)](?=\s)|[a-zA-Z][)](?=\s))\s*(?P<text>.*)$"
)
_MARKDOWN_HEADING_RE = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.+?)\s*#*$")
_QUOTE_OPENERS = ("”", "“", '"', "«", "„")


def normalise_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u2212", "–").replace("\t", "    ")
    text = re.sub(r"[\u200b\u200c\u200d\ufeff]", "", text)
    # Markdown emphasis and links say nothing about the promise.
    text = re.sub(r"\*\*(.+?)\*\*|__(.+?)__", lambda match: match.group(1) or match.group(2), text)
    return re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)


def _is_quote_line(stripped: str, vocabulary: Vocabulary) -> bool:
    if stripped.startswith(_QUOTE_OPENERS):
        return True
    # "-Medborgarlöftet bygger på …": a dash glued to the text opens a quote in Swedish news style.
    return bool(re.match(r"^[-–—]\S", stripped)) or bool(
        re.match(r"^[-–—]\s", stripped) and vocabulary.speech_re.search(stripped)
    )


def _ends_a_leadin(text: str) -> bool:
    stripped = text.rstrip()
    if stripped.endswith((":", ";", "..", "…")):
        return True
    last_word = stripped.split()[-1].lower() if stripped.split() else ""
    return last_word in {"att", "genom", "följande"}


def _party_header(text: str, names: _Names) -> bool:
    """ "Polisen ska", "Kommunen lovar att", "Polismyndigheten": a group header without a colon."""
    stripped = text.strip().rstrip(":;.").strip()
    if not stripped:
        return False
    head = re.fullmatch(
        r"(?P<who>.+?)(?:\s+(?:ska|skall|lovar(?:\s+att)?|kommer\s+att|kommer|åtar\s+sig\s+att)(?:\s+tillsammans)?(?:\s*:)?)?",
        stripped,
        re.IGNORECASE,
    )
    if head is None:
        return False
    who = head.group("who")
    chunks = split_list(who)
    parties = names.mentions(who, allow_unknown=False)
    return bool(parties) and len(parties) == len(chunks) and len(stripped.split()) <= 8


def _is_group_header(text: str, names: _Names) -> bool:
    vocabulary = names.vocabulary
    key = re.sub(r"\s+", " ", text.strip().rstrip(":;.… ").lower())
    headers = vocabulary.joint_headers | vocabulary.police_headers | vocabulary.municipality_headers
    return key in headers or key.startswith("gemensam") or _party_header(text, names)


def _looks_like_heading(stripped: str, names: _Names) -> bool:
    words = stripped.split()
    return (
        0 < len(words) <= 12
        and len(stripped) <= 90
        and not stripped.endswith((".", ":", ";", ",", "!"))
        and (stripped[0].isupper() or stripped[0].isdigit())
        and not names.vocabulary.promise_verb_re.search(stripped)
    )


@dataclass
class _RawLine:
    text: str
    indent: int
    kind: str  # blank, heading, bullet, quote, responsible, text
    level: int = 0
    numbered: bool = False


def _raw_lines(text: str, names: _Names) -> list[_RawLine]:
    vocabulary = names.vocabulary
    lines: list[_RawLine] = []
    for raw in normalise_text(text).split("\n"):
        stripped = raw.strip()
        indent = len(raw) - len(raw.lstrip())
        if not stripped or vocabulary.chrome_re.fullmatch(stripped):
            lines.append(_RawLine("", 0, "blank"))
        elif heading := _MARKDOWN_HEADING_RE.match(stripped):
            lines.append(_RawLine(heading.group("text"), indent, "heading", len(heading.group("hashes"))))
        elif vocabulary.responsible_re.match(stripped):
            lines.append(_RawLine(stripped, indent, "responsible"))
        elif _is_quote_line(stripped, vocabulary):
            lines.append(_RawLine(stripped, indent, "quote"))
        elif bullet := _BULLET_RE.match(stripped):
            numbered = bullet.group("marker")[0].isdigit()
            lines.append(_RawLine(bullet.group("text").strip(), indent, "bullet", numbered=numbered))
        else:
            lines.append(_RawLine(stripped, indent, "text"))
    _numbered_headings(lines, names)
    # Marked-up text (Markdown, or what the readers made of HTML and Word) says where its headings are.
    if not any(line.level for line in lines):
        _guess_headings(lines, names)
    return lines


def _numbered_headings(lines: list[_RawLine], names: _Names) -> None:
    # "1. Trafik" followed by a paragraph numbers a focus area; it is not an activity.
    for index, line in enumerate(lines):
        if not line.numbered or len(line.text.split()) > 6 or not _looks_like_heading(line.text, names):
            continue
        following = next((later for later in lines[index + 1 :] if later.kind != "blank"), None)
        blank_after = index + 1 < len(lines) and lines[index + 1].kind == "blank"
        if blank_after and following is not None and following.kind == "text":
            line.kind = "heading"


def _guess_headings(lines: list[_RawLine], names: _Names) -> None:
    # Plain text has no markup: a short line without end punctuation that neither continues the line
    # before it nor runs on into the next one is a heading. Text taken from PDFs often lacks blank lines.
    for index, line in enumerate(lines):
        if (
            line.kind != "text"
            or not _looks_like_heading(line.text, names)
            or _party_header(line.text, names)
        ):
            continue
        previous = lines[index - 1] if index > 0 else None
        following = lines[index + 1] if index + 1 < len(lines) else None
        continues_previous = (
            previous is not None and previous.kind == "text" and not previous.text.endswith((".", "!", "?"))
        )
        runs_on = following is not None and following.kind == "text" and following.text[:1].islower()
        if not continues_previous and not runs_on:
            line.kind = "heading"


def _blocks(text: str, names: _Names) -> list[_Block]:
    lines = _raw_lines(text, names)
    blocks: list[_Block] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.kind == "blank":
            continue
        if line.kind == "heading":
            kind: BlockKind = "leadin" if _is_group_header(line.text, names) else "heading"
            blocks.append(_Block(kind, line.text, line.indent, line.level))
        elif line.kind in {"quote", "responsible"}:
            blocks.append(_Block("quote" if line.kind == "quote" else "responsible", line.text, line.indent))
        elif line.kind == "bullet":
            text, index = _continue_item(line, lines, index)
            blocks.append(_Block("item", text, line.indent))
        else:
            index = _paragraph_blocks(line, lines, index, blocks, names)
    return blocks


def _continue_item(item: _RawLine, lines: list[_RawLine], index: int) -> tuple[str, int]:
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
    return " ".join(parts), index


def _paragraph_blocks(
    first: _RawLine, lines: list[_RawLine], index: int, blocks: list[_Block], names: _Names
) -> int:
    group = [first]
    while index < len(lines) and lines[index].kind == "text":
        group.append(lines[index])
        index += 1
    # A line ending in ":" followed by plain lines is a lead-in over an unmarked list.
    leadin_at = next((position for position, line in enumerate(group[:-1]) if line.text.endswith(":")), None)
    if leadin_at is None:
        text = " ".join(line.text for line in group)
        is_leadin = _ends_a_leadin(text) or _party_header(text, names)
        blocks.append(_Block("leadin" if is_leadin else "paragraph", text, first.indent))
        return index
    if leadin_at > 0:
        blocks.append(_Block("paragraph", " ".join(line.text for line in group[:leadin_at]), first.indent))
    blocks.append(_Block("leadin", group[leadin_at].text, group[leadin_at].indent))
    for line in group[leadin_at + 1 :]:
        if line.text[:1].islower() and blocks[-1].kind == "item":
            blocks[-1].text += " " + line.text
        else:
            blocks.append(_Block("item", line.text, line.indent + 1))
    return index


# ---------------------------------------------------------------------------------------------------
# Sections


@dataclass
class _Section:
    title: str | None
    index: int = 0
    level: int = 0
    skip: bool = False
    blocks: list[_Block] = field(default_factory=list)


def _heading_key(title: str) -> str:
    key = re.sub(r"\b(?:19|20)\d{2}\b|[–—-]\s*$|[:.!?]+$", "", title.lower())
    key = re.sub(r"\s*[-–—]\s*(?:\d{2,4})?\s*$", "", key.strip())
    return re.sub(r"^\d+[.)]\s*", "", key).strip()


def _sections(blocks: list[_Block], vocabulary: Vocabulary) -> list[_Section]:
    sections = [_Section(None)]
    for block in blocks:
        if block.kind != "heading":
            sections[-1].blocks.append(block)
            continue
        key = _heading_key(block.text)
        current = sections[-1]
        # A label ("Medborgarlöfte", "Aktiviteter") introduces the list of the area above it.
        area_still_open = not current.skip and not any(b.kind == "item" for b in current.blocks)
        if key in vocabulary.label_headings and area_still_open:
            current.blocks.append(_Block("leadin", block.text))
            continue
        skip = any(key == word or key.startswith(word + " ") for word in vocabulary.skip_headings)
        sections.append(_Section(block.text.strip(), index=len(sections), level=block.level, skip=skip))
    return sections


# ---------------------------------------------------------------------------------------------------
# Activities


@dataclass
class _Draft:
    text: str
    parties: list[str]
    partners: list[str]


@dataclass
class _Reader:
    names: _Names
    promise_period: Period | None
    document_parties: list[str] | None = None

    @property
    def vocabulary(self) -> Vocabulary:
        return self.names.vocabulary

    def leadin_parties(self, text: str) -> list[str] | None:
        key = re.sub(r"\s+", " ", text.strip().rstrip(":;.… ").lower())
        vocabulary = self.vocabulary
        if key in vocabulary.joint_headers or key.startswith("gemensam"):
            return [_MUNICIPALITY, POLICE]
        if key in vocabulary.police_headers:
            return [POLICE]
        if key in vocabulary.municipality_headers:
            return [_MUNICIPALITY]
        stripped = text.strip().rstrip(":;.… ")
        stripped, _ = _strip_partners(stripped, self.names)
        if _party_header(stripped, self.names):
            return self.names.mentions(
                re.split(
                    r"\s+(?:ska|skall|lovar|kommer|åtar)(?!\w)", stripped, maxsplit=1, flags=re.IGNORECASE
                )[0],
                allow_unknown=False,
            )
        parties = subject_parties(stripped, self.names)
        if not parties and re.search(r"(?<!\w)vi(?!\w)", stripped, re.IGNORECASE):
            return [_SIGNATORIES]
        return parties or None

    def draft(self, text: str, inherited: list[str] | None, tag: list[str] | None = None) -> _Draft:
        without_partners, partners = _strip_partners(text, self.names)
        parties = tag or trailing_tag(text, self.names) or subject_parties(without_partners, self.names)
        if not parties and re.match(r"^\s*vi(?!\w)", without_partners, re.IGNORECASE):
            parties = [_SIGNATORIES]
        if not parties and inherited:
            parties = list(inherited)
        partners = [partner for partner in partners if partner not in parties]
        return _Draft(text.strip(), parties, partners)

    def is_page_date(self, text: str) -> bool:
        """ "Fastställd den 12 december 2023", "Sidan uppdaterad 2024-02-12": about the page, not the problem."""
        return bool(self.vocabulary.signing_re.search(text) and re.search(r"\b(?:19|20)\d{2}\b", text))

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

    def section_drafts(self, section: _Section) -> tuple[list[_Draft], str]:
        if any(block.kind == "item" for block in section.blocks):
            return self._list_drafts(section)
        return self._prose_drafts(section)

    def _list_drafts(self, section: _Section) -> tuple[list[_Draft], str]:
        drafts: list[_Draft] = []
        description: list[str] = []
        context = self.document_parties
        ignoring = False
        parents: list[tuple[int, list[str] | None]] = []
        blocks = section.blocks
        for position, block in enumerate(blocks):
            if block.kind == "paragraph":
                if not self.is_page_date(block.text):
                    description.append(block.text)
            elif block.kind == "leadin":
                ignoring = bool(self.vocabulary.not_activity_re.search(block.text))
                if not ignoring:
                    context = self.leadin_parties(block.text) or context
                parents = []
            elif block.kind == "responsible" and drafts:
                who = self.vocabulary.responsible_re.match(block.text)
                if who:
                    drafts[-1].parties = self.names.mentions(who.group("who"), allow_unknown=True)
            elif block.kind == "item" and not ignoring:
                while parents and parents[-1][0] >= block.indent:
                    parents.pop()
                inherited = parents[-1][1] if parents else context
                following = blocks[position + 1] if position + 1 < len(blocks) else None
                if block.text.rstrip().endswith((":", ";")):
                    # A parent that introduces sub-bullets is a lead-in for them, not an activity.
                    parties = self.leadin_parties(block.text) or inherited
                    if following is not None and following.kind == "item" and following.indent > block.indent:
                        parents.append((block.indent, parties))
                    else:
                        context = parties
                    continue
                if not self.is_goal(block.text):
                    drafts.append(self.draft(block.text, inherited))
        return drafts, "\n\n".join(description)

    def _prose_drafts(self, section: _Section) -> tuple[list[_Draft], str]:
        drafts: list[_Draft] = []
        description: list[str] = []
        context = self.document_parties
        for block in section.blocks:
            if block.kind == "leadin":
                context = self.leadin_parties(block.text) or context
            elif block.kind == "responsible" and drafts:
                who = self.vocabulary.responsible_re.match(block.text)
                if who:
                    drafts[-1].parties = self.names.mentions(who.group("who"), allow_unknown=True)
            elif block.kind == "paragraph":
                for sentence in split_sentences(block.text):
                    if self.is_page_date(sentence):
                        continue
                    if self._is_prose_promise(sentence):
                        drafts.append(self.draft(sentence, context))
                    else:
                        description.append(sentence)
        return drafts, " ".join(description)

    def _is_prose_promise(self, sentence: str) -> bool:
        verb = self.vocabulary.promise_verb_re.search(sentence)
        if verb is None or self.is_goal(sentence) or self.vocabulary.not_activity_re.search(sentence):
            return False
        opener = sentence.split()[0].lower() if sentence.split() else ""
        # "Detta kommer att prioriteras": an anaphoric sentence describes, it does not promise.
        return opener not in {"detta", "det", "dessa", "den", "de", "arbetet", "löftet", "medborgarlöftet"}


def split_sentences(text: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ”“\"])", text.strip())
    return [part.strip() for part in parts if part.strip()]


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
    stops = r"\s+(?:för\s+att|i\s+syfte|genom\s+att|under\s+året|under|vid|på|om|med|till)\s"
    group = re.split(stops, match.group(1))[0]
    return group.strip(" ,") or None


def _read_place(text: str, vocabulary: Vocabulary) -> str | None:
    masked = mask_non_quantities(text, vocabulary)
    if match := vocabulary.place_re.search(masked):
        return match.group(1).strip()
    proper = re.search(r"(?<=[a-zåäö,] )(?:på|i|vid)\s+([A-ZÅÄÖ][\w-]+(?:\s+[A-ZÅÄÖ][\w-]+){0,2})", masked)
    if proper and not re.match(r"[A-ZÅÄÖ][\w-]*\s+(?:kommun|stad)", proper.group(1)):
        return proper.group(1)
    return None


def build_activity(draft: _Draft, *, promise_period: Period | None, vocabulary: Vocabulary) -> Activity:
    amount = read_quantity(draft.text, vocabulary)
    quantity, quantity_max, per = amount.quantity, amount.quantity_max, None
    if quantity is not None or quantity_max is not None:
        per = read_per(draft.text, amount.position, vocabulary) or "period"
    elif recurrence := read_recurrence(draft.text, vocabulary):
        quantity, per = 1, recurrence
    activity = Activity(
        text=draft.text,
        parties=draft.parties,
        partners=draft.partners,
        quantity=quantity,
        quantity_max=quantity_max,
        at_least=amount.at_least,
        unit=amount.unit,
        per=per,
        target_group=_read_target_group(draft.text, vocabulary),
        place=_read_place(draft.text, vocabulary),
    )
    activity.measurable = is_measurable(draft.text, quantity, quantity_max, vocabulary)
    activity.issues = check_activity(
        text=draft.text,
        parties=draft.parties,
        quantity=quantity,
        quantity_max=quantity_max,
        per=per,
        promise_has_period=promise_period is not None,
        vocabulary=vocabulary,
    )
    return activity


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


def parse_promise_text(text: str, *, vocabulary: Vocabulary | None = None) -> ParsedPromise:
    vocabulary = vocabulary or load_vocabulary()
    text = normalise_text(text)
    municipality = find_municipality(text, vocabulary)
    period = find_period(text, vocabulary)
    names = _Names(vocabulary, municipality)
    reader = _Reader(names, period)
    areas: list[tuple[_Section, list[_Draft], str]] = []
    for section in _sections(_blocks(text, names), vocabulary):
        if section.skip:
            continue
        drafts, description = reader.section_drafts(section)
        if drafts:
            areas.append((section, drafts, description))
        elif section_context := _trailing_leadin(section, reader):
            # A lead-in with nothing under it in its own section carries over ("… lovar att:" then headings).
            reader.document_parties = section_context
    areas = _without_introduction(areas)
    all_drafts = [draft for _, drafts, _ in areas for draft in drafts]
    municipality_name = municipality or GENERIC_MUNICIPALITY
    signatories = [_MUNICIPALITY, POLICE] if _is_joint(all_drafts, text, municipality) else [POLICE]
    focus_areas: list[FocusArea] = []
    for section, drafts, description in areas:
        activities = []
        for draft in drafts:
            draft.parties = _resolve(draft.parties, signatories, municipality_name)
            draft.partners = [
                p for p in _resolve(draft.partners, signatories, municipality_name) if p not in draft.parties
            ]
            activities.append(build_activity(draft, promise_period=period, vocabulary=vocabulary))
        focus_areas.append(FocusArea(section.title, description, activities))
    return ParsedPromise(municipality, period, focus_areas)


def _without_introduction(
    areas: list[tuple[_Section, list[_Draft], str]],
) -> list[tuple[_Section, list[_Draft], str]]:
    # Prose before the first focus area introduces the promise ("X och Y lovar att arbeta för …");
    # when later sections hold the activities, its sentences are not activities themselves.
    if len(areas) < 2:
        return areas
    first = areas[0][0]
    is_title = first.index == 1 and (first.level == 1 or "löfte" in (first.title or "").lower())
    if (first.index == 0 or is_title) and not any(block.kind == "item" for block in first.blocks):
        return areas[1:]
    return areas


def _trailing_leadin(section: _Section, reader: _Reader) -> list[str] | None:
    leadins = [block for block in section.blocks if block.kind == "leadin"]
    if not leadins or section.blocks[-1].kind != "leadin":
        return None
    return reader.leadin_parties(leadins[-1].text)


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
