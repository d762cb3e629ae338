"""Test files in each published format, written by hand from the formats' descriptions (Brå's SOL export and
per-kommun files, SCB's PC-Axis and JSON-stat 2.0, Kolada v3), each with the Trygg CSV that holds the same figures.
"""

import io
import json

import xlsxwriter

# Brå's SOL export: Latin-1, `;`, a trailing `;` on data rows, "X kommun" and a genitive, crime types with the
# police's code, a sub-type indented with `..` under a parent that maps to the same category, `prel.` months,
# a quarter, `..` for a missing figure, a län and the whole country, "Okänd kommun", a type Trygg lacks, and a
# source note after the table.
SOL = (
    "Region;Brott;År;Period;Antal;/100 000 inv\r\n"
    "Ljungby kommun;Skadegörelsebrott;2025;År;412;1 453,2;\r\n"
    "Arjeplogs kommun;Skadegörelsebrott;2025;År;..;..;\r\n"
    "Arjeplogs kommun;Klotter;2025;År;7;253,6;\r\n"
    "Växjö;Bedrägeri m.m.;2026 prel.;Okt;120;;\r\n"
    "Växjö;..0950 - Befogenhetsbedrägeri;2026 prel.;Okt;4;;\r\n"
    "Ljungby;Klotter;2025;Kvartal 3;5;;\r\n"
    "Ljungby;Klotter;2026 prel.;Maj;2;;\r\n"
    "Kronobergs län;Klotter;2025;År;300;;\r\n"
    "Hela landet;Klotter;2025;År;25 000;;\r\n"
    "Okänd kommun;Klotter;2025;År;12;;\r\n"
    "Ljungby;Mord och dråp;2025;År;1;;\r\n"
    "\r\n"
    "Källa: Brottsförebyggande rådet\r\n"
).encode("latin-1")

SOL_AS_TRYGG_CSV = (
    "kommunkod,kommun,brottskategori,period,antal\n"
    "0781,Ljungby,skadegorelse,2025,412\n"
    "2506,Arjeplog,klotter,2025,7\n"
    "0780,Växjö,bedrageri,2026-10 prel.,120\n"
    "0781,Ljungby,klotter,2025K3,5\n"
    "0781,Ljungby,klotter,2026-05 prel.,2\n"
    "07,Kronobergs län,klotter,2025,300\n"
    "00,Riket,klotter,2025,25000\n"
).encode()

# The same months a year later, final.
SOL_FINAL = (
    "Region;Brott;År;Period;Antal;/100 000 inv\n"
    "Växjö;Bedrägeri m.m.;2026;Okt;131;;\n"
    "Ljungby;Klotter;2026;Maj;2;;\n"
).encode("latin-1")

# Brå's per-kommun CSV: UTF-8 with a BOM, CRLF, spaces between thousands, an en dash, a Stockholm district.
KOMMUN_CSV = (
    "\ufeffKommun;Antal;Per 100 000 inv.\r\n"
    "Ljungby;2 412;8 523,4\r\n"
    "Malung–Sälen;1 104;10 890,2\r\n"
    "Rinkeby-Kista;5 432;10 987,6\r\n"
    "Arjeplogs kommun;..;..\r\n"
).encode("utf-8")
KOMMUN_CSV_WITHOUT_HEADER = "\ufeffLjungby;2 412;8 523,4\r\nMalung–Sälen;1 104;10 890,2\r\n".encode("utf-8")
KOMMUN_CSV_AS_TRYGG_CSV = (
    "kommunkod,kommun,brottskategori,period,antal\n"
    "0781,Ljungby,samtliga-brott,2025,2412\n"
    "2023,Malung-Sälen,samtliga-brott,2025,1104\n"
).encode()


def workbook() -> bytes:
    """Brå's workbook for a region: a sheet per kommun with a title, crime types down, years across."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    for sheet, rows in (
        ("Ljungby", [["Skadegörelsebrott", 400, 412], ["Klotter", 17, ".."]]),
        ("Arjeplogs kommun", [["Klotter", 3, 7]]),
        ("Okänd kommun", [["Klotter", 1, 2]]),
    ):
        page = book.add_worksheet(sheet)
        page.write(0, 0, f"Anmälda brott, {sheet}")
        page.write_row(2, 0, ["Brott", "2024", "2025 prel."])
        for offset, row in enumerate(rows):
            page.write_row(3 + offset, 0, row)
    book.close()
    return buffer.getvalue()


WORKBOOK_AS_TRYGG_CSV = (
    b"kommunkod,kommun,brottskategori,period,antal\n"
    b"0781,Ljungby,skadegorelse,2024,400\n"
    b"0781,Ljungby,skadegorelse,2025 prel.,412\n"
    b"0781,Ljungby,klotter,2024,17\n"
    b"2506,Arjeplog,klotter,2024,3\n"
    b"2506,Arjeplog,klotter,2025 prel.,7\n"
)

# SCB's BE0101N1 as PC-Axis: Region × Kön in the stub, Tid in the heading.
PX_POPULATION = """CHARSET="ANSI";
AXIS-VERSION="2010";
CODEPAGE="iso-8859-1";
LANGUAGE="sv";
CREATION-DATE="20260221 09:30";
DECIMALS=0;
SHOWDECIMALS=0;
MATRIX="BE0101N1";
SUBJECT-CODE="BE";
SUBJECT-AREA="Befolkning";
CONTENTS="Folkmängd efter region, kön och år";
UNITS="antal";
STUB="region","kön";
HEADING="år";
CONTVARIABLE="tabellinnehåll";
VALUES("region")="00 Riket","07 Kronobergs län","0781 Ljungby","2506 Arjeplog";
VALUES("kön")="män","kvinnor";
VALUES("år")="2024","2025";
VALUES("tabellinnehåll")="Folkmängd";
TIMEVAL("år")=TLIST(A1),"2024","2025";
CODES("region")="00","07","0781","2506";
CODES("kön")="1","2";
CODES("år")="2024","2025";
ELIMINATION("kön")=YES;
NOTE="Folkmängden avser förhållandena den 31 december.";
DATA=
5300000 5320000
5290000 5310000
101000 101500
100500 101000
14300 14350
14100 14160
1550 1540
1400 ".."
;
"""
PX_POPULATION_AS_TRYGG_CSV = (
    "kommunkod,kommun,år,folkmängd\n"
    "00,Riket,2024,10590000\n00,Riket,2025,10630000\n"
    "07,Kronobergs län,2024,201500\n07,Kronobergs län,2025,202500\n"
    "0781,Ljungby,2024,28400\n0781,Ljungby,2025,28510\n"
    "2506,Arjeplog,2024,2950\n"
).encode()

# The same table sparse, with KEYS: each data line starts with the region's and the sex's codes; a missing line
# is zero (here none is missing), and the Arjeplog 2025 cell stays "..".
PX_POPULATION_KEYS = (
    PX_POPULATION.replace(
        'ELIMINATION("kön")=YES;', 'ELIMINATION("kön")=YES;\nKEYS("region")=CODE;\nKEYS("kön")=CODE;'
    ).split("DATA=")[0]
    + """DATA=
"00","1",5300000,5320000
"00","2",5290000,5310000
"07","1",101000,101500
"07","2",100500,101000
"0781","1",14300,14350
"0781","2",14100,14160
"2506","1",1550,1540
"2506","2",1400,".."
;
"""
)


def px_without_codepage(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if not line.startswith(("CODEPAGE", "CHARSET")))


def jsonstat_population() -> bytes:
    """PxWeb API v2's answer for TAB638 (BE0101N1): Region × Kon × ContentsCode × Tid, row-major, null missing."""
    regions = ["00", "07", "0781", "2506"]
    labels = {"00": "Riket", "07": "Kronobergs län", "0781": "Ljungby", "2506": "Arjeplog"}
    values: list[int | None] = []
    for region in PX_ORDER:
        values.extend(region)
    document = {
        "version": "2.0",
        "class": "dataset",
        "label": "Folkmängden per region efter region, kön, tabellinnehåll och år",
        "source": "SCB",
        "updated": "2026-02-21T07:00:00Z",
        "id": ["Region", "Kon", "ContentsCode", "Tid"],
        "size": [4, 2, 1, 2],
        "role": {"time": ["Tid"], "geo": ["Region"], "metric": ["ContentsCode"]},
        "dimension": {
            "Region": {
                "label": "region",
                "category": {"index": {code: i for i, code in enumerate(regions)}, "label": labels},
            },
            "Kon": {
                "label": "kön",
                "category": {"index": {"1": 0, "2": 1}, "label": {"1": "män", "2": "kvinnor"}},
                "extension": {"elimination": True},
            },
            "ContentsCode": {
                "label": "tabellinnehåll",
                "category": {"index": {"BE0101N1": 0}, "label": {"BE0101N1": "Folkmängd"}},
            },
            "Tid": {
                "label": "år",
                "category": {"index": {"2024": 0, "2025": 1}, "label": {"2024": "2024", "2025": "2025"}},
            },
        },
        "value": values,
        "status": {"15": ".."},
    }
    return json.dumps(document, ensure_ascii=False).encode()


# Cells of the population table in row-major order (Region, Kon, Tid): one list per region.
PX_ORDER: list[list[int | None]] = [
    [5300000, 5320000, 5290000, 5310000],
    [101000, 101500, 100500, 101000],
    [14300, 14350, 14100, 14160],
    [1550, 1540, 1400, None],
]

# A crime table as PC-Axis (a table made in PxWeb from Brå's figures): region × brottstyp × år.
PX_CRIME = """CHARSET="ANSI";
MATRIX="BRA01";
CONTENTS="Anmälda brott efter region, brottstyp och år";
STUB="region","brottstyp";
HEADING="år";
VALUES("region")="0781 Ljungby","2506 Arjeplog";
VALUES("brottstyp")="Skadegörelsebrott","Klotter";
VALUES("år")="2024","2025";
TIMEVAL("år")=TLIST(A1),"2024","2025";
DATA=
400 412
17 ".."
"-" 0
3 7;
"""
PX_CRIME_AS_TRYGG_CSV = (
    b"kommunkod,kommun,brottskategori,period,antal\n"
    b"0781,Ljungby,skadegorelse,2024,400\n0781,Ljungby,skadegorelse,2025,412\n"
    b"0781,Ljungby,klotter,2024,17\n"
    b"2506,Arjeplog,skadegorelse,2024,0\n2506,Arjeplog,skadegorelse,2025,0\n"
    b"2506,Arjeplog,klotter,2024,3\n2506,Arjeplog,klotter,2025,7\n"
)


def kolada_pages() -> list[bytes]:
    """Kolada v3: N07403 (reported violent crimes per 100 000) in two pages linked by next_url."""
    first = {
        "count": 3,
        "next_url": "https://api.kolada.se/v3/data/kpi/N07403/year/2024?page=2&per_page=2",
        "values": [
            {
                "kpi": "N07403",
                "municipality": "0781",
                "period": 2024,
                "values": [
                    {"gender": "T", "value": 1012.4, "count": 1, "status": ""},
                ],
            },
            {
                "kpi": "N07403",
                "municipality": "0000",
                "period": 2024,
                "values": [{"gender": "T", "value": 1105.0, "count": 290, "status": ""}],
            },
        ],
    }
    second = {
        "count": 3,
        "next_url": None,
        "values": [
            {
                "kpi": "N07403",
                "municipality": "2506",
                "period": 2024,
                "values": [{"gender": "T", "value": None, "count": 0, "status": "Missing"}],
            },
        ],
    }
    return [json.dumps(first).encode(), json.dumps(second).encode()]
