"""The parts of a promise text around its activities: the introduction, the background and who signed it.

Pure Python, beside the parser (`parsing.py` finds the focus areas and activities; this module reads what the
parser leaves out). The import keeps these parts on the draft promise so that nothing of the text is lost.

- The **introduction** is the prose between the document title and the first focus area (or the first list of
  activities), without a background section, page debris and a lead-in line that opens the list.
- The **background** is the section under a heading such as "Bakgrund", "Lägesbild" or "Situationen idag", up to
  the next focus area, a heading that opens the activities, or page debris at the end.
- **Signatories** are people named with a signing role: "Anna Berg, kommunstyrelsens ordförande" in a sentence or a
  quote, or a signature block (a name on one line, the role on the next, perhaps the organisation below), with the
  date of a signing line ("Ljungby den 12 mars 2023") when the block has one.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

MONTHS = {
    "januari": 1,
    "februari": 2,
    "mars": 3,
    "april": 4,
    "maj": 5,
    "juni": 6,
    "juli": 7,
    "augusti": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "december": 12,
}
# Words that make a title a signing role: the chair of the executive board, the head of the police area …
ROLE_WORDS = (
    "ordförande",
    "kommunalråd",
    "kommundirektör",
    "kommunchef",
    "stadsdirektör",
    "lokalpolisområdeschef",
    "polisområdeschef",
    "chef för lokalpolisområde",
    "chef för polisområde",
    "polismästare",
    "polischef",
    "regionpolischef",
    "områdeschef",
    "vd",
    "verkställande direktör",
)
BACKGROUND_HEADINGS = (
    "bakgrund",
    "lägesbild",
    "lägesbilden",
    "situationen idag",
    "situationen i dag",
    "nuläge",
    "nulägesbeskrivning",
    "problembild",
    "problembilden",
)
# Headings after which the activities or the page's end matter begin: a background stops there.
STOP_HEADINGS = (
    "det här ska vi göra",
    "det här ska vi åstadkomma",
    "detta ska vi göra",
    "aktiviteter",
    "åtgärder",
    "medborgarlöfte",
    "medborgarlöften",
    "medborgarlöftet",
    "löftet",
    "våra löften",
    "följ med i hur det går",
    "uppföljning",
    "kontakt",
    "kontakta oss",
    "läs mer",
    "relaterade sidor",
    "undertecknat",
    "underskrifter",
)
# Lines that are page furniture, never prose of the promise.
DEBRIS = re.compile(
    r"^(?:kommentera|dela|dela sidan|skriv ut|till toppen|tipsa en vän|lyssna|senast uppdaterad.*|publicerad.*"
    r"|sidan uppdaterades.*|bild:.*|foto:.*|läs mer.*|mer information.*|information om [^.]{0,60}\.?"
    r"|här kan du läsa.*|hitta på sidan|innehåll på sidan)$",
    re.IGNORECASE,
)
BULLET = re.compile(r"^\s*(?:[-–•*·▪●◦]|\d{1,2}[.)])\s*\S")
NAME = r"[A-ZÅÄÖÉ][a-zåäöéüè]+(?:-[A-ZÅÄÖÉ][a-zåäöéüè]+)?"
FULL_NAME = rf"{NAME}(?: (?:af |von |de )?{NAME}){{1,3}}"
INLINE_SIGNATORY = re.compile(rf"(?P<name>{FULL_NAME}),\s+(?P<role>[^.;:!?\n”\"]{{3,140}})")
NAME_LINE = re.compile(rf"^(?P<name>{FULL_NAME})$")
SIGNING_DATE = re.compile(
    r"(?:^|\s)(?:den\s+)?(?P<day>\d{1,2})\s+(?P<month>" + "|".join(MONTHS) + r")\s+(?P<year>(?:19|20)\d{2})",
    re.IGNORECASE,
)
ISO_DATE = re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<month>\d{2})-(?P<day>\d{2})\b")


@dataclass(frozen=True)
class SignatoryText:
    name: str
    role: str
    organisation: str = ""
    side: str | None = None  # "municipality", "police" or None when the role does not tell
    signed_on: date | None = None


@dataclass(frozen=True)
class Sections:
    introduction: str
    background: str
    signatories: tuple[SignatoryText, ...]


def _plain(line: str) -> str:
    """A line without Markdown heading marks and surrounding space."""
    return line.strip().lstrip("#").strip()


def _key(text: str) -> str:
    return " ".join(re.sub(r"[:.]+$", "", _plain(text)).casefold().split())


def _is_heading_like(line: str) -> bool:
    text = _plain(line)
    return bool(text) and len(text) <= 80 and not text.endswith((".", ",", ";")) and not BULLET.match(text)


def _is_debris(line: str) -> bool:
    return bool(DEBRIS.match(_plain(line)))


def _paragraphs(lines: Sequence[str]) -> str:
    """Lines joined into paragraphs: one blank line between them, debris and surrounding blank lines removed."""
    kept: list[str] = []
    for line in lines:
        text = _plain(line)
        if text and _is_debris(text):
            continue
        if not text:
            if kept and kept[-1] != "":
                kept.append("")
            continue
        kept.append(text)
    return "\n".join(kept).strip()


def _is_background_heading(line: str, area_keys: set[str]) -> bool:
    key = _key(line)
    if not _is_heading_like(line) or key in area_keys:
        return False
    return any(key == word or key.startswith(f"{word} ") for word in BACKGROUND_HEADINGS)


def _is_stop_heading(line: str) -> bool:
    key = _key(line)
    return _is_heading_like(line) and any(key == word or key.startswith(f"{word} ") for word in STOP_HEADINGS)


def _first_activity_line(lines: Sequence[str], area_keys: set[str], start: int) -> int:
    """The first focus area's heading; without one in the text, the first list item or activities heading."""
    for index in range(start, len(lines)):
        if _key(lines[index]) in area_keys:
            return index
    for index in range(start, len(lines)):
        if BULLET.match(lines[index]) or _is_stop_heading(lines[index]):
            return index
    return len(lines)


def _title_end(lines: Sequence[str]) -> int:
    for index, line in enumerate(lines):
        if line.strip():
            return index + 1 if _is_heading_like(line) else index
    return 0


def _signs(lines: Sequence[str], index: int) -> bool:
    """Whether a signature block starts here: a signing line with a date, or a name above a signing role."""
    text = _plain(lines[index])
    if text and len(text) <= 60 and not text.endswith(".") and _date_in(text) and len(text.split()) <= 6:
        return True
    following = _plain(lines[index + 1]) if index + 1 < len(lines) else ""
    return bool(_person(text)) and bool(following) and _is_role(following)


def _background_span(lines: Sequence[str], area_keys: set[str], start: int) -> tuple[int, int] | None:
    for index in range(start, len(lines)):
        if not _is_background_heading(lines[index], area_keys):
            continue
        end = index + 1
        while end < len(lines):
            line = lines[end]
            if _key(line) in area_keys or _is_stop_heading(line) or _is_debris(line) or _signs(lines, end):
                break
            end += 1
        return index, end
    return None


def _drop_lead_in(text: str) -> str:
    """The last paragraph when it only opens the list of activities ("… genom följande aktiviteter:")."""
    paragraphs = text.split("\n\n")
    while paragraphs and paragraphs[-1].rstrip().endswith(":"):
        paragraphs.pop()
    return "\n\n".join(paragraphs).strip()


def _side(text: str) -> str | None:
    folded = text.casefold()
    if "polis" in folded or "lpo" in folded.split():
        return "police"
    if "kommun" in folded or "stad" in folded.split() or "region" in folded.split():
        return "municipality"
    return None


def _is_role(text: str) -> bool:
    folded = text.casefold()
    return any(
        re.search(rf"(?<![a-zåäö]){re.escape(word)}(?![a-zåäö])", folded) for word in ROLE_WORDS
    ) or any(folded.endswith(word) for word in ("ordförande", "chef", "direktör"))


def _split_role(text: str) -> tuple[str, str]:
    """ "kommunstyrelsens ordförande, Ljungby kommun" → ("kommunstyrelsens ordförande", "Ljungby kommun")."""
    parts = [part.strip() for part in re.split(r",|\s+–\s+|\s+-\s+", text) if part.strip()]
    role = parts[0] if parts else ""
    organisation = ", ".join(parts[1:])
    return role, organisation


# Parts of words that make a line an organisation's name ("Lokalpolisområde Norrvik"), and whole words that do.
ORGANISATION_PARTS = ("kommun", "polis", "område", "förvaltning", "nämnd", "styrelse")
ORGANISATION_WORDS = frozenset({"län", "region", "stad", "lpo"})


def _person(text: str) -> re.Match[str] | None:
    """A line that is a person's name alone: capitalised words, none of them an organisation's."""
    match = NAME_LINE.match(text)
    words = text.casefold().split()
    if match is None or any(part in word for word in words for part in ORGANISATION_PARTS):
        return None
    return None if ORGANISATION_WORDS & set(words) else match


def _date_in(line: str) -> date | None:
    for pattern in (SIGNING_DATE, ISO_DATE):
        match = pattern.search(line)
        if match is None:
            continue
        month_text = match.group("month")
        month = MONTHS.get(month_text.casefold()) if not month_text.isdigit() else int(month_text)
        try:
            return date(int(match.group("year")), month or 0, int(match.group("day")))
        except ValueError:
            continue
    return None


def _signature_blocks(lines: Sequence[str]) -> list[SignatoryText]:
    found: list[SignatoryText] = []
    signed_on: date | None = None
    for index, line in enumerate(lines):
        text = _plain(line)
        if (
            signed_on is None
            and len(text) <= 60
            and not text.endswith(".")
            and (day := _date_in(text)) is not None
        ):
            signed_on = day
        match = _person(text)
        if match is None or index + 1 >= len(lines):
            continue
        role_line = _plain(lines[index + 1])
        if not role_line or len(role_line) > 140 or not _is_role(role_line):
            continue
        role, organisation = _split_role(role_line)
        if not organisation and index + 2 < len(lines):
            below = _plain(lines[index + 2])
            if below and len(below) <= 80 and _side(below) and not _person(below) and not _date_in(below):
                organisation = below
        found.append(
            SignatoryText(
                name=match.group("name"),
                role=role,
                organisation=organisation,
                side=_side(f"{role} {organisation}"),
            )
        )
    # A signing line names the date of the whole block, wherever it stands.
    return [SignatoryText(item.name, item.role, item.organisation, item.side, signed_on) for item in found]


def _inline_signatories(text: str) -> list[SignatoryText]:
    found = []
    for match in INLINE_SIGNATORY.finditer(text):
        clause = match.group("role").strip()
        # The role ends where the sentence goes on: "…ordförande, och det är…" or "…ordförande som säger".
        clause = re.split(r"\s+(?:och|som|säger|menar|förklarar|berättar)\s+", clause)[0].strip()
        if not _is_role(clause):
            continue
        role, organisation = _split_role(clause)
        if not _is_role(role):
            continue
        found.append(
            SignatoryText(
                name=match.group("name"),
                role=role,
                organisation=organisation,
                side=_side(f"{role} {organisation}"),
            )
        )
    return found


def find_signatories(text: str) -> tuple[SignatoryText, ...]:
    lines = text.splitlines()
    seen: dict[str, SignatoryText] = {}
    for item in [*_signature_blocks(lines), *_inline_signatories(text)]:
        key = item.name.casefold()
        if key not in seen:
            seen[key] = item
    return tuple(seen.values())


def promise_sections(text: str, *, area_titles: Sequence[str | None] = ()) -> Sections:
    """The introduction, background and signatories of a promise text whose focus areas have these titles."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    area_keys = {_key(title) for title in area_titles if title and _key(title)}
    start = _title_end(lines)
    first_activity = _first_activity_line(lines, area_keys, start)
    background = _background_span(lines, area_keys, start)
    if background is not None and background[0] < first_activity:
        # A background before the activities (the police's page template) ends where they begin.
        end = min(background[1], _first_activity_line(lines, area_keys, background[0] + 1))
        background = (background[0], end)
        intro_lines = [*lines[start : background[0]], *lines[background[1] : first_activity]]
    else:
        intro_lines = list(lines[start:first_activity])
    introduction = _drop_lead_in(_paragraphs(intro_lines))
    background_text = _paragraphs(lines[background[0] + 1 : background[1]]) if background else ""
    return Sections(
        introduction=introduction,
        background=_drop_lead_in(background_text),
        signatories=find_signatories(text),
    )
