"""Write the PDF and Word documents of the parser corpus (run once; the files are committed).

    python -m trygg.promises.tests.make_corpus_files

The texts below are ours, written for the corpus; their expectations (*.expected.json) are written by hand
from these texts, not from the parser. The PDFs are laid out the way municipalities print their promises:
two columns, a running header and footer on every page, and long words hyphenated at the line end (soft
hyphens "\\u00ad" where a word may break). The Word files use Word's own list styles and numbering.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent / "corpus"
FONTS = Path("/usr/share/fonts/truetype/dejavu")
SHY = "\u00ad"
# A fixed date in the files' metadata, so that writing them again gives the same bytes.
MADE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

Block = tuple[
    str, str
]  # (kind, text): title, h1, h2, p, bullet, bullet2, number, bold, table, row, page, column


# ---------------------------------------------------------------------------------------------------
# Word

MOSSBY: list[Block] = [
    ("title", "Medborgarlöfte 2024–2025 Mossby kommun"),
    (
        "p",
        "Mossby kommun och lokalpolisområde Mossby har tillsammans gått igenom lägesbilden och valt två områden.",
    ),
    ("h1", "Otrygghet på stationsområdet"),
    (
        "p",
        "Många pendlare undviker stationen efter mörkrets inbrott, och skadegörelsen på cykelparkeringen har ökat.",
    ),
    ("bold", "Polisens aktiviteter:"),
    ("bullet", "Synlig närvaro på stationsområdet minst tre kvällar i veckan."),
    ("bullet", "Samtal med ungdomar som samlas vid stationen."),
    ("bold", "Kommunens aktiviteter:"),
    ("bullet", "Sätta upp ny belysning vid cykelparkeringen under våren 2024."),
    ("bullet", "Anställa trygghetsvärdar som finns på stationen fredag och lördag natt."),
    ("bold", "Gemensamma aktiviteter:"),
    ("bullet", "Två trygghetsvandringar per år tillsammans med pendlarföreningen."),
    ("h1", "Droger bland unga"),
    ("p", "Skolorna rapporterar att fler elever har blivit erbjudna cannabis."),
    ("bold", "Kommunens aktiviteter:"),
    ("bullet", "Erbjuda föräldraträffar om droger vid minst fyra tillfällen per läsår."),
    ("bold", "Polisens aktiviteter:"),
    ("bullet", "Genomföra riktade insatser mot langning i anslutning till skolorna."),
    ("h1", "Kontakt"),
    ("p", "Trygghetssamordnare, Mossby kommun, telefon 0123-45 67 89."),
]

NORRFORS: list[Block] = [
    ("title", "Medborgarlöfte Norrfors kommun 2023"),
    ("h1", "Bakgrund"),
    ("p", "Under 2022 anmäldes fler bostadsinbrott än tidigare år, och många på landsbygden känner oro."),
    ("h1", "Våra löften"),
    ("number", "Polisen ska minska inbrotten på landsbygden genom"),
    ("bullet2", "riktade kontroller längs infartsvägarna vid minst åtta tillfällen under året"),
    ("bullet2", "information till grannsamverkansgrupperna efter varje inbrottsvåg"),
    ("number", "Norrfors kommun ska stödja grannsamverkan genom att"),
    ("bullet2", "bekosta skyltar till nya grannsamverkansområden"),
    ("bullet2", "bjuda in till ett informationsmöte i varje kommundel"),
    ("number", "Kommunen och polisen ska gemensamt följa upp löftet två gånger under året."),
]

ROSVIK: list[Block] = [
    ("title", "Rosviks kommun – medborgarlöfte 2025"),
    ("p", "Rosviks kommun och polisen lovar att tillsammans genomföra aktiviteterna i tabellen nedan."),
    ("h1", "Trafiksäkerhet vid skolorna"),
    ("table", "Aktivitet|Ansvarig|Omfattning"),
    ("row", "Hastighetskontroller vid skolorna|Polisen|Minst en gång i veckan under terminerna"),
    ("row", "Skolvägsvandring med föräldrar|Kommunen|Två gånger per år"),
    ("row", "Se över skyltningen vid Ekskolan|Kommunen|"),
    ("h1", "Bedrägerier mot äldre"),
    ("table", "Aktivitet|Ansvarig|Omfattning"),
    ("row", "Informationsträffar på mötesplatser för seniorer|Kommunen och polisen|Tre till fyra under året"),
]


def _docx_paragraph_numbered(document: Any, text: str, number_id: int, level: int) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = document.add_paragraph(text)
    properties = paragraph._p.get_or_add_pPr()
    numbering = OxmlElement("w:numPr")
    level_element = OxmlElement("w:ilvl")
    level_element.set(qn("w:val"), str(level))
    number = OxmlElement("w:numId")
    number.set(qn("w:val"), str(number_id))
    numbering.append(level_element)
    numbering.append(number)
    properties.append(numbering)


def _multilevel_list(document: Any) -> int:
    """A two-level list in numbering.xml: decimal numbers, bullets under them (as Word writes one)."""
    from docx.oxml import parse_xml

    numbering = document.part.numbering_part.element
    namespace = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    abstract = parse_xml(
        f'<w:abstractNum {namespace} w:abstractNumId="90"><w:multiLevelType w:val="hybridMultilevel"/>'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/>'
        '<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="720" w:hanging="360"/></w:pPr></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/>'
        '<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="1440" w:hanging="360"/></w:pPr></w:lvl></w:abstractNum>'
    )
    instance = parse_xml(f'<w:num {namespace} w:numId="90"><w:abstractNumId w:val="90"/></w:num>')
    first_num = numbering.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}num")
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    numbering.append(instance)
    return 90


def write_docx(path: Path, blocks: list[Block], *, numbered_by_numbering: bool = False) -> None:
    import docx

    document = docx.Document()
    document.core_properties.created = document.core_properties.modified = MADE.replace(tzinfo=None)
    document.core_properties.revision = 1
    number_id = _multilevel_list(document) if numbered_by_numbering else 0
    table = None
    for kind, text in blocks:
        if kind == "title":
            document.add_heading(text, level=0)
        elif kind in {"h1", "h2"}:
            document.add_heading(text, level=int(kind[1]))
        elif kind == "p":
            document.add_paragraph(text)
        elif kind == "bold":
            document.add_paragraph().add_run(text).bold = True
        elif kind == "bullet":
            document.add_paragraph(text, style="List Bullet")
        elif kind == "bullet2" and numbered_by_numbering:
            _docx_paragraph_numbered(document, text, number_id, 1)
        elif kind == "bullet2":
            document.add_paragraph(text, style="List Bullet 2")
        elif kind == "number" and numbered_by_numbering:
            _docx_paragraph_numbered(document, text, number_id, 0)
        elif kind == "number":
            document.add_paragraph(text, style="List Number")
        elif kind == "table":
            headers = text.split("|")
            table = document.add_table(rows=1, cols=len(headers))
            for cell, header in zip(table.rows[0].cells, headers, strict=True):
                cell.text = header
        elif kind == "row" and table is not None:
            for cell, value in zip(table.add_row().cells, text.split("|"), strict=True):
                cell.text = value
    document.save(str(path))
    _fix_zip_dates(path)


def _fix_zip_dates(path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in parts:
            fixed = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(fixed, content)


# ---------------------------------------------------------------------------------------------------
# PDF

OSTBY: list[Block] = [
    ("h1", "Medborgarlöfte för Östby kommun 2025–2026"),
    (
        "p",
        f"Östby kommun och lokal{SHY}polis{SHY}området Östby har under hösten gått igenom anmälningar, "
        f"trygghets{SHY}mätningen och synpunkter från medborgar{SHY}dialogerna.",
    ),
    ("h2", "Ungdomar i centrum"),
    (
        "p",
        f"Kvälls{SHY}tid samlas grupper av unga vid torget och vid köp{SHY}centret. Butiks{SHY}personal "
        f"berättar om hot och snatterier.",
    ),
    (
        "bullet",
        f"Polisen ska patrullera till fots i centrum minst tre kvällar i veckan under sommar{SHY}halvåret.",
    ),
    ("bullet", f"Östby kommun ska ha fält{SHY}assistenter ute varje fredags{SHY}kväll."),
    (
        "bullet",
        f"Kommunen och polisen ska bjuda in butiks{SHY}ägarna till ett samverkans{SHY}möte varje kvartal.",
    ),
    ("h2", "Trafik på landsvägarna"),
    (
        "p",
        f"Boende längs landsvägarna klagar på höga hastig{SHY}heter och på moped{SHY}åkning på gång- och "
        f"cykel{SHY}vägar.",
    ),
    (
        "bullet",
        f"Polisen ska genomföra hastighets{SHY}kontroller på väg 45 vid minst tolv tillfällen under året.",
    ),
    ("bullet", "Kommunen ska bygga två nya farthinder vid skolan i Österby."),
    ("column", ""),
    ("h2", "Bedrägerier mot äldre"),
    ("p", "Allt fler äldre blir lurade av bedragare som ringer och utger sig för att vara från banken."),
    (
        "bullet",
        f"Polisen ska hålla informations{SHY}träffar på kommunens mötes{SHY}platser för seniorer fyra gånger per år.",
    ),
    ("bullet", f"Kommunens hemtjänst ska dela ut en folder om telefon{SHY}bedrägerier till alla brukare."),
    ("h2", "Otrygga platser i Österby"),
    (
        "p",
        f"Gång{SHY}tunneln under järnvägen och parkeringen vid idrotts{SHY}hallen upplevs som otrygga, "
        f"särskilt under den mörka delen av året. Flera boende har berättat att de tar omvägar för att slippa "
        f"passera tunneln efter skolans slut, och föräldrar hämtar sina barn med bil av samma skäl.",
    ),
    ("bullet", f"Kommunen ska byta till starkare belysning i gång{SHY}tunneln under järnvägen."),
    (
        "bullet",
        f"Kommunen och polisen ska genomföra en trygghets{SHY}vandring i Österby varje år tillsammans "
        f"med boende och föreningar.",
    ),
    ("page", ""),
    ("h2", "Klotter och skadegörelse"),
    (
        "p",
        f"Klotter på skolor och busskurer har ökat under de senaste åren. Skade{SHY}görelsen kostar "
        f"kommunen stora summor som annars hade kunnat gå till verksamheten, och den får många att uppleva "
        f"centrum som otryggt och ovårdat.",
    ),
    ("bullet", "Östby kommun ska sanera klotter på kommunens byggnader inom 48 timmar från anmälan."),
    ("bullet", "Polisen ska utreda anmälningar om skadegörelse på skolor med förtur."),
    ("h2", "Uppföljning"),
    (
        "p",
        f"Löftet följs upp två gånger per år i det brotts{SHY}förebyggande rådet. Resultaten publiceras på "
        f"kommunens webbplats efter varje uppföljning.",
    ),
    ("column", ""),
    ("h2", "Narkotika vid skolorna"),
    (
        "p",
        "Elever på högstadiet berättar att de blivit erbjudna narkotika i anslutning till skolan och på väg "
        f"hem från fritids{SHY}gården.",
    ),
    (
        "bullet",
        f"Polisen ska söka med narkotika{SHY}hund på skolgårdarna vid minst sex tillfällen per läsår.",
    ),
    ("bullet", f"Kommunen ska utbilda all personal på fritids{SHY}gårdarna i att upptäcka droger."),
]

PALMBY: list[Block] = [
    ("h1", "Medborgarlöfte för Palmby kommun"),
    ("p", f"Lokalpolisområde Palmby och Palmby kommun har tecknat ett medborgar{SHY}löfte för 2024–2026."),
    ("h2", "Situationen idag"),
    (
        "p",
        f"Palmby är en växande kommun med en livlig centralort och många mindre orter. Brotts{SHY}nivån är "
        f"låg jämfört med länet, men trygghets{SHY}mätningen visar att oron för narkotika bland unga har ökat "
        f"under de senaste tre åren. Skolorna har också sett att elever blir erbjudna droger på väg till och "
        f"från skolan och i sociala medier. Samtidigt beskriver många invånare parkerna som skräpiga, vilket "
        f"gör att de undviker dem på kvällarna.",
    ),
    (
        "p",
        f"Polisen och kommunen har under hösten träffat elevråd, föräldra{SHY}föreningar, förenings{SHY}livet "
        f"och företagare för att höra hur de ser på tryggheten. Det som kom fram i samtalen stämmer väl med "
        f"det som anmälnings{SHY}statistiken och trygghets{SHY}mätningen visar. Därför har vi valt att rikta "
        f"löftet mot narkotikan nära skolorna och mot miljön i parkerna.",
    ),
    (
        "p",
        f"Arbetet bygger på samverkans{SHY}överenskommelsen mellan polisen och kommunen, och på den "
        f"gemensamma lägesbild som tas fram varje år. Lägesbilden följs upp i det brotts{SHY}förebyggande "
        f"rådet, där kommunens förvaltningar, polisen och räddnings{SHY}tjänsten deltar.",
    ),
    ("p", "I trygghetsmätningen pekade invånarna särskilt ut tre problem:"),
    ("bullet", "narkotikaförsäljning nära skolorna"),
    ("bullet", "nedskräpning i parkerna"),
    ("bullet", "mopeder som kör på gångvägarna"),
    ("page", ""),
    ("h2", "Det här ska vi göra"),
    ("p", "Polisen och kommunen lovar att:"),
    (
        "bullet",
        f"genomföra minst sex riktade narkotika{SHY}insatser per år i närheten av skolorna och i "
        f"anslutning till de platser där unga brukar samlas på kvällarna",
    ),
    ("bullet", f"erbjuda alla vårdnads{SHY}havare i årskurs 7 en informations{SHY}kväll om droger"),
    ("bullet", "Kommunen ska städa parkerna varje vecka från maj till september."),
    ("bullet", "Polisen ska besöka skolorna i Palmby minst en gång per termin."),
    ("h2", "Det här ska vi åstadkomma tillsammans"),
    ("bullet", "Färre unga ska bli erbjudna narkotika."),
    ("bullet", "Parkerna ska upplevas som rena och trygga."),
    ("h2", "Följ med i hur det går"),
    ("p", "Resultaten redovisas på kommunens webbplats varje år."),
]

SANDBY: list[Block] = [
    ("h1", "Medborgarlöfte Sandby kommun 2024"),
    (
        "p",
        "Polisen och Sandby kommun lovar att arbeta för att färre ska bli utsatta för inbrott i fritidshus.",
    ),
    ("p", "Detta gör vi genom att:"),
    (
        "bullet",
        f"Polisen genomför nattliga kontroller i fritidshus{SHY}områdena varje vecka under vinter{SHY}halvåret.",
    ),
    ("bullet", "Kommunen skickar ut ett brev om inbrottsskydd till alla fritidshusägare."),
    ("column", ""),
    ("p", "Polisen och Sandby kommun lovar att arbeta för en tryggare skolväg för barnen i Sandby."),
    ("p", "Detta gör vi genom att:"),
    ("bullet", f"Kommunen bygger ut gång- och cykel{SHY}vägen till Sandby skola under 2024."),
    ("bullet", f"Polisen genomför hastighets{SHY}kontroller vid skolan minst två gånger i månaden."),
    ("p", "Sandby den 15 januari 2024"),
]


class _Layout:
    """Text flowed down two columns (or one), with a running header and footer on each page."""

    def __init__(self, header: str, columns: int) -> None:
        from fpdf import FPDF

        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(False)
        self.pdf.set_creation_date(MADE)
        self.pdf.add_font("Body", "", str(FONTS / "DejaVuSans.ttf"))
        self.pdf.add_font("Body", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.header = header
        self.columns = columns
        self.width = 85 if columns == 2 else 180
        self.page_number = 0
        self.column = 0
        self.new_page()

    def new_page(self) -> None:
        self.pdf.add_page()
        self.page_number += 1
        self.column = 0
        self.pdf.set_font("Body", "", 8)
        self.pdf.set_xy(15, 8)
        self.pdf.cell(180, 5, self.header)
        self.pdf.set_xy(15, 284)
        self.pdf.cell(180, 5, f"Sida {self.page_number}", align="C")
        self.pdf.set_xy(self.left, 22)

    @property
    def left(self) -> float:
        return 15 + self.column * 95

    def room(self, height: float) -> None:
        if self.pdf.get_y() + height <= 272:
            return
        if self.columns == 2 and self.column == 0:
            self.column = 1
            self.pdf.set_xy(self.left, 22)
        else:
            self.new_page()

    def line_count(self, text: str, width: float, height: float) -> int:
        lines = self.pdf.multi_cell(width, height, text, dry_run=True, output="LINES")
        return len(lines) if isinstance(lines, list) else 1

    def write(self, kind: str, text: str) -> None:
        pdf = self.pdf
        if kind == "page":
            self.new_page()
            return
        if kind == "column":
            self.column = 1
            pdf.set_xy(self.left, 22)
            return
        if kind in {"h1", "h2"}:
            pdf.set_font("Body", "B", 15 if kind == "h1" else 12)
            lines = self.line_count(text, self.width, 7)
            self.room(7 * lines + 14)
            pdf.set_x(self.left)
            pdf.ln(3)
            pdf.set_x(self.left)
            pdf.multi_cell(self.width, 7, text, new_x="LEFT", new_y="NEXT")
            pdf.ln(2)
            return
        pdf.set_font("Body", "", 10)
        indent = 5 if kind == "bullet" else 0
        lines = self.line_count(text, self.width - indent, 5)
        self.room(5 * lines + 3)
        top = pdf.get_y()
        if kind == "bullet":
            pdf.set_xy(self.left, top)
            pdf.cell(indent, 5, "•")
        pdf.set_xy(self.left + indent, top)
        pdf.multi_cell(self.width - indent, 5, text, new_x="LEFT", new_y="NEXT")
        pdf.set_x(self.left)
        pdf.ln(1 if kind == "bullet" else 3)

    def save(self, path: Path) -> None:
        self.pdf.output(str(path))


def write_pdf(path: Path, blocks: list[Block], *, header: str, columns: int) -> None:
    layout = _Layout(header, columns)
    for kind, text in blocks:
        layout.write(kind, text)
    layout.save(path)


def main() -> None:
    write_docx(CORPUS / "30_mossby_partsblock.docx", MOSSBY)
    write_docx(CORPUS / "31_norrfors_numrering.docx", NORRFORS, numbered_by_numbering=True)
    write_docx(CORPUS / "40_rosvik_tabell.docx", ROSVIK)
    write_pdf(
        CORPUS / "32_ostby_tva_spalter.pdf",
        OSTBY,
        header="Östby kommun · Medborgarlöfte 2025–2026",
        columns=2,
    )
    write_pdf(
        CORPUS / "33_palmby_polisens_mall.pdf", PALMBY, header="Polisen · Medborgarlöfte Palmby", columns=1
    )
    write_pdf(CORPUS / "41_sandby_malmeningar.pdf", SANDBY, header="Sandby kommun", columns=2)


if __name__ == "__main__":
    main()
