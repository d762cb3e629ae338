"""Turn a published promise file into plain text that keeps its structure.

Headings become "# …" lines and list items "- …" (or "1. …") lines, indented two spaces per level, so that
parsing.py sees the same shape whether the promise came as a web page, a Word file or a PDF. Activity tables
("Aktivitet | Ansvarig | När") become list items with an "Ansvarig:" line. Page furniture (menus, cookie
banners, breadcrumbs, page headers and footers) is left out. Pure: no Django.

Every reader treats its file as hostile: a damaged, encrypted, oversized or booby-trapped file (a zip bomb, an
XML entity bomb) ends in a DocumentError with a message for the person who supplied it, never in anything else.
"""

from __future__ import annotations

import codecs
import io
import itertools
import logging
import os
import re
import statistics
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from trygg.core.fileerrors import MessageError, gettext_noop
from trygg.core.text import decode_text_file
from trygg.promises.parsing import symbol_bullets

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")


class DocumentError(MessageError):
    """A file that cannot be read as a promise; the message is meant for the person who supplied it."""


def read_document(source: str | os.PathLike[str] | bytes, suffix: str | None = None) -> str:
    """The text of a .txt, .md, .html, .pdf or .docx document given as a path or as bytes."""
    if isinstance(source, bytes):
        if not suffix:
            raise DocumentError(
                gettext_noop("Filtypen är okänd: ange filändelsen (.txt, .md, .html, .pdf eller .docx).")
            )
        data = source
    else:
        path = Path(source)
        suffix = suffix or path.suffix
        try:
            data = path.read_bytes()
        except OSError as error:
            raise DocumentError(
                gettext_noop("Filen %(name)s kunde inte läsas: %(reason)s."),
                name=path.name,
                reason=error.strerror or str(error),
            ) from error
    suffix = suffix.lower() if suffix.startswith(".") else f".{suffix.lower()}"
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(
            gettext_noop(
                "Filtypen %(suffix)s stöds inte. Använd .txt, .md, .html, .pdf eller .docx, eller klistra in texten."
            ),
            suffix=suffix,
        )
    if suffix == ".pdf":
        return read_pdf(data)
    if suffix == ".docx":
        return read_docx(data)
    text = decode_text(data)
    if suffix in {".html", ".htm"}:
        return html_to_text(text)
    return text


def decode_text(data: bytes) -> str:
    """A text or HTML file as text (`core.text.decode_text_file`); bytes with NUL in them, other than UTF-16
    marked as such, are binary."""
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise DocumentError(gettext_noop("Filen ser ut att vara binär, inte text."))
    return decode_text_file(data)


# ---------------------------------------------------------------------------------------------------
# HTML

_SKIPPED_TAGS = {
    "script", "style", "noscript", "template", "nav", "svg", "math", "head", "button", "form", "iframe",
    "footer", "aside", "select", "object", "canvas", "dialog", "menu", "figure", "picture", "video", "audio",
}  # fmt: skip
_SKIPPED_ROLES = {"navigation", "banner", "contentinfo", "search", "dialog", "alertdialog", "complementary"}
# A panel that is hidden until its heading is clicked (an accordion, "Expanderbar") holds the page's content.
_DISCLOSURE_NAMES_RE = re.compile(
    r"accordion|expand|collaps|toggle|disclosure|panel|fällbar|utfäll", re.IGNORECASE
)
# Page furniture that sites mark only by class or id: cookie banners, breadcrumbs, share buttons, menus.
_SKIPPED_NAMES_RE = re.compile(
    r"cookie|consent|kakor|breadcrumb|brodsmul|share|social|dela-|skip|sidebar|sidomeny|toolbar|feedback"
    r"|related|relaterat|menu|meny|navbar|topbar|site-header|sidhuvud|sidfot|print|lyssna",
    re.IGNORECASE,
)
_VOID_TAGS = {
    "br",
    "img",
    "hr",
    "input",
    "meta",
    "link",
    "wbr",
    "source",
    "area",
    "col",
    "embed",
    "param",
    "track",
}
_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "header", "blockquote", "dd", "dt", "figcaption", "address",
    "center", "details", "summary", "fieldset", "caption", "pre",
}  # fmt: skip
_HEADING_RE = re.compile(r"h[1-6]")
_MAX_DEPTH = 300
# A promise page has a few thousand elements; a file with far more is refused before it takes long to read.
MAX_HTML_ELEMENTS = 100_000


class _TooComplex(Exception):
    pass


# Column headings of an activity table: what is done, who does it, when or how often, in which area.
_COLUMN_ROLES = (
    ("activity", re.compile(r"aktivitet|åtgärd|insats|löfte|vad\b|beskrivning|uppgift", re.IGNORECASE)),
    # Before "party": "Samverkanspart" names who helps, not who is responsible.
    (
        "partners",
        re.compile(r"samverkan|samarbete|partner|tillsammans med|medverkande|involverade", re.IGNORECASE),
    ),
    ("target", re.compile(r"målgrupp|för vem|vem riktar", re.IGNORECASE)),
    ("party", re.compile(r"ansvar|vem\b|part\b|parter|utförare|aktör", re.IGNORECASE)),
    (
        "when",
        re.compile(
            r"när\b|tid\b|tidpunkt|tids?plan|tidsram|period|datum|frekvens|intervall|omfattning|hur ofta|antal",
            re.IGNORECASE,
        ),
    ),
    ("area", re.compile(r"fokusområde|område|problem|tema|prioritering", re.IGNORECASE)),
)


#: The most rows or columns one table cell may span, the most columns a table is read with and the most grid
#: places spans may fill in one table: a hostile rowspan="100000" or a thousand wide cells cost no more.
MAX_CELL_SPAN = 50
MAX_TABLE_COLUMNS = 100
MAX_SPAN_PLACES = 20_000


def _span(value: str | None) -> int:
    try:
        return min(max(int(str(value).strip()), 1), MAX_CELL_SPAN)
    except ValueError:
        return 1


@dataclass(frozen=True)
class _Cell:
    text: str
    header: bool
    #: Rows and columns the cell spans (HTML rowspan and colspan, Word gridSpan).
    down: int = 1
    across: int = 1
    #: A Word cell that goes on from the one above (vMerge): it shows that cell's text.
    continues: bool = False


def _grid(rows: list[list[_Cell]]) -> list[list[tuple[str, bool]]]:
    """A table's cells on a grid, as the eye reads it: a cell spanning rows gives each of them its text (a
    "Fokusområde" or "Ansvarig" cell for several activities); a cell spanning columns holds them, its text in
    the first; a row that is one cell across the whole table is a heading row (its cell marked as a header)."""
    placed: list[dict[int, tuple[str, bool]]] = [{} for _ in rows]
    spanning: set[tuple[int, int]] = set()
    budget = MAX_SPAN_PLACES
    for number, row in enumerate(rows):
        column = 0
        for cell in row:
            while column in placed[number]:
                column += 1
            if column >= MAX_TABLE_COLUMNS:
                break
            text = cell.text
            if cell.continues and number > 0 and column in placed[number - 1]:
                text = placed[number - 1][column][0]
            down_span = min(cell.down, len(rows) - number)
            across_span = min(cell.across, MAX_TABLE_COLUMNS - column)
            if down_span * across_span > budget:
                down_span = across_span = 1
            budget -= down_span * across_span - 1
            for down in range(down_span):
                for across in range(across_span):
                    placed[number + down].setdefault(column + across, ("" if across else text, cell.header))
            if across_span > 1 and len(row) == 1:
                spanning.add((number, column))
            column += across_span
    width = max((max(cells) + 1 for cells in placed if cells), default=0)
    grid = [[cells.get(column, ("", False)) for column in range(width)] for cells in placed]
    for number, column in spanning:
        if column == 0 and min(rows[number][0].across, MAX_TABLE_COLUMNS) >= width > 1:
            grid[number] = [(grid[number][0][0], True), *[("", True)] * (width - 1)]
    return grid


def _column_role(text: str, taken: Iterable[str]) -> str | None:
    """What a table's column holds, by its heading; a role already taken by an earlier column is skipped, except
    "when" (a table may say how many and when in two columns)."""
    if not text or len(text) >= 40:
        return None
    for role, pattern in _COLUMN_ROLES:
        if (role == "when" or role not in taken) and pattern.search(text):
            return role
    return None


def _column_roles(header: Sequence[str]) -> dict[str, int]:
    """The first column of each role in a table's heading row."""
    roles: dict[str, int] = {}
    for column, text in enumerate(header):
        role = _column_role(text, taken=roles)
        if role is not None:
            roles.setdefault(role, column)
    return roles


def table_lines_of(rows: Sequence[Sequence[str]]) -> list[str]:
    """`table_lines` for rows of plain cell texts (a PDF's table has no header cells marked as such)."""
    return table_lines([[(text, False) for text in row] for row in rows])


def _lower_first(text: str) -> str:
    """ "Föräldrar" → "föräldrar" for a cell put after a preposition; a name ("Ekbyhem", "SSPF") stays."""
    first = text.split(" ", 1)[0]
    return text[0].lower() + text[1:] if first[1:].islower() else text


def _as_list(cell: str) -> str:
    """A cell listing names one per line or by commas, as running text lists them: "skolan, fritidsgården och
    kyrkan" (the parser reads a comma list whole only when it ends in "och")."""
    names = [name.strip() for name in re.split(r"\s*[,;/]\s*|\s+och\s+", cell) if name.strip()]
    return cell if len(names) < 2 else f"{', '.join(names[:-1])} och {names[-1]}"


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def table_lines(rows: list[list[tuple[str, bool]]]) -> list[str]:
    """A table as lines: an activity table ("Aktivitet | Ansvarig | När") becomes list items with a line
    naming who is responsible, any other table one line per row with its cells joined by " | "."""
    rows = [[(_words(text), header) for text, header in row] for row in rows]
    rows = [row for row in rows if any(text for text, _ in row)]
    if not rows:
        return []
    # A title row across the table ("Medborgarlöfte 2024 – Trafik") above the header row heads the items.
    if titled := _title_rows([[text for text, _ in row] for row in rows]):
        titles = [row[0][0] for row in rows[:titled]]
        return [
            "",
            *(line for title in titles for line in ("", f"### {title}", "")),
            *table_lines(rows[titled:]),
        ]
    if _is_key_value(rows):
        return _key_value_lines(rows)
    roles = _column_roles([text for text, _ in rows[0]]) if len(rows) > 1 else {}
    # Every column that says when or how often ("Antal" and "När"), in the table's order.
    whens = [column for column, (text, _) in enumerate(rows[0]) if _column_role(text, taken=()) == "when"]
    # A second column of what is done ("Aktivitet | Beskrivning") tells more of the activity.
    details = [
        column
        for column, (text, _) in enumerate(rows[0])
        if column != roles.get("activity") and _column_role(text, taken=()) == "activity"
    ]
    if "activity" not in roles:
        lines: list[str] = []
        for row in rows:
            cells: list[str] = []
            for text, _ in row:
                if text and (not cells or cells[-1] != text):
                    cells.append(text)
            lines.append(" | ".join(cells))
        return ["", *lines, ""]
    lines = [""]
    area = None

    def cell(row: list[tuple[str, bool]], role: str) -> str:
        column = roles.get(role)
        return row[column][0] if column is not None and column < len(row) else ""

    for row in rows[1:]:
        first, *rest = row
        if rest and first[0] and all(header for _text, header in row) and not any(text for text, _ in rest):
            # A row that is one cell across the table ("Trygg stadskärna") heads the rows below it.
            area = first[0]
            lines += ["", f"### {area}", ""]
            continue
        if "area" in roles and cell(row, "area") and cell(row, "area") != area:
            area = cell(row, "area")
            lines += ["", f"### {area}", ""]
        activity, party = cell(row, "activity"), cell(row, "party")
        if not activity:
            continue
        more = [row[column][0] for column in details if column < len(row) and row[column][0]]
        activity = ": ".join([activity.rstrip(":. "), *more]) if more else activity
        when = [row[column][0] for column in whens if column < len(row)]
        lines += _item_lines(activity, party, cell(row, "partners"), cell(row, "target"), when)
    return [*lines, ""]


def _title_rows(rows: Sequence[Sequence[str]]) -> int:
    """How many rows of one cell ("Trygg stadskärna", at most two) stand above a header row that names an
    activity column, with at least one row below it: 0 when the first row is the header or there is none."""
    titled = 0
    while (
        titled < 2
        and len(rows) > titled + 2
        and rows[titled][0]
        and len([text for text in rows[titled] if text]) == 1
        and "activity" in _column_roles(rows[titled + 1])
    ):
        titled += 1
    return titled


def _item_lines(activity: str, party: str, partners: str, target: str, when: Sequence[str]) -> list[str]:
    """One activity of a table as a list item: its text, who helps and for whom in the words an item would use
    (so that the parser reads them as from a list), when or how often after a dash each, and who is
    responsible on a line of its own."""
    extra = [f"tillsammans med {_as_list(partners)}"] if partners and partners not in activity else []
    extra += [f"för {_lower_first(target)}"] if target and target not in activity else []
    extra += [text for text in when if text and text not in activity]
    return [" – ".join([f"- {activity}", *extra]), *([f"  Ansvarig: {party}"] if party else [])]


def _is_key_value(rows: list[list[tuple[str, bool]]]) -> bool:
    """A table of two columns that names a role in its first ("Aktivitet | Trygghetsvandring", "Ansvarig |
    Kommunen", "När | Två gånger per år"): a form filled in for each activity, not a list of them. The value
    beside "Aktivitet" is no column name, which tells it from a table whose first row is its header."""
    if len(rows) < 2 or any(len(row) != 2 for row in rows):
        return False
    first, value = rows[0][0][0], rows[0][1][0]
    if _column_role(first, taken=()) != "activity" or _column_role(value, taken=()) is not None:
        return False
    labelled = sum(1 for row in rows if _column_role(row[0][0], taken=()) is not None)
    return labelled >= 0.6 * len(rows)


def _key_value_lines(rows: list[list[tuple[str, bool]]]) -> list[str]:
    """The items of a form-like table (`_is_key_value`): each row labelled as the first is ("Aktivitet") starts
    one, the rows below it give its party, partners, target group and when, and another label of what is done
    ("Beskrivning") tells more of it; an "Område" row heads the items after it; other rows ("Mål",
    "Uppföljning") are left out."""
    lines = [""]
    item: dict[str, list[str]] = {}
    starts = rows[0][0][0].casefold()

    def close() -> None:
        if item.get("activity"):
            first, *more = item["activity"]
            lines.extend(
                _item_lines(
                    ": ".join([first.rstrip(":. "), *more]) if more else first,
                    ", ".join(item.get("party", [])),
                    ", ".join(item.get("partners", [])),
                    ", ".join(item.get("target", [])),
                    item.get("when", []),
                )
            )
        item.clear()

    for (label, _), (value, _) in rows:
        role = _column_role(label, taken=())
        if role == "activity" and label.casefold() == starts:
            close()
        if role == "area":
            close()
            lines += ["", f"### {value}", ""]
        elif role is not None and value:
            item.setdefault(role, []).append(value)
    close()
    return [*lines, ""]


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[str, bool]] = []  # (line, inside the page's main content)
        self.current: list[str] = []
        self.prefix = ""
        # Open elements: the tag, whether it is skipped, whether it opened the page's main content.
        self.stack: list[tuple[str, bool, bool]] = []
        self.open_tags: Counter[str] = Counter()
        self.elements = 0
        self.skipping = 0
        self.lists: list[list[Any]] = []  # [tag, item number]
        self.main = 0
        self.saw_main = False
        self.title: list[str] = []
        self.in_title = False
        self.bold = 0
        self.bold_chars = 0
        self.plain_chars = 0
        self.tables: list[dict[str, Any]] = []
        # The ids of the panels that an accordion's buttons open (aria-controls): hidden, but content.
        self.disclosed: set[str] = set()
        # For each open button or summary: whether it is a heading of its own.
        self.folds: list[bool] = []
        # Open definition lists: where their lines start and their (term, description) pairs, to be read as a
        # form-like table when they are one ("Aktivitet" / "Trygghetsvandring", "Ansvarig" / "Kommunen").
        self.definitions: list[dict[str, Any]] = []

    # --- lines ------------------------------------------------------------------------------------

    def _emit(self, line: str) -> None:
        self.lines.append((line, self.main > 0))

    def _flush(self) -> None:
        text = _words("".join(self.current))
        if text and self.tables and self.tables[-1]["cell"] is not None:
            self.tables[-1]["cell"].append(text + " ")
        elif text:
            # A paragraph in bold only and short ("<p><strong>Trafik</strong></p>") is a heading.
            bold_heading = (
                not self.prefix
                and self.bold_chars
                and not self.plain_chars
                and len(text.split()) <= 12
                and not text.endswith((".", "!", "?"))
            )
            self._emit(("#### " + text) if bold_heading else self.prefix + text)
            if self.definitions and (kind := self.definitions[-1]["kind"]):
                pairs = self.definitions[-1]["pairs"]
                if kind == "dt" or not pairs:
                    pairs.append(["", ""])
                side = 1 if kind == "dd" else 0
                pairs[-1][side] = f"{pairs[-1][side]} {text}".strip()
        self.current = []
        self.prefix = ""
        self.bold_chars = self.plain_chars = 0

    def _blank(self) -> None:
        self._emit("")

    # --- parser events -------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements += 1
        if self.elements > MAX_HTML_ELEMENTS:
            raise _TooComplex
        if tag == "title" and not self.title:
            self.in_title = True
            return
        attributes = dict(attrs)
        names = f"{attributes.get('class') or ''} {attributes.get('id') or ''}"
        role = (attributes.get("role") or "").lower()
        # An accordion's button ("Trafik", aria-expanded) is the heading of the panel it opens.
        disclosure = tag == "button" and (
            "aria-expanded" in attributes
            or "aria-controls" in attributes
            or bool(_DISCLOSURE_NAMES_RE.search(names))
        )
        if disclosure and not self.skipping:
            self.disclosed.update((attributes.get("aria-controls") or "").split())
        hidden = (attributes.get("aria-hidden") or "").lower() == "true" or "hidden" in attributes
        if hidden and (
            (attributes.get("id") or "") in self.disclosed or bool(_DISCLOSURE_NAMES_RE.search(names))
        ):
            hidden = False
        skip = (
            (tag in _SKIPPED_TAGS and not disclosure)
            or role in _SKIPPED_ROLES
            or hidden
            or bool(names.strip() and _SKIPPED_NAMES_RE.search(names))
            or (tag == "header" and not self.main)
        )
        if tag in _VOID_TAGS:
            if tag == "br" and not self.skipping:
                self._flush_keep_prefix()
            return
        if len(self.stack) >= _MAX_DEPTH:
            # Thousands of nested elements are no web page anyone wrote: read their text, not their nesting.
            return
        is_main = not skip and not self.skipping and not self.main and (tag == "main" or role == "main")
        self.stack.append((tag, skip, is_main))
        self.open_tags[tag] += 1
        if skip:
            self.skipping += 1
            return
        if self.skipping:
            return
        if is_main:
            self.main += 1
            self.saw_main = True
        if tag in {"ul", "ol"}:
            self._flush()
            self.lists.append([tag, 0])
        elif tag == "li":
            self._flush()
            depth = max(len(self.lists) - 1, 0)
            if self.lists and self.lists[-1][0] == "ol":
                self.lists[-1][1] += 1
                self.prefix = "  " * depth + f"{self.lists[-1][1]}. "
            else:
                self.prefix = "  " * depth + "- "
        elif _HEADING_RE.fullmatch(tag):
            self._flush()
            self._blank()
            self.prefix = "#" * int(tag[1]) + " "
        elif tag in {"button", "summary"}:
            # What opens a folded part of the page names it, as a heading of its own unless it stands in one
            # (<h3><button aria-expanded="false">Trafik</button></h3>).
            heading = not self.prefix.startswith("#")
            self.folds.append(heading)
            if heading:
                self._flush()
                self._blank()
                self.prefix = "#### "
        elif tag == "table":
            self._flush()
            self.tables.append({"rows": [], "row": None, "cell": None})
        elif tag == "tr" and self.tables:
            self.tables[-1]["row"] = []
            self.tables[-1]["rows"].append(self.tables[-1]["row"])
        elif tag in {"td", "th"} and self.tables:
            self._flush()
            table = self.tables[-1]
            if table["row"] is None:
                table["row"] = []
                table["rows"].append(table["row"])
            table["cell"] = []
            spans = dict(attrs)
            table["row"].append(
                (table["cell"], tag == "th", _span(spans.get("rowspan")), _span(spans.get("colspan")))
            )
        elif tag in {"strong", "b"}:
            self.bold += 1
        elif tag == "dl":
            self._flush()
            self.definitions.append({"start": len(self.lines), "pairs": [], "kind": None})
        elif tag in _BLOCK_TAGS:
            self._flush()
            if tag in {"dt", "dd"} and self.definitions:
                self.definitions[-1]["kind"] = tag
            if tag in {"p", "blockquote", "section", "article"}:
                self._blank()

    def _flush_keep_prefix(self) -> None:
        # A <br> inside a list item continues the item on its own line.
        prefix = self.prefix
        self._flush()
        if prefix.strip().startswith(("-", "#")) or prefix.strip()[:1].isdigit():
            self.prefix = " " * len(prefix) if not prefix.startswith("#") else prefix

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
            return
        if tag in _VOID_TAGS or not self.open_tags[tag]:
            return
        # Close every element left open inside this one (HTML lets <li> and <p> go unclosed).
        while self.stack:
            open_tag, skipped, is_main = self.stack.pop()
            self.open_tags[open_tag] -= 1
            self._close(open_tag, skipped, is_main)
            if open_tag == tag:
                break

    def _close(self, tag: str, skipped: bool, is_main: bool = False) -> None:
        if skipped:
            self.skipping = max(self.skipping - 1, 0)
            return
        if self.skipping:
            return
        if is_main:
            self._flush()
            self.main = max(self.main - 1, 0)
            return
        if tag in {"ul", "ol"}:
            self._flush()
            if self.lists:
                self.lists.pop()
            if not self.lists:
                self._blank()
        elif tag == "li":
            self._flush()
        elif _HEADING_RE.fullmatch(tag) or (tag in {"button", "summary"} and self.folds and self.folds.pop()):
            self._flush()
            self._blank()
        elif tag in {"td", "th"} and self.tables:
            self._flush()
            self.tables[-1]["cell"] = None
        elif tag == "tr" and self.tables:
            self.tables[-1]["row"] = None
        elif tag == "table" and self.tables:
            self._flush()
            table = self.tables.pop()
            rows = _grid(
                [
                    [_Cell("".join(cell), header, down, across) for cell, header, down, across in row]
                    for row in table["rows"]
                ]
            )
            if self.tables and self.tables[-1]["cell"] is not None:
                self.tables[-1]["cell"].append(" ".join(" ".join(text for text, _ in row) for row in rows))
            else:
                for line in table_lines(rows):
                    self._emit(line)
        elif tag in {"strong", "b"}:
            self.bold = max(self.bold - 1, 0)
        elif tag == "dl" and self.definitions:
            self._flush()
            definitions = self.definitions.pop()
            rows = [[(term, False), (description, False)] for term, description in definitions["pairs"]]
            if _is_key_value(rows):
                del self.lines[definitions["start"] :]
                for line in _key_value_lines(rows):
                    self._emit(line)
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
            return
        if self.skipping:
            return
        self.current.append(data)
        if data.strip():
            if self.bold:
                self.bold_chars += len(data.strip())
            else:
                self.plain_chars += len(data.strip())

    def text(self) -> str:
        while self.stack:
            tag, skipped, is_main = self.stack.pop()
            self._close(tag, skipped, is_main)
        self._flush()
        lines = [line for line, in_main in self.lines if in_main or not self.saw_main]
        if not any(line.startswith("# ") for line in lines) and _words("".join(self.title)):
            # The page's own title, without the site's name after it ("Medborgarlöfte | Polisen").
            title = re.split(r"\s+[|–—-]\s+(?=[^|–—-]*$)", _words("".join(self.title)))[0]
            lines = [f"# {title}", "", *lines]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def html_to_text(html: str) -> str:
    extractor = _TextExtractor()
    try:
        extractor.feed(html)
        extractor.close()
        return extractor.text()
    except _TooComplex as error:
        raise DocumentError(
            gettext_noop(
                "Webbsidan har för många element för att vara ett medborgarlöfte. Klistra in texten i stället."
            )
        ) from error
    except (AssertionError, ValueError, RecursionError) as error:
        raise DocumentError(
            gettext_noop("Webbsidan kunde inte läsas (%(detail)s). Spara den igen eller klistra in texten."),
            detail=str(error),
        ) from error


# ---------------------------------------------------------------------------------------------------
# PDF

# A promise is a few pages; a PDF with more is read no further than this.
MAX_PDF_PAGES = 60
# Finding a table costs with every crossing of a drawn row line and column line (a 150 × 150 grid took 11 s):
# a page whose distinct row and column lines cross more often than this, or a file past the second bound in all,
# has its tables read as lines. An activity table of 100 rows and 6 columns crosses 707 times.
MAX_PDF_PAGE_CROSSINGS = 3000
MAX_PDF_CROSSINGS = 20_000
_BULLET_START_RE = re.compile(r"^(?:[•·▪◦‣●○■□►➢✓✔*]|[-–—−](?=\s)|\d{1,2}[.)](?=\s))")
_PAGE_NUMBER_RE = re.compile(r"^(?:sidan?\s+)?\d{1,3}(?:\s*(?:av|/|\()\s*\d{1,3}\)?)?$", re.IGNORECASE)


@dataclass
class _Fragment:
    x0: float
    x1: float
    top: float
    bottom: float
    text: str
    size: float
    bold: bool


@dataclass
class _PdfLine:
    text: str
    x0: float
    top: float
    bottom: float
    size: float
    bold: bool
    column: int = 0
    #: A ruled table's lines (`table_lines`), written as they are in place of the line's text.
    table: list[str] | None = None


@dataclass(frozen=True)
class _PdfTable:
    """A table drawn with ruling lines, as pdfplumber finds it: where it stands and its cells' text by row."""

    x0: float
    top: float
    x1: float
    bottom: float
    rows: list[list[str]]
    #: Where the columns of a table without any lines start (`_rows_under_header`): a table going on at the top
    #: of the next page is read in the same columns.
    starts: tuple[float, ...] = ()

    def holds(self, fragment: _Fragment) -> bool:
        middle_x, middle_y = (fragment.x0 + fragment.x1) / 2, (fragment.top + fragment.bottom) / 2
        return self.x0 <= middle_x <= self.x1 and self.top <= middle_y <= self.bottom


def _pdf_tables(data: bytes) -> list[list[_PdfTable]]:
    """Each page's ruled activity tables (pdfplumber), for the first `MAX_PDF_PAGES` pages: tables whose header
    row names an activity column ("Aktivitet", "Åtgärd"). Other tables (statistics, a layout drawn as a grid)
    are left to be read as lines, as before. A table at the top of a page that goes on from the page before
    without repeating its header row gets that table's header (when it has as many columns). A file pdfplumber
    cannot read has no tables (read_pdf reports what pdfminer makes of it)."""
    import pdfplumber

    found: list[list[_PdfTable]] = []
    header: list[str] | None = None
    lineless: tuple[list[str], tuple[float, ...]] | None = None
    budget = MAX_PDF_CROSSINGS
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for page in pdf.pages[:MAX_PDF_PAGES]:
                tables: list[_PdfTable] = []
                carried, header = header, None
                carried_lineless, lineless = lineless, None
                crossings = len({round(edge["top"]) for edge in page.horizontal_edges}) * len(
                    {round(edge["x0"]) for edge in page.vertical_edges}
                )
                budget -= crossings
                if crossings > MAX_PDF_PAGE_CROSSINGS or budget < 0:
                    found.append(tables)
                    continue
                for table in page.find_tables():
                    rows = [[_words(cell or "") for cell in row] for row in table.extract()]
                    rows = [row for row in rows if any(row)]
                    if not rows or max(len(row) for row in rows) < 2:
                        continue
                    # The header row, under a title row across the table when there is one.
                    head = _title_rows(rows)
                    if _column_roles(rows[head]).get("activity") is not None and len(rows) > head + 1:
                        # A form-like table has no header row to carry over.
                        cells = [[(text, False) for text in row] for row in rows]
                        header = None if _is_key_value(cells) else rows[head]
                    elif (
                        carried is not None
                        and not tables
                        and table.bbox[1] < 0.2 * float(page.height)
                        and len(carried) == len(rows[0])
                    ):
                        rows, header = [carried, *rows], carried
                    else:
                        header = None
                        continue
                    tables.append(_PdfTable(*table.bbox, rows))
                if not tables and (ruled := _rows_under_header(page, carried_lineless)) is not None:
                    tables.append(ruled)
                    if ruled.starts and ruled.bottom > 0.75 * float(page.height):
                        lineless = (ruled.rows[0], ruled.starts)
                found.append(tables)
    except Exception:  # pdfminer (under pdfplumber) raises many kinds; read_pdf reports them.
        return []
    return found


# Words further apart than this on a header line stand in different columns.
_COLUMN_GAP = 10.0
MAX_PAGE_RULES = 300
#: A table without any lines: a header cell is at most this many words, and a blank band between two lines
#: taller than this share of the font size ends a row (a wrapped cell's lines stand closer than that).
_HEADER_WORDS = 4
_ROW_GAP = 0.4
#: Header-like lines tried on one page: each try reads the lines below it (a hostile page of thousands of them).
MAX_HEADER_TRIES = 20


def _rows_under_header(
    page: Any, carried: tuple[list[str], tuple[float, ...]] | None = None
) -> _PdfTable | None:
    """An activity table with no column lines for pdfplumber to find (a designed layout, or a Word table without
    borders): a header line whose words name an activity column and another role ("Aktivitet   Ansvarig   När").
    With a rule right below the header, a row stands between each two rules, and one more after the last rule;
    with no rule at all, a row ends at a blank band between lines taller than a wrapped cell's line spacing
    (`_rows_by_spacing`). Each word goes to the column whose header starts at or left of it, so a cell's wrapped
    lines stay in their cell. ``carried`` is the header and column starts of a table without lines that ran to
    the foot of the page before: rows set in those columns at the top of this page go on with it."""
    width = float(page.width)
    extents: dict[float, list[float]] = {}
    for edge in page.horizontal_edges:
        extent = extents.setdefault(round(float(edge["top"])), [float(edge["x0"]), float(edge["x1"])])
        extent[0], extent[1] = min(extent[0], float(edge["x0"])), max(extent[1], float(edge["x1"]))
    rules = sorted(top for top, (x0, x1) in extents.items() if x1 - x0 >= 0.5 * width)
    # A page of hundreds of rules is no table a person drew; each row is compared with each rule below.
    if len(rules) > MAX_PAGE_RULES:
        return None
    lines: list[list[dict[str, Any]]] = []
    words = page.extract_words(extra_attrs=["size"])
    for word in sorted(words, key=lambda word: (round(float(word["top"])), float(word["x0"]))):
        if lines and abs(float(lines[-1][0]["top"]) - float(word["top"])) < 2:
            lines[-1].append(word)
        else:
            lines.append([word])
    if carried is not None and (table := _table_going_on(lines, carried, float(page.height), width)):
        return table
    tries = 0
    for number, line in enumerate(lines):
        phrases: list[list[dict[str, Any]]] = []
        for word in sorted(line, key=lambda word: float(word["x0"])):
            if phrases and float(word["x0"]) - float(phrases[-1][-1]["x1"]) <= _COLUMN_GAP:
                phrases[-1].append(word)
            else:
                phrases.append([word])
        header = [" ".join(word["text"] for word in phrase) for phrase in phrases]
        roles = _column_roles(header)
        if len(header) < 2 or "activity" not in roles or len(roles) < 2:
            continue
        tries += 1
        if tries > MAX_HEADER_TRIES:
            return None
        bottom = max(float(word["bottom"]) for word in line)
        starts = [float(phrase[0]["x0"]) for phrase in phrases]
        body = lines[number + 1 :]
        below = [rule for rule in rules if bottom <= rule <= bottom + 25]
        bounds: list[float] | None
        if below:
            bounds = _rows_by_rules([rule for rule in rules if rule >= below[0]], body, starts)
        elif not any(bottom - 5 <= rule <= bottom + 100 for rule in rules) and all(
            len(phrase) <= _HEADER_WORDS for phrase in phrases
        ):
            # Every header cell names a role: a line of a text column beside a heading is no header.
            bounds = _rows_by_spacing(body, starts, bottom) if len(roles) == len(header) else None
        else:
            bounds = None
        if bounds is None:
            continue
        if below:
            rows = [header, *_cells_between(bounds, body, starts)]
            if len(rows) < 2:
                return None
            return _PdfTable(min(starts) - 1, float(line[0]["top"]) - 1, width, bounds[-1], rows)
        lineless = _lineless_rows(bounds, body, starts)
        if lineless is None:
            continue
        rows, bottom = lineless
        return _PdfTable(
            min(starts) - 1, float(line[0]["top"]) - 1, width, bottom, [header, *rows], tuple(starts)
        )
    return None


def _cells_between(
    bounds: Sequence[float], body: Sequence[Sequence[dict[str, Any]]], starts: Sequence[float]
) -> list[list[str]]:
    """The rows between each two bounds, each word in the column whose header starts at or left of it."""
    rows = []
    for upper, lower in itertools.pairwise(bounds):
        cells = [""] * len(starts)
        for other in body:
            for word in other:
                if upper < (float(word["top"]) + float(word["bottom"])) / 2 < lower:
                    column = _column_of(word, starts)
                    cells[column] = f"{cells[column]} {word['text']}".strip()
        if any(cells):
            rows.append(cells)
    return rows


def _lineless_rows(
    bounds: list[float], body: Sequence[Sequence[dict[str, Any]]], starts: Sequence[float]
) -> tuple[list[list[str]], float] | None:
    """The rows of a table without lines and where it ends, or None when they do not make a table: it has rows
    with the activity and something beside it, two at least (lines of text under a header-like line fill the
    first column, or run across the columns once by chance). A short line under the table (a page number, a
    note) is no row: every row before it holds more than the first column, and without lines nothing else says
    where the table ends."""
    rows = _cells_between(bounds, body, starts)
    if sum(1 for row in rows if row[0] and any(row[1:])) < 2:
        return None
    while len(rows) > 1 and not any(rows[-1][1:]) and all(any(row[1:]) for row in rows[:-1]):
        rows.pop()
        bounds = bounds[:-1]
    return rows, bounds[-1]


def _table_going_on(
    lines: Sequence[Sequence[dict[str, Any]]],
    carried: tuple[list[str], tuple[float, ...]],
    height: float,
    width: float,
) -> _PdfTable | None:
    """A table without lines going on at the top of this page in the columns of the page before, under its
    header: from the first line with words in two of its columns (a running header above stays text)."""
    header, starts = carried
    for number, line in enumerate(lines):
        top = min(float(word["top"]) for word in line)
        if top > 0.3 * height:
            return None
        if len({_column_of(word, starts) for word in line}) < 2:
            continue
        if _crosses_a_column(line, starts) or not _set_in_columns(line, starts):
            return None
        bounds = _rows_by_spacing(lines[number:], starts, top - 1)
        found = _lineless_rows(bounds, lines[number:], starts) if bounds is not None else None
        if found is None:
            return None
        rows, bottom = found
        return _PdfTable(min(starts) - 1, top - 1, width, bottom, [list(header), *rows], starts)
    return None


def _crosses_a_column(line: Sequence[dict[str, Any]], starts: Sequence[float]) -> bool:
    """A line of running text under a table: one of its words runs over where a column starts (a cell's text
    ends before the next column)."""
    return any(float(word["x0"]) < start - 1 < float(word["x1"]) for word in line for start in starts[1:])


def _rows_by_rules(
    bounds: list[float], body: Sequence[Sequence[dict[str, Any]]], starts: Sequence[float]
) -> list[float]:
    """The rules from the one under the header on, and after the last rule the lines that follow on, up to the
    first gap wider than a line or the first line of running text."""
    end = bounds[-1]
    for other in body:
        if float(other[0]["top"]) <= bounds[-1]:
            continue
        if float(other[0]["top"]) - end > 20 or _crosses_a_column(other, starts):
            break
        end = max(float(word["bottom"]) for word in other)
    return [*bounds, end + 1] if end > bounds[-1] else bounds


def _rows_by_spacing(
    body: Sequence[Sequence[dict[str, Any]]], starts: Sequence[float], top: float
) -> list[float] | None:
    """Where the rows of a table without lines begin and end. The table's lines run from the header to the
    first line that is not set in its columns (running text, whose words do not start where the header's
    do), a line in another font size or a gap wider than three lines. Its rows end at the wider blank bands
    between lines: wider than `_ROW_GAP` of the font size and clearly wider than the narrowest band (a wrapped
    cell's line spacing); where all bands are alike, they all end rows if they are that wide, else none do, and
    then each line starting with a capital in the first column starts a row."""
    taken: list[Sequence[dict[str, Any]]] = []
    size = 0.0
    end = top
    for line in body:
        line_size = max(float(word.get("size", 0)) for word in line)
        size = size or line_size
        if (
            float(line[0]["top"]) - end > 3 * size
            or abs(line_size - size) > 0.15 * size
            or _crosses_a_column(line, starts)
            or not _set_in_columns(line, starts)
        ):
            break
        taken.append(line)
        end = max(end, max(float(word["bottom"]) for word in line))
    if not taken:
        return None
    # The lines as blocks of text that touch (a cell's lines set without leading), and the bands between.
    blocks: list[list[float]] = []
    for line in taken:
        upper, lower = min(float(word["top"]) for word in line), max(float(word["bottom"]) for word in line)
        if blocks and upper - blocks[-1][1] <= 0.5:
            blocks[-1][1] = max(blocks[-1][1], lower)
        else:
            blocks.append([upper, lower])
    bands = [after[0] - before[1] for before, after in itertools.pairwise(blocks)]
    narrowest = min(bands, default=0.0)
    if bands and max(bands) <= 1.3 * narrowest + 0.5:
        row_gap = narrowest - 0.5 if narrowest > _ROW_GAP * size else float("inf")
    else:
        row_gap = max(_ROW_GAP * size, 1.3 * narrowest + 0.5)
    spans: list[list[float]] = [list(blocks[0])]
    for band, block in zip(bands, blocks[1:], strict=True):
        if band > row_gap:
            spans.append(list(block))
        else:
            spans[-1][1] = max(spans[-1][1], block[1])
    if len(spans) == 1 and len(taken) > 1:
        spans = []
        for line in taken:
            first = min(line, key=lambda word: float(word["x0"]))
            upper, lower = (
                min(float(word["top"]) for word in line),
                max(float(word["bottom"]) for word in line),
            )
            opens = float(first["x0"]) < starts[1] - 1 and first["text"][:1].isupper()
            if spans and not opens:
                spans[-1][1] = max(spans[-1][1], lower)
            else:
                spans.append([upper, lower])
    # A paragraph under the table stands further below its last row than the rows stand apart.
    gaps = [after[0] - before[1] for before, after in itertools.pairwise(spans)]
    for index, gap in enumerate(gaps):
        if index and gap > 1.6 * statistics.median(gaps[:index]) + 1:
            spans = spans[: index + 1]
            break
    bounds = [top]
    for before, after in itertools.pairwise(spans):
        bounds.append((before[1] + after[0]) / 2)
    return [*bounds, spans[-1][1] + 1]


def _column_of(word: dict[str, Any], starts: Sequence[float]) -> int:
    """The column a word stands in: the last whose header starts at or left of it (a few points of slack)."""
    x0 = float(word["x0"])
    return max((index for index, start in enumerate(starts) if start <= x0 + 3), default=0)


def _set_in_columns(line: Sequence[dict[str, Any]], starts: Sequence[float]) -> bool:
    """Whether a line's words stand in a table's columns: in each column but the first that holds any, the
    first starts where the column's header does (a cell's text is set from its left edge)."""
    firsts: dict[int, float] = {}
    for word in line:
        x0, column = float(word["x0"]), _column_of(word, starts)
        firsts[column] = min(firsts.get(column, x0), x0)
    return all(abs(x0 - starts[column]) <= 3 for column, x0 in firsts.items() if column)


def read_pdf(data: bytes) -> str:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LAParams

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    try:
        tables = _pdf_tables(data)
        pages = [
            _page_lines(page, tables[number] if number < len(tables) else [])
            for number, page in enumerate(
                extract_pages(io.BytesIO(data), laparams=LAParams(), maxpages=MAX_PDF_PAGES)
            )
        ]
    except Exception as error:  # pdfminer raises many kinds of errors on a damaged or hostile file.
        if (
            "password" in f"{type(error).__name__} {error}".lower()
            or "encrypt" in type(error).__name__.lower()
        ):
            raise DocumentError(
                gettext_noop("PDF-filen är lösenordsskyddad. Spara den utan lösenord och försök igen.")
            ) from error
        raise DocumentError(
            gettext_noop("PDF-filen kunde inte läsas (%(kind)s). Är den hel och verkligen en PDF?"),
            kind=type(error).__name__,
        ) from error
    text = _pdf_text(pages)
    if not text.strip():
        raise DocumentError(
            gettext_noop(
                "PDF-filen innehåller ingen text (kanske en inskannad bild). Klistra in texten i stället."
            )
        )
    return text


def _fragments(page: Any) -> list[_Fragment]:
    from pdfminer.layout import LTChar, LTTextContainer, LTTextLine

    fragments: list[_Fragment] = []

    def visit(item: Any) -> None:
        if isinstance(item, LTTextLine):
            chars = [char for char in item if isinstance(char, LTChar)]
            text = symbol_bullets(_words(item.get_text()))
            if not text or not chars:
                return
            sizes = Counter(round(char.size, 1) for char in chars if char.get_text().strip())
            size = sizes.most_common(1)[0][0] if sizes else round(chars[0].size, 1)
            visible = [char for char in chars if char.get_text().strip()]
            bold = bool(visible) and all(
                re.search(r"bold|black|heavy|semibold", char.fontname, re.I) for char in visible
            )
            fragments.append(
                _Fragment(item.x0, item.x1, page.height - item.y1, page.height - item.y0, text, size, bold)
            )
        elif isinstance(item, LTTextContainer) or hasattr(item, "__iter__"):
            for child in item:
                visit(child)

    for element in page:
        visit(element)
    return fragments


def _page_lines(page: Any, tables: Sequence[_PdfTable] = ()) -> tuple[float, list[_PdfLine]]:
    """The lines of one page in reading order: full-width lines as they come, and between them the left
    column before the right one. A ruled table is one line holding its rows, where the table stands; its cells'
    text is not read again as lines (nor does a table's column look like a second column of text)."""
    fragments = [
        fragment for fragment in _fragments(page) if not any(table.holds(fragment) for table in tables)
    ]
    if not fragments and not tables:
        return page.height, []
    gutter = _gutter(fragments, page.width) if fragments else None
    size = (
        Counter(round(fragment.size, 1) for fragment in fragments).most_common(1)[0][0] if fragments else 10.0
    )
    for table in tables:
        # Stands in the flow as a full-width fragment: the table's own line is made below.
        fragments.append(_Fragment(table.x0, table.x1, table.top, table.bottom, "", size, False))
    rows: list[list[_Fragment]] = []
    for fragment in sorted(fragments, key=lambda item: (item.top, item.x0)):
        middle = (fragment.top + fragment.bottom) / 2
        if rows and abs((rows[-1][0].top + rows[-1][0].bottom) / 2 - middle) < 0.4 * fragment.size:
            rows[-1].append(fragment)
        else:
            rows.append([fragment])
    ordered: list[_PdfLine] = []
    left: list[_PdfLine] = []
    right: list[_PdfLine] = []
    by_top = {(table.top, table.x0): table for table in tables}
    for row in rows:
        row.sort(key=lambda item: item.x0)
        for item in [item for item in row if not item.text]:
            ordered += left + right
            left, right = [], []
            table = by_top[(item.top, item.x0)]
            ordered.append(
                _PdfLine(
                    "", table.x0, table.top, table.bottom, item.size, False, 0, table_lines_of(table.rows)
                )
            )
        row = [item for item in row if item.text]
        if not row:
            continue
        if gutter is None or any(item.x0 < gutter < item.x1 for item in row):
            ordered += left + right
            left, right = [], []
            ordered.append(_join_fragments(row, 0))
            continue
        if parts := [item for item in row if item.x1 <= gutter]:
            left.append(_join_fragments(parts, 1))
        if parts := [item for item in row if item.x0 >= gutter]:
            right.append(_join_fragments(parts, 2))
    return page.height, ordered + left + right


def _gutter(fragments: list[_Fragment], width: float) -> float | None:
    """The x in the middle of the empty band between two columns, when the page has two."""
    candidates: list[tuple[float, int]] = []
    for step in range(50, 151):
        x = width * step / 200
        crossing = sum(1 for item in fragments if item.x0 < x < item.x1)
        left = sum(1 for item in fragments if item.x1 <= x)
        right = sum(1 for item in fragments if item.x0 >= x)
        if left >= 3 and right >= 3:
            candidates.append((x, crossing))
    if not candidates:
        return None
    fewest = min(crossing for _, crossing in candidates)
    # Headings, headers and footers may run across both columns; body text may not.
    if fewest > max(2, len(fragments) // 10):
        return None
    runs: list[list[float]] = []
    for x, crossing in candidates:
        if crossing != fewest:
            continue
        if runs and x - runs[-1][-1] <= width / 200 + 0.01:
            runs[-1].append(x)
        else:
            runs.append([x])
    widest = max(runs, key=lambda run: run[-1] - run[0])
    return (widest[0] + widest[-1]) / 2


def _join_fragments(fragments: list[_Fragment], column: int) -> _PdfLine:
    text = fragments[0].text
    for before, fragment in itertools.pairwise(fragments):
        text += ("" if fragment.x0 - before.x1 < 0.1 * fragment.size else " ") + fragment.text
    size = max(fragment.size for fragment in fragments)
    return _PdfLine(
        _words(text),
        fragments[0].x0,
        min(fragment.top for fragment in fragments),
        max(fragment.bottom for fragment in fragments),
        size,
        all(fragment.bold for fragment in fragments),
        column,
    )


def _running_lines(pages: list[tuple[float, list[_PdfLine]]]) -> set[str]:
    """Page headers and footers: lines at the top or bottom of two or more pages, digits aside."""
    seen: Counter[str] = Counter()
    for height, lines in pages:
        keys = {
            re.sub(r"\d+", "#", line.text)
            for line in lines
            if line.top < 0.08 * height or line.bottom > 0.92 * height
        }
        seen.update(keys)
    return {key for key, count in seen.items() if count >= 2}


def _pdf_text(pages: list[tuple[float, list[_PdfLine]]]) -> str:
    running = _running_lines(pages) if len(pages) > 1 else set()
    kept: list[_PdfLine] = []
    for height, lines in pages:
        for line in lines:
            edge = line.table is None and (line.top < 0.08 * height or line.bottom > 0.92 * height)
            if edge and (re.sub(r"\d+", "#", line.text) in running or _PAGE_NUMBER_RE.match(line.text)):
                continue
            kept.append(line)
    body = Counter[float]()
    for line in kept:
        body[line.size] += len(line.text)
    body_size = body.most_common(1)[0][0] if body else 0
    # A one-page PDF shows no repetition: small print at the very top or bottom is its header or footer.
    heights = {id(line): height for height, lines in pages for line in lines}
    kept = [
        line
        for line in kept
        if line.table is not None
        or not (
            line.size < body_size * 0.9
            and (line.top < 0.08 * heights[id(line)] or line.bottom > 0.92 * heights[id(line)])
        )
    ]
    if not kept:
        return ""
    heading_sizes = sorted({line.size for line in kept if line.size >= body_size * 1.15}, reverse=True)
    margins: dict[int, float] = {}
    for line in kept:
        if line.table is None:
            margins[line.column] = min(margins.get(line.column, line.x0), line.x0)
    output: list[str] = []
    previous: _PdfLine | None = None
    item_indent: int | None = None
    for line in kept:
        if line.table is not None:
            output += line.table
            item_indent, previous = None, None
            continue
        gap = line.top - previous.bottom if previous is not None and previous.column == line.column else None
        new_paragraph = gap is None or gap > 0.8 * line.size or gap < -2 * line.size
        words = line.text.split()
        heading = line.size in heading_sizes or (
            line.bold
            and len(words) <= 12
            and not line.text.endswith((".", ",", ";"))
            and not _BULLET_START_RE.match(line.text)
        )
        offset = line.x0 - margins[line.column]
        if heading:
            level = (
                heading_sizes.index(line.size) + 1 if line.size in heading_sizes else len(heading_sizes) + 1
            )
            marker = "#" * min(level, 6) + " "
            if (
                not new_paragraph
                and output
                and output[-1].startswith(marker)
                and previous
                and previous.size == line.size
            ):
                # A heading wrapped over two lines is one heading.
                output[-1] += " " + line.text
            else:
                output += ["", marker + line.text]
            item_indent = None
        elif _BULLET_START_RE.match(line.text):
            if new_paragraph or item_indent is None:
                output.append("")
            item_indent = max(int(offset // 12), 0)
            marker, _, rest = line.text.partition(" ")
            marker = marker if marker[:1].isdigit() else "-"
            output.append("  " * item_indent + f"{marker} {rest}")
        elif item_indent is not None and offset > 4 and not new_paragraph:
            output.append("  " * (item_indent + 1) + line.text)
        elif (
            not new_paragraph
            and output
            and re.search(r"[a-zåäö]-$", output[-1])
            and line.text[:1].islower()
            and not re.match(r"(?:och|eller|samt)\b", line.text)
        ):
            # A word split over two lines ("hastig-" / "hetskontroller") is one word again.
            output[-1] = output[-1][:-1] + line.text
        else:
            if new_paragraph or item_indent is not None or (output and output[-1].startswith("#")):
                output.append("")
            item_indent = None
            output.append(line.text)
        previous = line
    return re.sub(r"\n{3,}", "\n\n", "\n".join(output)).strip() + "\n"


# ---------------------------------------------------------------------------------------------------
# Word

# A promise in Word is a few hundred kilobytes unpacked; these bounds stop zip bombs before they unpack.
MAX_DOCX_ENTRIES = 1000
MAX_DOCX_PART_BYTES = 20 * 1024 * 1024
MAX_DOCX_TOTAL_BYTES = 60 * 1024 * 1024
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TOO_LARGE_DOCX = gettext_noop("Word-filen är för stor uppackad för att vara ett medborgarlöfte.")
_NOT_A_DOCX = gettext_noop("Word-filen kunde inte läsas. Spara den som .docx (inte .doc) och försök igen.")


def _docx_part(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    chunks: list[bytes] = []
    size = 0
    # The sizes in the zip directory may lie: count what actually comes out.
    with archive.open(info) as handle:
        while chunk := handle.read(1024 * 1024):
            size += len(chunk)
            if size > MAX_DOCX_PART_BYTES:
                raise DocumentError(_TOO_LARGE_DOCX)
            chunks.append(chunk)
    return b"".join(chunks)


def _docx_xml(archive: zipfile.ZipFile, name: str) -> Any | None:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    data = _docx_part(archive, name)
    if data is None:
        return None
    try:
        # No DTD, no entities: a billion-laughs file is refused before anything expands.
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise DocumentError(
            gettext_noop("Word-filen innehåller otillåten XML (DTD eller entiteter) och läses inte.")
        ) from error
    except Exception as error:  # ElementTree.ParseError and expat errors on damaged XML.
        raise DocumentError(_NOT_A_DOCX) from error


def read_docx(data: bytes) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as error:
        raise DocumentError(_NOT_A_DOCX) from error
    with archive:
        if (
            len(entries) > MAX_DOCX_ENTRIES
            or sum(entry.file_size for entry in entries) > MAX_DOCX_TOTAL_BYTES
        ):
            raise DocumentError(_TOO_LARGE_DOCX)
        try:
            document = _docx_xml(archive, "word/document.xml")
            styles = _docx_styles(_docx_xml(archive, "word/styles.xml"))
            numbering = _docx_numbering(_docx_xml(archive, "word/numbering.xml"))
        except (zipfile.BadZipFile, RuntimeError, OSError, EOFError, NotImplementedError) as error:
            raise DocumentError(_NOT_A_DOCX) from error
    if document is None:
        raise DocumentError(_NOT_A_DOCX)
    body = document.find(f"{_W}body")
    lines: list[str] = []
    counters: dict[tuple[str, int], int] = {}
    for element in _docx_blocks(body) if body is not None else []:
        if element.tag == f"{_W}p":
            lines.append(_docx_paragraph(element, styles, numbering, counters))
        else:
            lines.extend(_docx_table(element))
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if not text:
        raise DocumentError(gettext_noop("Word-filen innehåller ingen text."))
    return text + "\n"


def _docx_blocks(container: Any) -> Iterator[Any]:
    """The paragraphs and tables of the body in document order, also those inside content controls (a cover
    page, a table of contents, a form's fields: `w:sdt`) and custom XML, which wrap ordinary blocks."""
    for element in container:
        if element.tag in (f"{_W}p", f"{_W}tbl"):
            yield element
        elif element.tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml"):
            yield from _docx_blocks(element)


@dataclass(frozen=True)
class _DocxStyle:
    name: str
    heading: int | None
    numbering: tuple[str, int] | None


def _value(element: Any, path: str) -> str | None:
    found = element.find(path) if element is not None else None
    return found.get(f"{_W}val") if found is not None else None


def _docx_styles(root: Any) -> dict[str, _DocxStyle]:
    if root is None:
        return {}
    raw: dict[str, tuple[str, str | None, int | None, tuple[str, int] | None]] = {}
    for style in root.iter(f"{_W}style"):
        style_id = style.get(f"{_W}styleId") or ""
        name = _value(style, f"{_W}name") or style_id
        based_on = _value(style, f"{_W}basedOn")
        properties = style.find(f"{_W}pPr")
        outline = _value(properties, f"{_W}outlineLvl")
        number_id = _value(properties, f"{_W}numPr/{_W}numId")
        level = _value(properties, f"{_W}numPr/{_W}ilvl")
        numbering = (number_id, int(level or 0)) if number_id else None
        raw[style_id] = (
            name,
            based_on,
            int(outline) + 1 if outline and outline.isdigit() else None,
            numbering,
        )
    styles: dict[str, _DocxStyle] = {}
    for style_id, (name, based_on, level_of_outline, numbering) in raw.items():
        outline_level = level_of_outline
        # Headings and lists are often inherited: "Rubrik 2 Kommun" based on "heading 2".
        seen = {style_id}
        parent = based_on
        while (
            parent and parent in raw and parent not in seen and (outline_level is None or numbering is None)
        ):
            seen.add(parent)
            outline_level = outline_level or raw[parent][2]
            numbering = numbering or raw[parent][3]
            name_heading = re.match(r"(?:heading|rubrik)\s*(\d)", raw[parent][0], re.IGNORECASE)
            if outline_level is None and name_heading:
                outline_level = int(name_heading.group(1))
            parent = raw[parent][1]
        named = re.match(r"(?:heading|rubrik)\s*(\d)", name, re.IGNORECASE)
        heading = int(named.group(1)) if named else outline_level
        if name.lower() in {"title", "rubrik", "titel"}:
            heading = 1
        styles[style_id] = _DocxStyle(name, heading, numbering)
    return styles


def _docx_numbering(root: Any) -> dict[tuple[str, int], str]:
    """The number format ("bullet", "decimal", …) of each list and level."""
    if root is None:
        return {}
    abstract: dict[str, dict[int, str]] = {}
    for definition in root.iter(f"{_W}abstractNum"):
        levels = {}
        for level in definition.iter(f"{_W}lvl"):
            levels[int(level.get(f"{_W}ilvl") or 0)] = _value(level, f"{_W}numFmt") or "bullet"
        abstract[definition.get(f"{_W}abstractNumId") or ""] = levels
    formats: dict[tuple[str, int], str] = {}
    for instance in root.iter(f"{_W}num"):
        levels = abstract.get(_value(instance, f"{_W}abstractNumId") or "", {})
        for level, number_format in levels.items():
            formats[(instance.get(f"{_W}numId") or "", level)] = number_format
    return formats


_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


#: What is not on the page: Word's second copy of a text box (`mc:Fallback`), and tracked changes' text that was
#: deleted or moved away from here (it stands again where it was moved to).
_NOT_SHOWN = frozenset({_MC_FALLBACK, f"{_W}del", f"{_W}moveFrom"})


def _runs(element: Any) -> Iterator[Any]:
    """The runs under an element in document order, without what the page does not show (`_NOT_SHOWN`): Word
    writes a text box twice, as a drawing and as the same text for older readers, and its text would be read
    twice; text moved by a tracked change is written where it was and where it went."""
    for child in element:
        if child.tag == f"{_W}r":
            yield child
        if child.tag not in _NOT_SHOWN:
            yield from _runs(child)


def _docx_runs_text(paragraph: Any) -> tuple[str, bool]:
    parts: list[str] = []
    bold_chars = plain_chars = 0
    for run in _runs(paragraph):
        properties = run.find(f"{_W}rPr")
        bold_element = properties.find(f"{_W}b") if properties is not None else None
        bold = bold_element is not None and bold_element.get(f"{_W}val") not in {"0", "false"}
        for child in run:
            if child.tag == f"{_W}t" and child.text:
                parts.append(child.text)
                if child.text.strip():
                    bold_chars += len(child.text.strip()) if bold else 0
                    plain_chars += 0 if bold else len(child.text.strip())
            elif child.tag in {f"{_W}tab", f"{_W}br", f"{_W}cr"}:
                parts.append(" ")
            elif child.tag == f"{_W}noBreakHyphen":
                # Word keeps a non-breaking hyphen ("Ekby-Norrby", "2023-2024") as an element, not a character.
                parts.append("-")
    return _words("".join(parts)), bool(bold_chars) and not plain_chars


def _docx_paragraph(
    paragraph: Any,
    styles: dict[str, _DocxStyle],
    numbering: dict[tuple[str, int], str],
    counters: dict[tuple[str, int], int],
) -> str:
    text, bold = _docx_runs_text(paragraph)
    if not text:
        return ""
    properties = paragraph.find(f"{_W}pPr")
    style = styles.get(_value(properties, f"{_W}pStyle") or "Normal") or styles.get("Normal")
    outline = _value(properties, f"{_W}outlineLvl")
    heading = int(outline) + 1 if outline and outline.isdigit() else (style.heading if style else None)
    if heading:
        return "\n" + "#" * min(heading, 6) + " " + text + "\n"
    number_id = _value(properties, f"{_W}numPr/{_W}numId")
    level_text = _value(properties, f"{_W}numPr/{_W}ilvl")
    # "List Bullet 2" is a list at the second level even where its numbering says level 0.
    named_level = re.search(r"(?:List|Lista|Punktlista|Numrerad lista)\D*(\d)$", style.name if style else "")
    depth = int(named_level.group(1)) - 1 if named_level else 0
    list_at: tuple[str, int] | None = None
    if number_id and number_id != "0":
        list_at = (number_id, int(level_text or 0))
    elif style and style.numbering:
        list_at = style.numbering
    elif style and re.match(
        r"(?:List|Lista|Liststycke|Punktlista|Numrerad lista)", style.name, re.IGNORECASE
    ):
        numbered = bool(re.search(r"number|numrerad", style.name, re.IGNORECASE))
        return "  " * depth + _list_marker(("", depth), numbered, counters) + text
    if list_at is not None:
        numbered = numbering.get(list_at, "bullet") not in {"bullet", "none"}
        depth = max(depth, list_at[1])
        return "  " * depth + _list_marker((list_at[0], depth), numbered, counters) + text
    if bold and len(text.split()) <= 12 and not text.endswith((".", "!", "?")):
        return "\n#### " + text + "\n"
    return "\n" + text + "\n"


def _list_marker(list_at: tuple[str, int], numbered: bool, counters: dict[tuple[str, int], int]) -> str:
    # A new item at one level starts the numbering of the levels under it again.
    for key in [key for key in counters if key[0] == list_at[0] and key[1] > list_at[1]]:
        del counters[key]
    if not numbered:
        return "- "
    counters[list_at] = counters.get(list_at, 0) + 1
    return f"{counters[list_at]}. "


def _docx_table(table: Any) -> list[str]:
    rows: list[list[_Cell]] = []
    for row in table.iter(f"{_W}tr"):
        cells = []
        for cell in row.findall(f"{_W}tc"):
            text = " ".join(_docx_runs_text(paragraph)[0] for paragraph in cell.iter(f"{_W}p"))
            properties = cell.find(f"{_W}tcPr")
            across = _span(_value(properties, f"{_W}gridSpan")) if properties is not None else 1
            merge = properties.find(f"{_W}vMerge") if properties is not None else None
            # A vertically merged cell goes on from the one above unless it says "restart".
            below = merge is not None and merge.get(f"{_W}val", "continue") == "continue"
            cells.append(_Cell(text, False, 1, across, continues=below))
        rows.append(cells)
    return table_lines(_grid(rows))
