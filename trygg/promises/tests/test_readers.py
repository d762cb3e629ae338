from pathlib import Path

import pytest

from trygg.promises.parsing import parse_promise_text
from trygg.promises.readers import DocumentError, html_to_text, read_document

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

PROMISE_LINES = [
    ("heading", "Medborgarlöfte för Bergsjö kommun 2024"),
    ("paragraph", "Bergsjö kommun och polisen har valt två områden för året."),
    ("heading", "Trygg skolväg"),
    ("paragraph", "Många föräldrar skjutsar sina barn eftersom vägen upplevs som farlig."),
    ("bullet", "Polisen ska genomföra minst 10 hastighetskontroller vid skolorna under året."),
    ("bullet", "Bergsjö kommun ska:"),
    ("sub-bullet", "bygga två upphöjda övergångsställen"),
    ("sub-bullet", "se över belysningen längs skolvägen"),
    ("heading", "Kommentera"),
    ("paragraph", "Skriv gärna vad du tycker."),
]


def test_plain_text_is_read_as_utf8(tmp_path: Path) -> None:
    path = tmp_path / "löfte.txt"
    path.write_text("Åtgärder för ökad trygghet\n", encoding="utf-8")
    assert read_document(path) == "Åtgärder för ökad trygghet\n"


def test_plain_text_from_old_windows_exports_keeps_its_swedish_letters() -> None:
    assert (
        read_document("Brottsförebyggande åtgärder".encode("cp1252"), ".txt") == "Brottsförebyggande åtgärder"
    )


def test_bytes_without_a_suffix_are_refused_with_a_clear_message() -> None:
    with pytest.raises(DocumentError, match="filändelsen"):
        read_document(b"text", None)


def test_an_unsupported_suffix_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "löfte.odt"
    path.write_bytes(b"PK")
    with pytest.raises(DocumentError, match=r"\.odt stöds inte"):
        read_document(path)


def test_a_missing_file_is_a_document_error(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="kunde inte läsas"):
        read_document(tmp_path / "finns-inte.txt")


def test_html_headings_and_list_items_become_lines_the_parser_understands() -> None:
    html = """<html><head><script>var skip = 1;</script></head><body>
    <nav><ul><li>Meny</li></ul></nav>
    <h2>Trygg &amp; säker</h2><p>Om   området.</p>
    <ol><li>Polisen ska patrullera<ul><li>varje vecka</li></ul></li><li>Andra punkten</li></ol>
    </body></html>"""
    assert html_to_text(html) == (
        "## Trygg & säker\n\nOm området.\n1. Polisen ska patrullera\n  - varje vecka\n2. Andra punkten\n"
    )


def test_a_damaged_pdf_is_a_document_error() -> None:
    with pytest.raises(DocumentError, match="PDF-filen kunde inte läsas"):
        read_document(b"%PDF-1.4 this is not really a pdf", ".pdf")


def test_a_damaged_word_file_is_a_document_error() -> None:
    with pytest.raises(DocumentError, match="Word-filen kunde inte läsas"):
        read_document(b"not a zip file", ".docx")


def test_binary_data_posing_as_text_is_a_document_error() -> None:
    with pytest.raises(DocumentError, match="binär"):
        read_document(b"\x00\x01\x02", ".txt")


def make_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    styles = {"heading": None, "paragraph": None, "bullet": "List Bullet", "sub-bullet": "List Bullet 2"}
    for kind, text in PROMISE_LINES:
        if kind == "heading":
            document.add_heading(text, level=1 if text.startswith("Medborgarlöfte") else 2)
        else:
            document.add_paragraph(text, style=styles[kind])
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Kontaktperson"
    table.rows[0].cells[1].text = "Trygghetssamordnaren"
    document.save(str(path))


def make_pdf(path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    if DEJAVU.exists():
        pdf.add_font("DejaVu", fname=str(DEJAVU))
        pdf.set_font("DejaVu", size=11)
    else:
        pdf.set_font("Helvetica", size=11)
    for kind, text in PROMISE_LINES:
        prefix = {"bullet": "- ", "sub-bullet": "    - "}.get(kind, "")
        if kind in {"heading", "paragraph"}:
            pdf.ln(4)
        pdf.multi_cell(0, 6, prefix + text, new_x="LMARGIN", new_y="NEXT")
        if kind in {"heading", "paragraph"}:
            pdf.ln(4)
    pdf.output(str(path))


def assert_is_the_bergsjo_promise(text: str) -> None:
    promise = parse_promise_text(text)
    assert promise.municipality == "Bergsjö kommun"
    assert promise.period is not None and promise.period.start.year == 2024
    assert [area.title for area in promise.focus_areas] == ["Trygg skolväg"]
    activities = promise.activities
    assert [activity.parties for activity in activities] == [
        ["Polisen"],
        ["Bergsjö kommun"],
        ["Bergsjö kommun"],
    ]
    assert (activities[0].quantity, activities[0].at_least, activities[0].per) == (10, True, "year")
    assert (activities[1].quantity, activities[1].per) == (2, "period")
    assert activities[2].issues == ["no_quantity", "vague"]


def test_a_word_file_keeps_its_headings_and_nested_list_items(tmp_path: Path) -> None:
    path = tmp_path / "medborgarlöfte.docx"
    make_docx(path)
    text = read_document(path)
    assert "# Medborgarlöfte för Bergsjö kommun 2024" in text
    assert "## Trygg skolväg" in text
    assert "- Bergsjö kommun ska:\n  - bygga två upphöjda övergångsställen" in text
    assert "Kontaktperson | Trygghetssamordnaren" in text
    assert_is_the_bergsjo_promise(text)


def test_a_pdf_is_read_into_text_that_parses_into_the_same_promise(tmp_path: Path) -> None:
    path = tmp_path / "medborgarlöfte.pdf"
    make_pdf(path)
    text = read_document(path)
    assert "Trygg skolväg" in text
    assert_is_the_bergsjo_promise(text)


def test_a_pdf_without_text_is_refused_with_advice(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    path = tmp_path / "skannad.pdf"
    pdf.output(str(path))
    with pytest.raises(DocumentError, match="ingen text"):
        read_document(path)
