"""Issue 19, item 1 on paper: in the report card's and the lägesbild's PDFs every column header of every table can
be read on the page (inside the page, not cut off at the margin), no table row is split across two pages, and a
table that runs onto another page repeats its header row there.

The PDFs are read with pypdf (the tagged structure: which page each table row lies on) and pdfminer.six (where each
word is drawn); the tables they must contain are read from the HTML WeasyPrint was given, with html5lib."""

import io
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import html5lib
import pytest
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTPage, LTTextContainer, LTTextLine
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from trygg.core import pdf as core_pdf
from trygg.core.tests.processes import require_program
from trygg.demo.services import demo_load

pytestmark = [pytest.mark.django_db, pytest.mark.appearance]

PDFS = {
    "report card": "/ljungby/2023/rapport.pdf",
    "lägesbild": "/ljungby/lagesbild/2024.pdf",
}


@dataclass(frozen=True)
class HtmlTable:
    caption: str
    headers: list[str]  # the column headers: the <th> of the table's <thead>
    rows: int  # rows in <tbody> and <tfoot>


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


def html_tables(html: str) -> list[HtmlTable]:
    document = html5lib.parse(html, namespaceHTMLElements=False)
    tables = []
    for table in document.iter("table"):
        caption = table.find("caption")
        headers = [_text(th) for thead in table.findall("thead") for th in thead.iter("th")]
        rows = sum(len(group.findall("tr")) for group in [*table.findall("tbody"), *table.findall("tfoot")])
        tables.append(HtmlTable(_text(caption) if caption is not None else "", headers, rows))
    return tables


@dataclass(frozen=True)
class PdfTable:
    header_pages: list[int]  # one entry per header row drawn, the page it is on
    row_pages: list[int]  # one entry per body row drawn (a row split over two pages is drawn twice)


def _pages_of(node: Any, pages: dict[int, int], found: set[int]) -> set[int]:
    node = node.get_object() if hasattr(node, "get_object") else node
    if isinstance(node, DictionaryObject):
        if "/Pg" in node:
            found.add(pages[node.raw_get("/Pg").idnum])
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            _pages_of(kid, pages, found)
    return found


def _struct_children(node: Any) -> Iterator[Any]:
    kids = node.get("/K")
    for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
        if hasattr(kid, "get_object") and isinstance(kid.get_object(), dict):
            yield kid.get_object()


def pdf_tables(data: bytes) -> tuple[list[PdfTable], int]:
    """The tables of a tagged PDF (PDF/UA: WeasyPrint tags every table, row and cell), in document order."""
    reader = PdfReader(io.BytesIO(data))
    pages = {
        page.indirect_reference.idnum: number  # type: ignore[union-attr]
        for number, page in enumerate(reader.pages, start=1)
    }
    tables: list[PdfTable] = []

    def rows_under(node, in_head: bool, header: list[int], body: list[int]) -> None:
        for child in _struct_children(node):
            kind = child.get("/S")
            if kind == "/TR":
                on = sorted(_pages_of(child, pages, set()))
                (header if in_head else body).extend(on)
            elif kind in {"/THead", "/TBody", "/TFoot"}:
                rows_under(child, kind == "/THead", header, body)

    def walk(node) -> None:
        for child in _struct_children(node):
            if child.get("/S") == "/Table":
                header: list[int] = []
                body: list[int] = []
                rows_under(child, False, header, body)
                # A table running onto the next page is tagged there again, without its caption: one table.
                has_caption = any(kid.get("/S") == "/Caption" for kid in _struct_children(child))
                if tables and not has_caption:
                    tables[-1].header_pages.extend(header)
                    tables[-1].row_pages.extend(body)
                else:
                    tables.append(PdfTable(header, body))
            else:
                walk(child)

    root: Any = reader.trailer["/Root"]
    walk(root["/StructTreeRoot"].get_object())
    return tables, len(reader.pages)


def words_inside_each_page(data: bytes) -> dict[int, set[str]]:
    """The words drawn wholly inside each page's box (a column cut off at the margin is not inside)."""
    words: dict[int, set[str]] = {}
    for number, page in enumerate(extract_pages(io.BytesIO(data)), start=1):
        assert isinstance(page, LTPage)
        inside = words.setdefault(number, set())

        def lines(item):
            if isinstance(item, LTTextLine):
                yield item
            elif isinstance(item, LTTextContainer) or hasattr(item, "__iter__"):
                for child in item:
                    yield from lines(child)

        for line in lines(page):
            if line.x0 >= page.x0 and line.x1 <= page.x1 and line.y0 >= page.y0 and line.y1 <= page.y1:
                inside.update(re.findall(r"[\w×–−+%,.:]+", line.get_text()))
    return words


def _header_words(header: str) -> list[str]:
    return re.findall(r"[\w×–−+%,.:]+", header)


@pytest.fixture
def demo_pdfs(client, settings, monkeypatch) -> dict[str, tuple[bytes, str]]:
    """Each PDF, with the HTML WeasyPrint was given for it."""
    settings.RATE_LIMITS_ENABLED = False
    demo_load(with_examples=True)
    given: list[str] = []
    real = core_pdf.pdf_from_html

    def recording(html: str, **kwargs) -> bytes:
        given.append(html)
        return real(html, **kwargs)

    monkeypatch.setattr("trygg.followup.report.pdf_from_html", recording)
    monkeypatch.setattr("trygg.evidence.views.pdf_from_html", recording)
    found = {}
    for name, url in PDFS.items():
        response = client.get(url)
        assert response.status_code == 200, url
        found[name] = (response.content, given[-1])
    return found


@pytest.mark.parametrize("name", list(PDFS))
def test_every_column_header_of_every_table_is_on_its_page_and_no_row_is_split(demo_pdfs, name) -> None:
    data, html = demo_pdfs[name]
    expected = html_tables(html)
    drawn, _page_count = pdf_tables(data)
    words = words_inside_each_page(data)

    assert expected and len(drawn) == len(expected)
    problems = []
    for table, pdf_table in zip(expected, drawn, strict=True):
        label = table.caption[:50] or "/".join(table.headers)[:50]
        if len(pdf_table.row_pages) != table.rows:
            problems.append(f"{label}: {table.rows} rows drawn as {len(pdf_table.row_pages)} pieces")
        # Every page the table's rows are on shows the header row, each header whole and inside the page.
        for page in sorted(set(pdf_table.row_pages)):
            if table.headers and page not in pdf_table.header_pages:
                problems.append(f"{label}: no header row on page {page}")
            missing = [
                word for header in table.headers for word in _header_words(header) if word not in words[page]
            ]
            if missing:
                problems.append(f"{label}: on page {page} the headers lack {missing}")
    assert problems == []


def test_the_check_finds_a_split_row_and_a_header_cut_off_at_the_margin() -> None:
    long_text = "lorem ipsum dolor sit amet " * 60
    rows = "".join(
        f"<tr><th scope='row'>R{i}</th><td>{long_text if i == 20 else 'kort'}</td><td>{i}</td></tr>"
        for i in range(30)
    )
    html = (
        "<!DOCTYPE html><html lang='sv'><head><title>Prov</title><style>td { font-size: 14pt }"
        " .wide { width: 300mm }</style></head><body>"
        "<table><caption>Delad</caption><thead><tr><th scope='col'>Namn</th><th scope='col'>Text</th>"
        f"<th scope='col'>Tal</th></tr></thead><tbody>{rows}</tbody></table>"
        "<table class='wide'><caption>Bred</caption><thead><tr><th scope='col'>Början</th>"
        "<th scope='col' style='padding-left: 250mm'>Utanför</th></tr></thead>"
        "<tbody><tr><td>1</td><td>2</td></tr></tbody></table></body></html>"
    )
    data = core_pdf.pdf_from_html(html)
    drawn, _pages = pdf_tables(data)
    words = words_inside_each_page(data)

    split, wide = drawn
    assert len(split.row_pages) == 31  # 30 rows, one of them drawn in two pieces
    assert sorted(set(split.header_pages)) == sorted(set(split.row_pages)) == [1, 2]
    assert "Början" in words[wide.row_pages[0]] and "Utanför" not in words[wide.row_pages[0]]


def test_the_pdfs_render_to_images(demo_pdfs, tmp_path) -> None:
    """pdftoppm (Poppler) reads both PDFs and draws every page; the PNGs are there to be looked at."""
    program = require_program("pdftoppm", "Poppler's pdftoppm")
    for name, (data, _html) in demo_pdfs.items():
        source = tmp_path / f"{name.replace(' ', '-')}.pdf"
        source.write_bytes(data)
        subprocess.run([program, "-png", "-r", "40", str(source), str(tmp_path / source.stem)], check=True)
        pages = len(PdfReader(io.BytesIO(data)).pages)
        assert len(list(tmp_path.glob(f"{source.stem}-*.png"))) == pages
