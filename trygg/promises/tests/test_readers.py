from collections.abc import Sequence
from pathlib import Path

import pytest

from trygg.promises.parsing import parse_promise_text
from trygg.promises.readers import DocumentError, html_to_text, read_document

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
CORPUS = Path(__file__).resolve().parent / "corpus"

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


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_text_saved_as_unicode_by_word_or_notepad_is_read(encoding: str) -> None:
    # Word's "Unicode text" and Notepad's "Unicode" are UTF-16 with a byte order mark (little-endian by default).
    text = "Medborgarlöfte 2024\n\n- Polisen ska patrullera i centrum varje fredag.\n"
    data = text.encode(encoding) if encoding == "utf-16" else b"\xfe\xff" + text.encode(encoding)

    assert read_document(data, ".txt") == text
    assert "Polisen ska patrullera" in read_document(data, ".html")


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


# --- Hostile and damaged files (issue 20 item 13): a clear DocumentError, never anything else ------------------

DOCX_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)


def docx_bytes(document_xml: bytes, *, extra: dict[str, bytes] | None = None) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", DOCX_TYPES)
        archive.writestr("word/document.xml", document_xml)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>
<w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"""


def test_a_billion_laughs_word_file_is_refused_before_anything_expands() -> None:
    with pytest.raises(DocumentError, match="otillåten XML"):
        read_document(docx_bytes(BILLION_LAUGHS), ".docx")


def test_a_word_file_with_an_external_entity_is_refused() -> None:
    external = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        b"<w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
    )
    with pytest.raises(DocumentError, match="otillåten XML"):
        read_document(docx_bytes(external), ".docx")


def test_a_zip_bomb_word_file_is_refused_without_unpacking_it_all() -> None:
    bomb = docx_bytes(b"<w:document>" + b" " * (25 * 1024 * 1024) + b"</w:document>")
    assert len(bomb) < 200_000
    with pytest.raises(DocumentError, match="för stor uppackad"):
        read_document(bomb, ".docx")


def test_a_word_file_with_too_many_parts_is_refused() -> None:
    many = {f"word/media/bild{number}.xml": b"<a/>" for number in range(1200)}
    with pytest.raises(DocumentError, match="för stor uppackad"):
        read_document(docx_bytes(b"<w:document/>", extra=many), ".docx")


@pytest.mark.parametrize(
    "content",
    [
        b"PK\x03\x04 a zip that ends here",
        docx_bytes(b"<w:document><w:body><w:p>not closed"),
        docx_bytes(b"<w:document/>", extra={}).replace(b"word/document.xml", b"word/other.xml!!!!"),
    ],
    ids=["truncated zip", "broken xml", "no document part"],
)
def test_a_damaged_word_file_is_a_clear_error(content: bytes) -> None:
    with pytest.raises(DocumentError, match="Word-filen"):
        read_document(content, ".docx")


def test_a_password_protected_pdf_is_refused_with_advice(tmp_path: Path) -> None:
    import pikepdf

    plain = tmp_path / "öppen.pdf"
    make_pdf(plain)
    locked = tmp_path / "låst.pdf"
    with pikepdf.open(plain) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(owner="ägare", user="hemligt", R=6))
    with pytest.raises(DocumentError, match="lösenordsskyddad"):
        read_document(locked)


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF",
        b"%PDF-",
    ],
    ids=["no pages", "header only"],
)
def test_a_broken_pdf_is_a_clear_error(content: bytes) -> None:
    with pytest.raises(DocumentError, match="PDF-filen"):
        read_document(content, ".pdf")


@pytest.mark.parametrize(
    "html",
    [
        "<div>" * 50_000 + "Polisen ska" + "</div>" * 50_000,
        "<table><tr><td><p><li><b>Polisen ska</table></li><!-- ej stängd",
        "<<<>>> <! <? <![CDATA[ x ]]> <p>Polisen ska</p></nowhere>",
    ],
    ids=["deep nesting", "unclosed everything", "junk markup"],
)
def test_malformed_html_is_read_as_far_as_it_goes(html: str) -> None:
    assert "Polisen ska" in html_to_text(html)


def test_an_html_file_with_absurdly_many_elements_is_refused() -> None:
    with pytest.raises(DocumentError, match="för många element"):
        html_to_text("<span>x</span>" * 150_000)


# --- Real markup: page furniture, main content, tables, line breaks ------------------------------------------


def test_html_outside_the_main_content_and_page_furniture_is_left_out() -> None:
    html = """<html><head><title>Medborgarlöfte | Exempel kommun</title></head><body>
    <header><a href="/">Exempel kommun</a><ul><li>Bo och leva</li></ul></header>
    <div class="cookie-banner"><p>Vi använder kakor.</p></div>
    <nav class="breadcrumbs"><ol><li>Start</li><li>Trygghet</li></ol></nav>
    <main><h1>Medborgarlöfte 2024</h1><p>Inledning.</p>
    <figure><img alt="Bild på torget"><figcaption>Foto: Kommunen</figcaption></figure>
    <div class="share">Dela på Facebook</div></main>
    <aside><h2>Relaterat</h2><ul><li>Polisen ska inte synas här</li></ul></aside>
    <footer>Exempel kommun, Box 1</footer></body></html>"""
    assert html_to_text(html) == "# Medborgarlöfte 2024\n\nInledning.\n"


def test_the_page_title_stands_in_when_the_page_has_no_main_heading() -> None:
    text = html_to_text("<title>Medborgarlöfte Ekby – Polisen</title><p>- Polisen ska patrullera.</p>")
    assert text.startswith("# Medborgarlöfte Ekby\n")


def test_lines_separated_by_br_stay_lines_and_bold_paragraphs_are_headings() -> None:
    html = "<p><strong>Trafik</strong></p><p>• kontroller varje vecka<br>• skyltar vid skolan</p>"
    assert html_to_text(html) == "#### Trafik\n\n• kontroller varje vecka\n• skyltar vid skolan\n"


def test_folded_parts_of_a_page_are_read_under_what_opens_them() -> None:
    html = (
        "<main><h1>Medborgarlöften i Ekby</h1>"
        "<details><summary>Skolan</summary><ul><li>Polisen ska besöka skolan varje termin.</li></ul></details>"
        '<div class="sv-expandable"><button aria-expanded="false" aria-controls="trafik">Trafik</button>'
        '<div id="trafik" hidden><ul><li>Polisen ska kontrollera hastigheten varje vecka.</li></ul></div></div>'
        '<div class="accordion"><button class="accordion__button">Centrum</button>'
        '<div class="accordion__panel" aria-hidden="true"><p>Kommunen ska laga belysningen.</p></div></div>'
        '<h3><button aria-expanded="false" aria-controls="park">Parken</button></h3>'
        '<div id="park" hidden><p>Kommunen ska röja buskarna.</p></div>'
        '<form><button type="submit">Skicka</button></form><div hidden><p>Text som aldrig visas</p></div></main>'
    )
    assert html_to_text(html) == (
        "# Medborgarlöften i Ekby\n\n#### Skolan\n\n- Polisen ska besöka skolan varje termin.\n\n"
        "#### Trafik\n\n- Polisen ska kontrollera hastigheten varje vecka.\n\n"
        "#### Centrum\n\nKommunen ska laga belysningen.\n\n### Parken\n\nKommunen ska röja buskarna.\n"
    )


def test_an_activity_table_becomes_items_with_who_is_responsible() -> None:
    html = (
        "<table><tr><th>Fokusområde</th><th>Aktivitet</th><th>Ansvarig</th><th>När</th></tr>"
        "<tr><td>Trafik</td><td>Hastighetskontroller</td><td>Polisen</td><td>Varje vecka</td></tr>"
        "<tr><td>Trafik</td><td>Nya farthinder</td><td>Kommunen</td><td></td></tr></table>"
    )
    assert html_to_text(html) == (
        "### Trafik\n\n- Hastighetskontroller – Varje vecka\n  Ansvarig: Polisen\n- Nya farthinder\n"
        "  Ansvarig: Kommunen\n"
    )
    promise = parse_promise_text("# Löfte 2024\n\n" + html_to_text(html))
    assert [(a.parties, a.per) for a in promise.activities] == [(["Polisen"], "week"), (["Kommunen"], None)]


def test_every_column_that_says_when_or_how_often_is_kept_tidsplan_too() -> None:
    html = (
        "<table><tr><th>Aktivitet</th><th>Ansvarig</th><th>Antal</th><th>Tidsplan</th></tr>"
        "<tr><td>Föräldraträffar om droger</td><td>Kommunen</td><td>4 träffar</td><td>Under året</td></tr>"
        "<tr><td>Kontroller vid skolor</td><td>Polisen</td><td></td><td>En gång per termin</td></tr></table>"
    )
    assert html_to_text(html) == (
        "- Föräldraträffar om droger – 4 träffar – Under året\n  Ansvarig: Kommunen\n"
        "- Kontroller vid skolor – En gång per termin\n  Ansvarig: Polisen\n"
    )
    promise = parse_promise_text("# Löfte 2024\n\n" + html_to_text(html))
    assert [(a.quantity, a.per) for a in promise.activities] == [(4, "year"), (1, "term")]


def test_a_partner_column_and_a_target_group_column_are_read_as_an_item_would_say_them() -> None:
    html = (
        "<table><tr><td><b>Aktivitet</b></td><td><b>Samverkanspart</b></td><td><b>Ansvarig</b></td>"
        "<td><b>Målgrupp</b></td><td><b>När</b></td></tr>"
        "<tr><td>Föräldraträffar om droger</td><td>Skolan, Ekbyhem</td><td>Kommunen</td>"
        "<td>Föräldrar</td><td>En gång per termin</td></tr></table>"
    )
    assert html_to_text(html) == (
        "- Föräldraträffar om droger – tillsammans med Skolan och Ekbyhem – för föräldrar – En gång per termin\n"
        "  Ansvarig: Kommunen\n"
    )
    activity = parse_promise_text("# Löfte 2024\n\n" + html_to_text(html)).activities[0]
    assert (activity.parties, activity.partners, activity.target_group) == (
        ["Kommunen"],
        ["Skolan", "Ekbyhem"],
        "föräldrar",
    )


def test_cells_spanning_rows_and_columns_are_read_where_the_eye_reads_them() -> None:
    html = (
        "<table><tr><th>Fokusområde</th><th>Aktivitet</th><th>Ansvarig</th><th>När</th></tr>"
        '<tr><td rowspan="2">Narkotika</td><td>Föräldraträffar om droger</td><td rowspan="2">Kommunen</td>'
        "<td>En gång per termin</td></tr>"
        "<tr><td>Drogfria fester för unga</td><td>Två gånger per år</td></tr>"
        '<tr><td colspan="4">Trafik</td></tr>'
        "<tr><td></td><td>Hastighetskontroller</td><td>Polisen</td><td>Varje vecka</td></tr></table>"
    )
    assert html_to_text(html) == (
        "### Narkotika\n\n- Föräldraträffar om droger – En gång per termin\n  Ansvarig: Kommunen\n"
        "- Drogfria fester för unga – Två gånger per år\n  Ansvarig: Kommunen\n\n"
        "### Trafik\n\n- Hastighetskontroller – Varje vecka\n  Ansvarig: Polisen\n"
    )


def test_a_table_filled_in_like_a_form_for_each_activity_gives_one_item_each() -> None:
    form = (
        "<table><tr><td><b>Aktivitet</b></td><td>Trygghetsvandring i centrum</td></tr>"
        "<tr><td><b>Ansvarig</b></td><td>Kommunen</td></tr>"
        "<tr><td><b>Samverkanspart</b></td><td>Polisen, Ekbyhem</td></tr>"
        "<tr><td><b>När</b></td><td>Två gånger per år</td></tr>"
        "<tr><td><b>Uppföljning</b></td><td>Protokollet publiceras</td></tr>"
        "<tr><td><b>Aktivitet</b></td><td>Synlig polis på torget</td></tr>"
        "<tr><td><b>Ansvarig</b></td><td>Polisen</td></tr></table>"
    )
    assert html_to_text(form) == (
        "- Trygghetsvandring i centrum – tillsammans med Polisen och Ekbyhem – Två gånger per år\n"
        "  Ansvarig: Kommunen\n- Synlig polis på torget\n  Ansvarig: Polisen\n"
    )
    # A table of two columns whose first row is its header is a list of activities, as before.
    listed = (
        "<table><tr><td>Aktivitet</td><td>Ansvarig</td></tr>"
        "<tr><td>Trygghetsvandring i centrum</td><td>Kommunen</td></tr></table>"
    )
    assert html_to_text(listed) == "- Trygghetsvandring i centrum\n  Ansvarig: Kommunen\n"


def test_a_definition_list_filled_in_like_a_form_gives_its_activities_and_another_stays_lines() -> None:
    html = (
        "<dl><dt>Aktivitet</dt><dd>Trygghetsvandring i centrum</dd><dt>Ansvarig</dt><dd>Kommunen</dd>"
        "<dt>När</dt><dd>Två gånger per år</dd></dl><dl><dt>Telefon</dt><dd>0372-123 45</dd></dl>"
    )
    assert html_to_text(html) == (
        "- Trygghetsvandring i centrum – Två gånger per år\n  Ansvarig: Kommunen\n\nTelefon\n0372-123 45\n"
    )


def test_a_description_beside_the_activity_tells_more_of_it_in_a_list_and_in_a_form() -> None:
    listed = (
        "<table><tr><th>Aktivitet</th><th>Beskrivning</th><th>Ansvarig</th></tr>"
        "<tr><td>Trygghetsvandring</td><td>Två vandringar per år i centrum</td><td>Kommunen</td></tr>"
        "<tr><td>Föräldramöten.</td><td></td><td>Polisen</td></tr></table>"
    )
    assert html_to_text(listed) == (
        "- Trygghetsvandring: Två vandringar per år i centrum\n  Ansvarig: Kommunen\n"
        "- Föräldramöten.\n  Ansvarig: Polisen\n"
    )
    form = (
        "<table><tr><td>Aktivitet</td><td>Trygghetsvandring</td></tr>"
        "<tr><td>Beskrivning</td><td>Två vandringar per år i centrum</td></tr>"
        "<tr><td>Ansvarig</td><td>Kommunen</td></tr><tr><td>Aktivitet</td><td>Föräldramöten.</td></tr>"
        "<tr><td>Ansvarig</td><td>Polisen</td></tr></table>"
    )
    assert html_to_text(form) == html_to_text(listed)
    activity = parse_promise_text("# Löfte 2024\n\n" + html_to_text(form)).activities[0]
    assert (activity.quantity, activity.per) == (2, "year")


def test_a_title_row_above_the_header_row_heads_the_tables_items() -> None:
    html = (
        '<table><tr><td colspan="3"><b>Trygg stadskärna</b></td></tr>'
        "<tr><td>Aktivitet</td><td>Ansvarig</td><td>När</td></tr>"
        "<tr><td>Trygghetsvandring</td><td>Kommunen</td><td>Två gånger per år</td></tr></table>"
    )
    assert html_to_text(html) == (
        "### Trygg stadskärna\n\n- Trygghetsvandring – Två gånger per år\n  Ansvarig: Kommunen\n"
    )
    promise = parse_promise_text("# Medborgarlöfte Ekby kommun 2024\n\n" + html_to_text(html))
    assert [area.title for area in promise.focus_areas] == ["Trygg stadskärna"]


def test_a_hostile_span_spans_no_more_than_the_table() -> None:
    html = (
        "<table><tr><th>Aktivitet</th><th>Ansvarig</th></tr>"
        '<tr><td>Kontroller</td><td rowspan="100000" colspan="100000">Polisen</td></tr>'
        '<tr><td colspan="-3">Möten</td></tr></table>'
    )
    assert html_to_text(html) == "- Kontroller\n  Ansvarig: Polisen\n- Möten\n  Ansvarig: Polisen\n"


def test_a_word_text_box_is_read_once(tmp_path: Path) -> None:
    import docx
    from lxml import etree

    document = docx.Document()
    document.add_heading("Medborgarlöfte Ekby kommun 2024", level=1)
    document.add_paragraph("Polisen ska kontrollera hastigheten vid skolan varje vecka.")
    # Word writes a text box twice: as a drawing, and as the same text for readers that know no drawings.
    box = "<w:txbxContent><w:p><w:r><w:t>Faktaruta: 120 anmälda brott</w:t></w:r></w:p></w:txbxContent>"
    run = (
        '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><mc:AlternateContent>'
        f'<mc:Choice Requires="wps"><w:drawing>{box}</w:drawing></mc:Choice>'
        f"<mc:Fallback><w:pict>{box}</w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )
    document.add_paragraph()._p.append(etree.fromstring(run))
    path = tmp_path / "faktaruta.docx"
    document.save(str(path))

    assert read_document(path).count("Faktaruta: 120 anmälda brott") == 1


_W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def test_word_markup_around_text_reads_as_the_page_shows_it(tmp_path: Path) -> None:
    import docx
    from lxml import etree

    document = docx.Document()
    document.add_heading("Medborgarlöfte Ekby kommun 2024–2025", level=1)
    # A non-breaking hyphen is an element of its own, not a character in the text.
    hyphen = document.add_paragraph("Polisen ska besöka Ekby")
    hyphen._p.append(
        etree.fromstring(f"<w:r {_W_NS}><w:noBreakHyphen/><w:t>Norrby skola varje termin.</w:t></w:r>")
    )
    # Tracked changes: text moved from here to below stays only where it went, deleted text is gone.
    moved = document.add_paragraph("Kommunen ska laga belysningen i parken.")
    moved._p.append(
        etree.fromstring(
            f"<w:moveFrom {_W_NS} w:id='1' w:author='x' w:date='2024-01-01T00:00:00Z'>"
            "<w:r><w:t> Flyttad mening.</w:t></w:r></w:moveFrom>"
        )
    )
    moved._p.append(
        etree.fromstring(
            f"<w:del {_W_NS} w:id='2' w:author='x' w:date='2024-01-01T00:00:00Z'>"
            "<w:r><w:delText> Struken mening.</w:delText></w:r></w:del>"
        )
    )
    document.add_paragraph().add_run(" Flyttad mening.")
    # A content control around an activity table: the table is still read as a table.
    table = document.add_table(rows=2, cols=3)
    for cell, text in zip(table.rows[0].cells, ("Aktivitet", "Ansvarig", "När"), strict=True):
        cell.text = text
    for cell, text in zip(
        table.rows[1].cells, ("Trygghetsvandring i centrum", "Kommunen", "Två gånger per år"), strict=True
    ):
        cell.text = text
    control = etree.fromstring(f"<w:sdt {_W_NS}><w:sdtPr/><w:sdtContent/></w:sdt>")
    table._tbl.addprevious(control)
    control[1].append(table._tbl)
    path = tmp_path / "markering.docx"
    document.save(str(path))

    text = read_document(path)

    assert "Polisen ska besöka Ekby-Norrby skola varje termin." in text
    assert text.count("Flyttad mening.") == 1
    assert "Struken" not in text
    assert "- Trygghetsvandring i centrum – Två gånger per år\n  Ansvarig: Kommunen" in text


def test_merged_word_cells_are_read_as_the_table_shows_them(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_heading("Medborgarlöfte Ekby kommun 2024", level=1)
    table = document.add_table(rows=5, cols=3)
    texts = [
        ("Aktivitet", "Ansvarig", "När"),
        ("Trafik", "", ""),
        ("Hastighetskontroller vid skolor", "Polisen", "Varje vecka"),
        ("Nykterhetskontroller", "", "Varje månad"),
        ("Skolskjutsvärdar", "Kommunen", "Varje termin"),
    ]
    for row, cells in zip(table.rows, texts, strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    table.cell(1, 0).merge(table.cell(1, 2))  # the heading row, across the table
    table.cell(2, 1).merge(table.cell(3, 1))  # the police for both checks
    path = tmp_path / "sammanslagna.docx"
    document.save(str(path))

    text = read_document(path)

    assert (
        "### Trafik\n\n- Hastighetskontroller vid skolor – Varje vecka\n  Ansvarig: Polisen\n"
        "- Nykterhetskontroller – Varje månad\n  Ansvarig: Polisen\n"
        "- Skolskjutsvärdar – Varje termin\n  Ansvarig: Kommunen\n"
    ) in text


# --- PDF layout and Word lists ----------------------------------------------------------------------------------


def test_a_two_column_pdf_is_read_column_by_column_without_running_headers(tmp_path: Path) -> None:
    from trygg.promises.tests.make_corpus_files import SHY, write_pdf

    left = " ".join(["Vänster spalt börjar här och fortsätter."] * 12)
    right = " ".join(["Höger spalt kommer sedan."] * 12)
    blocks = [
        ("h1", "Medborgarlöfte Ekby kommun"),
        ("p", left),
        (
            "p",
            f"Polisen ska genomföra hastig{SHY}hetskontroller på landsvägarna varje vecka under hela året.",
        ),
        ("page", ""),
        ("p", right),
    ]
    path = tmp_path / "spalter.pdf"
    write_pdf(path, blocks, header="Ekby kommun – sidhuvud", columns=2)
    text = read_document(path)
    assert text.index("Vänster spalt") < text.index("Höger spalt")
    assert "sidhuvud" not in text and "Sida 1" not in text
    assert "hastighetskontroller" in text.replace("\n", " ")
    assert "hastig-" not in text


def _table_pdf(
    path: Path,
    rows: Sequence[Sequence[str]],
    *,
    top: float,
    repeat_headings: int = 1,
    title: str = "",
    borders: str = "ALL",
    after: str = "",
    v_align: str = "MIDDLE",
    padding: float | tuple[float, ...] = 0,
) -> None:
    """A promise whose activities stand in a table drawn with ruling lines, as a Word document exported to PDF."""
    from fpdf import FPDF

    from trygg.promises.tests.make_corpus_files import FONTS

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.add_font("Body", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("Body", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_font("Body", "B", 16)
    pdf.cell(0, 10, "Medborgarlöfte för Ekby kommun 2024", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 10)
    pdf.multi_cell(0, 6, "Polisen och Ekby kommun lovar följande under året.")
    pdf.set_y(top)
    widths = (100, 40, 50) if len(rows[0]) == 3 else (50, 140)
    with pdf.table(
        col_widths=widths,
        repeat_headings=repeat_headings,
        borders_layout=borders,
        v_align=v_align,
        padding=padding,
    ) as table:
        if title:
            table.row().cell(title, colspan=len(rows[0]))
        for cells in rows:
            row = table.row()
            for cell in cells:
                row.cell(cell)
    if after:
        pdf.ln(2)
        pdf.multi_cell(0, 6, after)
    pdf.output(str(path))


def test_a_ruled_table_in_a_pdf_is_read_as_activities_with_who_and_when(tmp_path: Path) -> None:
    rows = [
        ("Aktivitet", "Ansvarig", "Tidsplan"),
        ("Föräldraträffar om droger på högstadieskolorna", "Kommunen", "En gång per termin"),
        ("Riktade kontroller mot narkotikabrott i centrum", "Polisen", "Minst 20 gånger under året"),
    ]
    path = tmp_path / "tabell.pdf"
    _table_pdf(path, rows, top=60)

    text = read_document(path)

    assert (
        "- Föräldraträffar om droger på högstadieskolorna – En gång per termin\n  Ansvarig: Kommunen\n"
        "- Riktade kontroller mot narkotikabrott i centrum – Minst 20 gånger under året\n  Ansvarig: Polisen\n"
    ) in text
    assert "Ansvarig Tidsplan" not in text  # the header row is no heading
    activities = parse_promise_text(text).activities
    assert [(a.parties, a.quantity, a.per) for a in activities] == [
        (["Ekby kommun"], 1, "term"),
        (["Polisen"], 20, "year"),
    ]


def test_a_ruled_table_going_on_over_a_page_without_its_header_keeps_every_row(tmp_path: Path) -> None:
    rows = [("Aktivitet", "Ansvarig", "När")] + [
        (f"Kontroller i område {number}", "Polisen", f"{number} gånger per år") for number in range(1, 61)
    ]
    path = tmp_path / "lang_tabell.pdf"
    _table_pdf(path, rows, top=200, repeat_headings=0)

    text = read_document(path)

    assert [line for line in text.splitlines() if line.startswith("- ")] == [
        f"- Kontroller i område {number} – {number} gånger per år" for number in range(1, 61)
    ]


def test_a_ruled_form_like_table_in_a_pdf_gives_its_activity(tmp_path: Path) -> None:
    rows = [
        ("Aktivitet", "Trygghetsvandring i centrum"),
        ("Ansvarig", "Kommunen"),
        ("När", "Två gånger per år"),
    ]
    path = tmp_path / "formular.pdf"
    _table_pdf(path, rows, top=60)

    assert "- Trygghetsvandring i centrum – Två gånger per år\n  Ansvarig: Kommunen\n" in read_document(path)


def test_a_page_whose_lines_cross_too_often_has_its_tables_read_as_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trygg.promises import readers

    rows = [("Aktivitet", "Ansvarig", "När"), ("Kontroller vid skolan", "Polisen", "Varje vecka")]
    path = tmp_path / "rutnat.pdf"
    _table_pdf(path, rows, top=60)
    assert "- Kontroller vid skolan – Varje vecka" in read_document(path)

    # The table's 3 row lines cross its 4 column lines 12 times.
    monkeypatch.setattr(readers, "MAX_PDF_PAGE_CROSSINGS", 11)
    assert "- Kontroller vid skolan" not in read_document(path)
    monkeypatch.setattr(readers, "MAX_PDF_PAGE_CROSSINGS", 12)
    assert "- Kontroller vid skolan" in read_document(path)
    monkeypatch.setattr(readers, "MAX_PDF_CROSSINGS", 11)
    assert "- Kontroller vid skolan" not in read_document(path)


def test_a_ruled_table_with_a_title_row_in_a_pdf_heads_its_items(tmp_path: Path) -> None:
    rows = [
        ("Aktivitet", "Ansvarig", "När"),
        ("Trygghetsvandring i centrum", "Kommunen", "Två gånger per år"),
    ]
    path = tmp_path / "rubrikrad.pdf"
    _table_pdf(path, rows, top=60, title="Trygg stadskärna")

    assert (
        "### Trygg stadskärna\n\n- Trygghetsvandring i centrum – Två gånger per år\n  Ansvarig: Kommunen\n"
    ) in read_document(path)


def test_a_table_drawn_with_horizontal_rules_only_in_a_pdf_is_read_by_its_header_words(
    tmp_path: Path,
) -> None:
    rows = [
        ("Aktivitet", "Ansvarig", "När"),
        ("Föräldraträffar om droger på högstadieskolorna", "Kommunen", "En gång per termin"),
        ("Riktade kontroller mot narkotikabrott i centrum", "Polisen", "Minst 20 gånger under året"),
        ("Trygghetsvandring i Norrområdet", "Kommunen och polisen", "2 per år"),
    ]
    path = tmp_path / "linjer.pdf"
    after = (
        "Uppföljning sker varje kvartal i samverkansgruppen och redovisas för kommunstyrelsen och polisen."
    )
    _table_pdf(path, rows, top=60, borders="HORIZONTAL_LINES", after=after)

    text = read_document(path)

    # The paragraph after the table's last row (no rule below it) is no part of that row.
    assert "Uppföljning sker varje kvartal" in text.split("Ansvarig: Kommunen och polisen")[1]

    assert [line for line in text.splitlines() if line.startswith(("- ", "  Ansvarig"))] == [
        "- Föräldraträffar om droger på högstadieskolorna – En gång per termin",
        "  Ansvarig: Kommunen",
        "- Riktade kontroller mot narkotikabrott i centrum – Minst 20 gånger under året",
        "  Ansvarig: Polisen",
        "- Trygghetsvandring i Norrområdet – 2 per år",
        "  Ansvarig: Kommunen och polisen",
    ]


_LINELESS_ROWS = [
    ("Aktivitet", "Ansvarig", "När"),
    (
        "Föräldraträffar om droger på högstadieskolorna i hela kommunen tillsammans med skolans personal",
        "Kommunen",
        "En gång per termin",
    ),
    ("Riktade kontroller mot narkotikabrott i centrum", "Polisen", "Minst 20 gånger under året"),
    ("Trygghetsvandring i Norrområdet", "Kommunen och polisen", "Två gånger per år, vår och höst"),
]
_LINELESS_ITEMS = [
    "- Föräldraträffar om droger på högstadieskolorna i hela kommunen tillsammans med skolans personal – En gång "
    "per termin",
    "  Ansvarig: Kommunen",
    "- Riktade kontroller mot narkotikabrott i centrum – Minst 20 gånger under året",
    "  Ansvarig: Polisen",
    "- Trygghetsvandring i Norrområdet – Två gånger per år, vår och höst",
    "  Ansvarig: Kommunen och polisen",
]


@pytest.mark.parametrize(
    ("v_align", "padding", "after"),
    [
        # Cells centred in their rows, a paragraph running across the columns below.
        (
            "MIDDLE",
            0,
            "Uppföljning sker varje kvartal i samverkansgruppen och redovisas för kommunstyrelsen.",
        ),
        # As Word sets a table without borders: cells at the top, space after each row, a short line below.
        ("TOP", (0, 1, 3, 1), "Sidan 2"),
    ],
)
def test_a_table_without_any_lines_in_a_pdf_is_read_by_its_header_words(
    tmp_path: Path, v_align: str, padding: tuple[float, ...], after: str
) -> None:
    path = tmp_path / "utan_linjer.pdf"
    _table_pdf(path, _LINELESS_ROWS, top=60, borders="NONE", after=after, v_align=v_align, padding=padding)

    text = read_document(path)

    assert [line for line in text.splitlines() if line.startswith(("- ", "  Ansvarig"))] == _LINELESS_ITEMS
    # The text below the table is a line of its own, after the last row.
    assert after in text.split("Ansvarig: Kommunen och polisen")[1].splitlines()
    activities = parse_promise_text(text).activities
    assert [(a.parties, a.quantity, a.per) for a in activities] == [
        (["Ekby kommun"], 1, "term"),
        (["Polisen"], 20, "year"),
        (["Ekby kommun", "Polisen"], 2, "year"),
    ]


def test_a_table_without_lines_going_on_over_a_page_keeps_every_row(tmp_path: Path) -> None:
    rows = [("Aktivitet", "Ansvarig", "När")] + [
        (f"Trygghetsvandring nummer {number} i Norrområdet", "Kommunen", "En gång per termin")
        for number in range(1, 31)
    ]
    path = tmp_path / "lang_utan_linjer.pdf"
    _table_pdf(path, rows, top=60, borders="NONE", repeat_headings=0, v_align="TOP", padding=(0, 1, 3, 1))

    text = read_document(path)

    items = [line for line in text.splitlines() if line.startswith("- ")]
    assert items == [
        f"- Trygghetsvandring nummer {number} i Norrområdet – En gång per termin" for number in range(1, 31)
    ]
    assert text.count("Ansvarig: Kommunen") == 30


def test_a_line_with_role_words_over_running_text_is_no_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fpdf import FPDF

    from trygg.promises import readers
    from trygg.promises.tests.make_corpus_files import FONTS

    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.add_font("Body", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.set_font("Body", "", 10)
    pdf.cell(100, 6, "Aktiviteter")
    pdf.cell(0, 6, "Ansvar", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        0,
        6,
        "Polisen och kommunen har gått igenom lägesbilden och kommit fram till vilka aktiviteter som ska "
        "genomföras under året och vem som ansvarar för vad.",
    )
    pdf.cell(100, 6, "Aktivitet")
    pdf.cell(0, 6, "Tidsplan", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, "Se bilagan.", new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "inte_tabell.pdf"
    pdf.output(str(path))

    text = read_document(path)
    monkeypatch.setattr(readers, "_pdf_tables", lambda data: [])

    assert "kommit fram till vilka aktiviteter" in text
    assert text == read_document(path)


def test_a_ruled_table_that_holds_no_activities_is_read_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trygg.promises import readers

    rows = [("Brottstyp", "2022", "2023"), ("Skadegörelse", "120", "131"), ("Stöld", "301", "288")]
    ruled, rules_only = tmp_path / "statistik.pdf", tmp_path / "statistik_linjer.pdf"
    _table_pdf(ruled, rows, top=60)
    _table_pdf(rules_only, rows, top=60, borders="HORIZONTAL_LINES")

    texts = [read_document(ruled), read_document(rules_only)]
    monkeypatch.setattr(readers, "_pdf_tables", lambda data: [])

    assert all("Skadegörelse" in text for text in texts)
    assert texts == [read_document(ruled), read_document(rules_only)]


def test_word_numbering_and_list_styles_become_numbered_and_nested_items() -> None:
    text = read_document(CORPUS / "31_norrfors_numrering.docx")
    assert "1. Polisen ska minska inbrotten på landsbygden genom\n  - riktade kontroller" in text
    assert "2. Norrfors kommun ska stödja grannsamverkan genom att" in text
    assert "# Bakgrund" in text
