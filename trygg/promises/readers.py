"""Turn a published promise file into plain text that keeps its structure.

Headings become "# …" lines and list items "- …" lines (indented two spaces per level), so that
parsing.py sees the same shape whether the promise came as a web page, a Word file or a PDF. Pure: no Django.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pypdf import PageObject

SUPPORTED_SUFFIXES = (".txt", ".md", ".html", ".htm", ".pdf", ".docx")


class DocumentError(Exception):
    """A file that cannot be read as a promise; the message is meant for the person who supplied it."""


def read_document(source: str | os.PathLike[str] | bytes, suffix: str | None = None) -> str:
    """The text of a .txt, .md, .html, .pdf or .docx document given as a path or as bytes."""
    if isinstance(source, bytes):
        if not suffix:
            raise DocumentError("Filtypen är okänd: ange filändelsen (.txt, .md, .html, .pdf eller .docx).")
        data = source
    else:
        path = Path(source)
        suffix = suffix or path.suffix
        try:
            data = path.read_bytes()
        except OSError as error:
            raise DocumentError(f"Filen {path.name} kunde inte läsas: {error.strerror or error}.") from error
    suffix = suffix.lower() if suffix.startswith(".") else f".{suffix.lower()}"
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(
            f"Filtypen {suffix} stöds inte. Använd .txt, .md, .html, .pdf eller .docx, eller klistra in texten."
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
    if b"\x00" in data[:4096]:
        raise DocumentError("Filen ser ut att vara binär, inte text.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older Swedish Windows exports are cp1252; it decodes å, ä and ö correctly.
        return data.decode("cp1252", errors="replace")


# ---------------------------------------------------------------------------------------------------
# HTML

_BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "br",
    "tr",
    "table",
    "blockquote",
    "dd",
    "dt",
    "figcaption",
}
_SKIPPED_TAGS = {"script", "style", "noscript", "template", "nav", "svg", "head", "button", "form", "iframe"}
_VOID_TAGS = {"br", "img", "hr", "input", "meta", "link", "wbr", "source", "area", "col", "embed"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.prefix = ""
        self.lists: list[str] = []
        self.skipping = 0
        self.heading_level = 0

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self.current)).strip()
        if text:
            self.lines.append(self.prefix + text)
        self.current = []
        self.prefix = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            if tag not in _VOID_TAGS:
                self.skipping += 1
            return
        if self.skipping:
            return
        if tag in {"ul", "ol"}:
            self._flush()
            self.lists.append(tag)
        elif tag == "li":
            self._flush()
            depth = max(len(self.lists) - 1, 0)
            self.prefix = "  " * depth + "- "
        elif re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self.lines.append("")
            self.heading_level = int(tag[1])
            self.prefix = "#" * self.heading_level + " "
        elif tag in {"td", "th"}:
            self.current.append(" | " if self.current else "")
        elif tag in _BLOCK_TAGS:
            self._flush()
            if tag in {"p", "table"}:
                self.lines.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self.skipping = max(self.skipping - 1, 0)
            return
        if self.skipping:
            return
        if tag in {"ul", "ol"}:
            self._flush()
            if self.lists:
                self.lists.pop()
            if not self.lists:
                self.lines.append("")
        elif tag == "li" or tag in _BLOCK_TAGS:
            self._flush()
        elif re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self.lines.append("")
            self.heading_level = 0

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.current.append(data)

    def text(self) -> str:
        self._flush()
        return re.sub(r"\n{3,}", "\n\n", "\n".join(self.lines)).strip() + "\n"


def html_to_text(html: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    return extractor.text()


# ---------------------------------------------------------------------------------------------------
# PDF


def read_pdf(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentError("PDF-filen är lösenordsskyddad. Spara den utan lösenord och försök igen.")
        pages = [_pdf_page_text(page) for page in reader.pages]
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as error:
        raise DocumentError(
            f"PDF-filen kunde inte läsas ({error}). Är den hel och verkligen en PDF?"
        ) from error
    text = "\n\n".join(page.strip() for page in pages if page.strip())
    if not text:
        raise DocumentError(
            "PDF-filen innehåller ingen text (kanske en inskannad bild). Klistra in texten i stället."
        )
    return text + "\n"


def _pdf_page_text(page: PageObject) -> str:
    try:
        # Layout mode keeps the vertical gaps around headings that plain extraction throws away.
        text = page.extract_text(extraction_mode="layout") or ""
    except Exception:  # pypdf's layout mode is young; plain extraction still gives the words.
        text = page.extract_text() or ""
    lines = [re.sub(r"(?<=\S) {2,}", " ", line.rstrip()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))


# ---------------------------------------------------------------------------------------------------
# Word


def read_docx(data: bytes) -> str:
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise DocumentError(
            "Word-filen kunde inte läsas. Spara den som .docx (inte .doc) och försök igen."
        ) from error
    lines: list[str] = []
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.append(_docx_paragraph(Paragraph(element, document)))
        elif tag == "tbl":
            lines.extend(_docx_table(Table(element, document)))
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if not text:
        raise DocumentError("Word-filen innehåller ingen text.")
    return text + "\n"


def _docx_paragraph(paragraph: object) -> str:
    text = re.sub(r"\s+", " ", getattr(paragraph, "text", "")).strip()
    if not text:
        return ""
    style = getattr(getattr(paragraph, "style", None), "name", "") or ""
    heading = re.match(r"(?:Heading|Rubrik)\s*(\d)", style, re.IGNORECASE)
    if heading or style.lower() in {"title", "rubrik"}:
        heading_level = int(heading.group(1)) if heading else 1
        return "\n" + "#" * heading_level + " " + text + "\n"
    list_level = _docx_list_level(paragraph, style)
    if list_level is not None:
        return "  " * list_level + "- " + text
    return "\n" + text + "\n"


def _docx_list_level(paragraph: object, style: str) -> int | None:
    # Word marks list items either by a list style or by numbering properties on the paragraph itself.
    properties = getattr(getattr(paragraph, "_p", None), "pPr", None)
    numbering = getattr(properties, "numPr", None) if properties is not None else None
    if numbering is not None:
        level = getattr(getattr(numbering, "ilvl", None), "val", 0)
        return int(level or 0)
    named = re.match(
        r"(?:List|Lista|Liststycke|Punktlista|Numrerad lista)\s*\w*?\s*(\d)?$", style, re.IGNORECASE
    )
    if named:
        return int(named.group(1)) - 1 if named.group(1) else 0
    return None


def _docx_table(table: object) -> list[str]:
    rows: list[str] = [""]
    for row in getattr(table, "rows", []):
        cells: list[str] = []
        for cell in row.cells:
            value = re.sub(r"\s+", " ", cell.text).strip()
            if value and (not cells or cells[-1] != value):
                cells.append(value)
        if cells:
            rows.append(" | ".join(cells))
    rows.append("")
    return rows
