"""Automatic flags on a resident's comment before a moderator reads it. Pure Python: no Django.

Each finder returns `Finding`s (kind, span, matched text). The flags only help the moderator: a flagged
comment is never published without review, and a moderator decides what is personal data.

Kinds:
- `personnummer`: a Swedish personal identity or coordination number (yymmdd-nnnn, yymmdd+nnnn for people
  over 100, yyyymmdd-nnnn, yyyymmddnnnn, yymmddnnnn) with a valid date and a valid Luhn check digit.
- `phone`: a Swedish phone number (070-123 45 67, 0372-123 45, +46 70 123 45 67, 0046…): it starts with 0,
  +46 or 0046 and has 7 to 9 digits after the trunk prefix.
- `email`: an e-mail address.
- `address`: a street name ending as in the vocabulary (…gatan, …vägen, …gränd) followed by a house number.
- `accusation`: the heuristic for "a named person accused of a crime": a name within `window` words of a crime
  word ("snattar", "klottrar", "langar", "säljer knark"…). A name is two or more capitalised words in a row in
  any script ("Anna Berg", "José García", "Liam O'Brien", "Lars von Essen") where none is a known non-name
  ("Det", "Polisen", "Ljungby"…), or a common first name or a typical surname in any case ("anna", "Ali",
  "karlsson"). It flags some innocent sentences; that is the trade-off, since a flag only holds the comment
  for a moderator.
- `threat`: threats and emergencies ("jag ska döda", "hotar", "det brinner", "någon är skadad").

The vocabulary lives in `data/flag_vocabulary.toml` so a maintainer can extend it without code.
"""

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

VOCABULARY_PATH = Path(__file__).resolve().parent / "data" / "flag_vocabulary.toml"

PERSONNUMMER = "personnummer"
PHONE = "phone"
EMAIL = "email"
ADDRESS = "address"
ACCUSATION = "accusation"
THREAT = "threat"
KINDS = (PERSONNUMMER, PHONE, EMAIL, ADDRESS, ACCUSATION, THREAT)
# Kinds that are personal data a moderator may edit out (threats are read, not redacted).
PERSONAL_DATA_KINDS = (PERSONNUMMER, PHONE, EMAIL, ADDRESS, ACCUSATION)

UPPER = "A-ZÅÄÖÉÜ"
LOWER = "a-zåäöéüß"


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Vocabulary:
    street_suffixes: tuple[str, ...]
    accusation_words: tuple[str, ...]
    accusation_window: int
    not_names: frozenset[str]
    threat_words: tuple[str, ...]
    first_names: frozenset[str] = frozenset()
    surname_endings: tuple[str, ...] = ()


def load_vocabulary(path: Path = VOCABULARY_PATH) -> Vocabulary:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return Vocabulary(
        street_suffixes=tuple(dict.fromkeys(data["address"]["street_suffixes"])),
        accusation_words=tuple(data["accusation"]["words"]),
        accusation_window=int(data["accusation"].get("window", 6)),
        not_names=frozenset(word.casefold() for word in data["accusation"]["not_names"]),
        threat_words=tuple(data["threat"]["words"]),
        first_names=frozenset(word.casefold() for word in data["accusation"].get("first_names", [])),
        surname_endings=tuple(data["accusation"].get("surname_endings", [])),
    )


@cache
def _default_vocabulary() -> Vocabulary:
    return load_vocabulary()


def _phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """Whole-word, case-insensitive alternatives; a trailing * allows any word ending."""
    parts = []
    for phrase in sorted(phrases, key=len, reverse=True):
        words = phrase.strip().split()
        escaped = [re.escape(word.rstrip("*")) + (r"\w*" if word.endswith("*") else "") for word in words]
        parts.append(r"\s+".join(escaped))
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


# --- personnummer -----------------------------------------------------------------------------------------

_PERSONNUMMER = re.compile(r"(?<![\d\-+/.])(\d{2})?(\d{2})(\d{2})(\d{2})\s?([-+]?)\s?(\d{4})(?![\d\-/.])")


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _valid_birth_date(century: str | None, year: str, month: str, day: str) -> bool:
    day_number = int(day)
    if day_number > 60:  # samordningsnummer: the day plus 60
        day_number -= 60
    full_year = int(century + year) if century else 2000 + int(year)
    try:
        dt.date(full_year, int(month), day_number)
    except ValueError:
        # Without a century the year may be 19xx; 29 February needs the right one.
        if century:
            return False
        try:
            dt.date(1900 + int(year), int(month), day_number)
        except ValueError:
            return False
    return True


def find_personnummer(text: str) -> list[Finding]:
    findings = []
    for match in _PERSONNUMMER.finditer(text):
        century, year, month, day, _separator, last_four = match.groups()
        if century is not None and century not in {"18", "19", "20"}:
            continue
        if not _valid_birth_date(century, year, month, day):
            continue
        if not luhn_valid(year + month + day + last_four):
            continue
        findings.append(Finding(PERSONNUMMER, match.start(), match.end(), match.group()))
    return findings


# --- phone numbers ------------------------------------------------------------------------------------------

_PHONE = re.compile(
    r"(?<![\w+\-/.,])(\+46|0046|0)[\s\-]?(\(0\))?[\s\-]?([1-9](?:[\s\-]?\d){5,9})(?![\d\-/.,]\d)(?!\w)"
)


def find_phone_numbers(text: str) -> list[Finding]:
    findings = []
    for match in _PHONE.finditer(text):
        national = re.sub(r"\D", "", match.group(3))
        if not 7 <= len(national) <= 9:
            continue
        # After a dash comes the subscriber number, at least five digits: "0800-1700" is a time span.
        _area, dash, subscriber = match.group(3).partition("-")
        if dash and len(re.sub(r"\D", "", subscriber)) < 5:
            continue
        findings.append(Finding(PHONE, match.start(), match.end(), match.group()))
    return findings


# --- e-mail -------------------------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,}(?!\w)")


def find_email_addresses(text: str) -> list[Finding]:
    return [Finding(EMAIL, match.start(), match.end(), match.group()) for match in _EMAIL.finditer(text)]


# --- street addresses ---------------------------------------------------------------------------------------


@cache
def _address_pattern(suffixes: tuple[str, ...]) -> re.Pattern[str]:
    ending = "|".join(re.escape(suffix) for suffix in sorted(suffixes, key=len, reverse=True))
    # "Storgatan 12", "Kungsvägen 3B", "Lilla Nygatan 5 A", "Södra Järnvägsgatan 14-16", "Stora Torg 4".
    return re.compile(
        rf"(?<!\w)(?:(?:Lilla|Stora|Norra|Södra|Östra|Västra|Gamla|Nya)\s+)?"
        rf"(?:[{UPPER}][{LOWER}]*(?:{ending})|[{UPPER}][{LOWER}]+\s+(?i:{ending}))"
        rf"\s+\d{{1,4}}(?:\s?[A-Ha-h](?![{LOWER}]))?(?:\s?[-–]\s?\d{{1,4}})?(?!\d)",
    )


def find_street_addresses(text: str, vocabulary: Vocabulary | None = None) -> list[Finding]:
    vocabulary = vocabulary or _default_vocabulary()
    pattern = _address_pattern(vocabulary.street_suffixes)
    return [Finding(ADDRESS, match.start(), match.end(), match.group()) for match in pattern.finditer(text)]


# --- named people accused of crimes ---------------------------------------------------------------------------

# A word of letters in any script, with inner hyphens or apostrophes ("Anna-Karin", "O'Brien", "García").
_WORD_TOKEN = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_WORD = re.compile(r"\w+")
# Particles inside names: "Lars von Essen", "Nguyen Van An", "Ebba af Klint".
NAME_PARTICLES = frozenset(
    {"von", "van", "af", "de", "del", "der", "di", "da", "al", "el", "bin", "ibn", "la", "le"}
)


@cache
def _crime_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return _phrase_pattern(words)


def _capitalised(word: str) -> bool:
    # "Anna", "García", "McDonald", "Åsa": a capital first letter, not all capitals ("KNARK" is shouting).
    return word[0].isupper() and not word.isupper() and len(word) > 1


def _names(text: str, vocabulary: Vocabulary) -> list[tuple[int, int]]:
    """Spans that look like a person's name: two or more capitalised words in a row (particles allowed between)
    that are not known non-names, or a known first name or a typical surname in any case, alone or not."""
    tokens = [(match.start(), match.end(), match.group()) for match in _WORD_TOKEN.finditer(text)]
    spans: list[tuple[int, int]] = []
    index = 0
    while index < len(tokens):
        start, end, word = tokens[index]
        folded = word.casefold()
        if _capitalised(word) and folded not in vocabulary.not_names:
            last = index
            probe = index + 1
            while probe < len(tokens):
                between = text[tokens[probe - 1][1] : tokens[probe][0]]
                if not between.isspace():
                    break
                candidate = tokens[probe][2]
                if _capitalised(candidate) and candidate.casefold() not in vocabulary.not_names:
                    last = probe
                elif candidate.casefold() in NAME_PARTICLES and probe + 1 < len(tokens):
                    probe += 1
                    continue
                else:
                    break
                probe += 1
            last_word = tokens[last][2].casefold()
            if last > index and not any(last_word.endswith(suffix) for suffix in vocabulary.street_suffixes):
                spans.append((start, tokens[last][1]))
                index = last + 1
                continue
        bare = folded.strip("'’")
        known = bare in vocabulary.first_names or (
            len(bare) > 5 and any(bare.endswith(ending) for ending in vocabulary.surname_endings)
        )
        if known and not any(bare.endswith(suffix) for suffix in vocabulary.street_suffixes):
            spans.append((start, end))
        index += 1
    return spans


def find_accusations(text: str, vocabulary: Vocabulary | None = None) -> list[Finding]:
    vocabulary = vocabulary or _default_vocabulary()
    crime_spans = [match.span() for match in _crime_pattern(vocabulary.accusation_words).finditer(text)]
    if not crime_spans:
        return []
    word_starts = [match.start() for match in _WORD.finditer(text)]

    def word_index(position: int) -> int:
        # The number of words that start before `position`.
        low, high = 0, len(word_starts)
        while low < high:
            middle = (low + high) // 2
            if word_starts[middle] < position:
                low = middle + 1
            else:
                high = middle
        return low

    findings = []
    for name_start, name_end in _names(text, vocabulary):
        if any(name_start < crime_end and crime_start < name_end for crime_start, crime_end in crime_spans):
            continue  # the crime word itself ("Knark" at a sentence's start) is no name
        name_first_word, name_last_word = word_index(name_start), word_index(name_end) - 1
        for crime_start, crime_end in crime_spans:
            crime_first_word, crime_last_word = word_index(crime_start), word_index(crime_end) - 1
            distance = max(crime_first_word - name_last_word, name_first_word - crime_last_word)
            if distance <= vocabulary.accusation_window:
                findings.append(Finding(ACCUSATION, name_start, name_end, text[name_start:name_end]))
                break
    return findings


# --- threats and emergencies --------------------------------------------------------------------------------


@cache
def _threat_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    return _phrase_pattern(words)


def find_threats(text: str, vocabulary: Vocabulary | None = None) -> list[Finding]:
    vocabulary = vocabulary or _default_vocabulary()
    pattern = _threat_pattern(vocabulary.threat_words)
    return [Finding(THREAT, match.start(), match.end(), match.group()) for match in pattern.finditer(text)]


# --- all together -------------------------------------------------------------------------------------------


def find_all(text: str, vocabulary: Vocabulary | None = None) -> list[Finding]:
    vocabulary = vocabulary or _default_vocabulary()
    findings = [
        *find_personnummer(text),
        *find_phone_numbers(text),
        *find_email_addresses(text),
        *find_street_addresses(text, vocabulary),
        *find_accusations(text, vocabulary),
        *find_threats(text, vocabulary),
    ]
    return sorted(findings, key=lambda finding: (finding.start, finding.kind))


def flag_kinds(text: str, vocabulary: Vocabulary | None = None) -> list[str]:
    """The kinds found, in the fixed order of KINDS."""
    found = {finding.kind for finding in find_all(text, vocabulary)}
    return [kind for kind in KINDS if kind in found]


def redact(text: str, findings: list[Finding], *, placeholder: str = "[borttaget]") -> str:
    """The text with the personal-data findings replaced: a suggestion for the moderator's edit-out."""
    spans = sorted(
        (finding.start, finding.end) for finding in findings if finding.kind in PERSONAL_DATA_KINDS
    )
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces, position = [], 0
    for start, end in merged:
        pieces.append(text[position:start])
        pieces.append(placeholder)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)
