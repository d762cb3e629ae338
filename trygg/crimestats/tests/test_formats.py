import codecs
import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trygg.crimestats import formats, kommuner, longform, pxstat
from trygg.crimestats.importers import CrimeFileError, read_crime_file, read_population_file
from trygg.crimestats.kolada import KoladaSeries

from . import samples

CATEGORIES = formats.category_spellings()


def _figures(table) -> list[tuple]:
    return sorted(table.frame.drop("kommun_name").rows())


def _read(data: bytes, file_name: str = "fil", **kwargs):
    return formats.read_crime_statistics(data, file_name=file_name, categories=CATEGORIES, **kwargs)


def _trygg(data: bytes):
    return read_crime_file(data, categories=CATEGORIES)


def test_the_official_list_has_all_290_kommuner_and_21_lan() -> None:
    assert len(kommuner.kommuner()) == 290
    assert len(kommuner.counties()) == 21
    assert len(kommuner.county_members("07")) == 8


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Ljungby", "0781"),
        ("Ljungby kommun", "0781"),
        ("LJUNGBY", "0781"),
        ("Arjeplogs kommun", "2506"),
        ("Borås kommun", "1490"),
        ("Malung–Sälen", "2023"),
        ("Malung - Sälen kommun", "2023"),
        ("Stockholms stad", "0180"),
        ("Falu kommun", "2080"),
        ("0781 Ljungby", "0781"),
        ("0781", "0781"),
        ("Kronobergs län", "07"),
        ("Hela landet", "00"),
    ],
)
def test_a_kommun_is_found_by_name_code_genitive_dash_or_case(text: str, code: str) -> None:
    assert kommuner.resolve(text).code == code


@pytest.mark.parametrize(
    "text", ["Rinkeby-Kista", "Okänd kommun", "Ljungbyy", "0781 Växjö", "Stockholm Norrmalm"]
)
def test_a_district_an_unknown_kommun_or_a_near_miss_is_not_guessed(text: str) -> None:
    assert not kommuner.resolve(text).resolved


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("Stockholms stad", "Stockholms kommun", True),
        ("Munkedal kommun", "Munkedals kommun", True),
        ("Ljungby kommun", "LJUNGBY KOMMUN", True),
        ("Ljungby kommun", "Markaryds kommun", False),
        ("Ekdala kommun", "Ekdala kommun", True),
        ("Ekdala kommun", "Norrvik kommun", False),
        ("Ekdala kommun", "Ljungby kommun", False),
        ("Kalvik kommun", "Kalviks kommun", True),
        ("Kalvik kommun", "Kalvik stad", False),
        ("Ljungby", "Ljungbys kommun", True),
    ],
)
def test_two_spellings_of_one_kommun_are_the_same_kommun(first: str, second: str, same: bool) -> None:
    assert kommuner.same_kommun(first, second) is same
    assert kommuner.same_kommun(second, first) is same


def test_each_format_is_recognised_by_its_content() -> None:
    assert formats.detect(samples.SOL) == "bra_sol"
    assert formats.detect(samples.KOMMUN_CSV) == "bra_kommun_csv"
    assert formats.detect(samples.KOMMUN_CSV_WITHOUT_HEADER) == "bra_kommun_csv"
    assert formats.detect(samples.workbook()) == "bra_workbook"
    assert formats.detect(samples.PX_POPULATION.encode("latin-1")) == "pcaxis"
    assert formats.detect(samples.jsonstat_population()) == "json"
    assert formats.detect(samples.SOL_AS_TRYGG_CSV) == "trygg"
    assert formats.detect(samples.SOL_AS_TRYGG_CSV.replace(b",", b";")) == "trygg"


def test_the_sol_export_reads_as_the_same_figures_as_the_trygg_csv() -> None:
    table = _read(samples.SOL)

    assert table.format == "bra_sol"
    assert _figures(table) == _figures(_trygg(samples.SOL_AS_TRYGG_CSV))
    assert table.unknown_categories == {"Mord och dråp": 1}
    assert table.unresolved_regions == {"Okänd kommun": 1}
    assert table.skipped == 1  # Arjeplog's "..": missing, not 0
    assert table.notes == ("Källa: Brottsförebyggande rådet",)
    assert table.preliminary_rows == 2


def test_a_sub_type_under_a_parent_of_the_same_category_is_not_counted_twice() -> None:
    table = _read(samples.SOL)

    växjö = table.frame.filter(table.frame["kommun_code"] == "0780").rows(named=True)
    assert [(row["category"], row["count"]) for row in växjö] == [("bedrageri", 120)]


def test_two_unrelated_types_of_one_category_are_added_and_the_table_says_so() -> None:
    data = "Region;Brott;År;Period;Antal;\nLjungby;Misshandel utomhus;2025;År;10;\nLjungby;Misshandel inomhus;2025;År;5;\n"

    table = _read(data.encode("latin-1"))

    assert table.frame.select("category", "count").rows() == [("misshandel", 15)]
    assert table.combined == {"misshandel": ("Misshandel utomhus", "Misshandel inomhus")}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_files_saved_as_unicode_text_read_as_the_same_figures(encoding: str) -> None:
    def as_utf16(data: bytes, original: str) -> bytes:
        text = data.decode(original).lstrip("\ufeff")
        return text.encode(encoding) if encoding == "utf-16" else codecs.BOM_UTF16_BE + text.encode(encoding)

    expected = _figures(_trygg(samples.SOL_AS_TRYGG_CSV))
    sol = as_utf16(samples.SOL, "latin-1")
    trygg_csv = as_utf16(samples.SOL_AS_TRYGG_CSV, "utf-8")
    # As Excel saves "Unicode text": tabs between the columns.
    tabbed = as_utf16(samples.SOL_AS_TRYGG_CSV.replace(b",", b"\t"), "utf-8")

    assert formats.detect(sol) == "bra_sol"
    assert _figures(_read(sol)) == expected
    assert _figures(_trygg(trygg_csv)) == expected
    assert _figures(_trygg(tabbed)) == expected
    assert _figures(_read(as_utf16(samples.KOMMUN_CSV, "utf-8"), "kommuner.csv", year=2025)) == _figures(
        _trygg(samples.KOMMUN_CSV_AS_TRYGG_CSV)
    )


def test_the_kommun_csv_reads_with_and_without_its_header() -> None:
    expected = _figures(_trygg(samples.KOMMUN_CSV_AS_TRYGG_CSV))

    with_header = _read(samples.KOMMUN_CSV, "anmalda-brott-per-kommun-2025.csv")
    without = _read(samples.KOMMUN_CSV_WITHOUT_HEADER, "kommuner_2025.csv")

    assert _figures(with_header) == expected
    assert _figures(without) == expected
    assert with_header.unresolved_regions == {"Rinkeby-Kista": 1}


def test_the_kommun_csv_without_a_year_anywhere_asks_for_one() -> None:
    with pytest.raises(CrimeFileError) as raised:
        _read(samples.KOMMUN_CSV, "kommuner.csv")

    assert raised.value.errors[0].code == "no_year"
    assert _figures(_read(samples.KOMMUN_CSV, "kommuner.csv", year=2025)) == _figures(
        _trygg(samples.KOMMUN_CSV_AS_TRYGG_CSV)
    )


def test_the_workbook_reads_every_kommun_sheet_and_reports_okand_kommun() -> None:
    table = _read(samples.workbook())

    assert table.format == "bra_workbook"
    assert _figures(table) == _figures(_trygg(samples.WORKBOOK_AS_TRYGG_CSV))
    assert table.unresolved_regions == {"Okänd kommun": 2}


def test_a_bad_count_in_the_workbook_names_the_sheet_row_and_column() -> None:
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet("Ljungby")
    sheet.write_row(1, 0, ["Brott", "2024"])
    sheet.write_row(2, 0, ["Klotter", "tolv"])
    book.close()

    with pytest.raises(CrimeFileError) as raised:
        _read(buffer.getvalue())

    error = raised.value.errors[0]
    assert (error.sheet, error.line, error.column, error.code) == ("Ljungby", 3, "B", "bad_count")
    assert str(error).startswith("blad Ljungby, rad 3, kolumn B")


def test_a_sol_row_with_a_bad_period_or_count_names_line_and_column() -> None:
    data = "Region;Brott;År;Period;Antal;\nLjungby;Klotter;2025;Okt;5;\nLjungby;Klotter;2025;Oktobr;x;\n"

    with pytest.raises(CrimeFileError) as raised:
        _read(data.encode("latin-1"))

    assert sorted((error.line, error.column, error.code) for error in raised.value.errors) == [
        (3, "Antal", "bad_count"),
        (3, "Period", "bad_period"),
    ]


def test_a_pc_axis_crime_table_reads_as_the_same_figures_with_dash_as_zero() -> None:
    table = _read(samples.PX_CRIME.encode("cp1252"))

    assert table.format == "pcaxis"
    assert _figures(table) == _figures(_trygg(samples.PX_CRIME_AS_TRYGG_CSV))
    assert table.skipped == 1


def _population_rows(table) -> list[tuple]:
    return sorted(table.frame.select("kommun_code", "year", "population").rows())


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(samples.PX_POPULATION.encode("latin-1"), id="iso-8859-1"),
        pytest.param(
            samples.PX_POPULATION.replace("iso-8859-1", "windows-1252").encode("cp1252"), id="cp1252"
        ),
        pytest.param(samples.PX_POPULATION.replace("iso-8859-1", "utf-8").encode(), id="utf-8"),
        pytest.param(
            samples.px_without_codepage(samples.PX_POPULATION).encode("latin-1"), id="no-codepage-latin1"
        ),
        pytest.param(samples.px_without_codepage(samples.PX_POPULATION).encode(), id="no-codepage-utf8"),
        pytest.param(samples.PX_POPULATION_KEYS.encode("latin-1"), id="sparse-keys"),
        pytest.param(samples.jsonstat_population(), id="json-stat"),
    ],
)
def test_population_tables_read_as_the_same_figures_as_the_csv(data: bytes) -> None:
    expected = read_population_file(samples.PX_POPULATION_AS_TRYGG_CSV)

    table = formats.read_population_statistics(data)

    assert _population_rows(table) == _population_rows(expected)
    assert table.skipped == 1  # Arjeplog 2025 has a missing cell: no population, not a smaller one


def test_a_pc_axis_label_keeps_its_swedish_letters_in_every_encoding() -> None:
    for data in (
        samples.PX_POPULATION.encode("latin-1"),
        samples.px_without_codepage(samples.PX_POPULATION).encode("latin-1"),
        samples.PX_POPULATION.replace("iso-8859-1", "utf-8").encode(),
    ):
        cube = pxstat.read_px(data)
        assert cube.dimensions[1].labels == ("män", "kvinnor")


def test_our_pc_axis_reader_agrees_with_pyaxis(tmp_path) -> None:
    pyaxis = pytest.importorskip("pyaxis.pyaxis", reason="pyaxis is installed with the dev dependencies")
    path = tmp_path / "be0101n1.px"
    path.write_bytes(samples.PX_POPULATION.encode("latin-1"))

    theirs = pyaxis.parse(str(path), encoding="iso-8859-1")["DATA"]
    cube = pxstat.read_px(path.read_bytes())

    # pyaxis keeps ".." as text or NaN, depending on its version.
    their_values = [None if str(text).strip('"') in ("..", "nan") else float(text) for text in theirs["DATA"]]
    ours = [None if value != value else float(value) for value in cube.values]
    assert ours == their_values
    assert list(theirs["region"].unique()) == list(cube.dimensions[0].labels)


def test_a_json_stat_document_written_by_pyjstat_reads_the_same() -> None:
    pandas = pytest.importorskip("pandas")
    pyjstat = pytest.importorskip("pyjstat.pyjstat")
    frame = pandas.DataFrame(
        [
            {"region": "0781 Ljungby", "år": "2024", "value": 28400},
            {"region": "0781 Ljungby", "år": "2025", "value": 28510},
            {"region": "2506 Arjeplog", "år": "2024", "value": 2950},
            {"region": "2506 Arjeplog", "år": "2025", "value": None},
        ]
    )
    document = json.loads(pyjstat.Dataset.read(frame).write(output="jsonstat"))
    document["role"] = {"time": ["år"], "geo": ["region"]}

    table = formats.read_population_statistics(json.dumps(document).encode())

    assert _population_rows(table) == [("0781", 2024, 28400), ("0781", 2025, 28510), ("2506", 2024, 2950)]


def test_a_bad_json_stat_cell_names_its_json_path() -> None:
    document = json.loads(samples.jsonstat_population())
    document["value"][5] = "många"

    with pytest.raises(CrimeFileError) as raised:
        formats.read_population_statistics(json.dumps(document).encode())

    assert [(error.path, error.code) for error in raised.value.errors] == [("$.value[5]", "bad_value")]
    assert str(raised.value.errors[0]).startswith("JSON $.value[5]")


def test_a_bad_pc_axis_cell_names_its_line() -> None:
    data = samples.PX_POPULATION.replace("14100 14160", "14100 1416O").encode("latin-1")

    with pytest.raises(CrimeFileError) as raised:
        formats.read_population_statistics(data)

    line = samples.PX_POPULATION.splitlines().index("14100 14160") + 1
    assert [(error.line, error.code, error.value) for error in raised.value.errors] == [
        (line, "bad_value", "1416O")
    ]


def test_a_population_table_given_as_crime_is_refused_with_what_it_is() -> None:
    with pytest.raises(CrimeFileError) as raised:
        _read(samples.PX_POPULATION.encode("latin-1"))

    assert raised.value.errors[0].code == "wrong_kind"
    assert "folkmängdstabell" in str(raised.value)


def test_kolada_pages_read_as_one_comparison_series() -> None:
    first, second = samples.kolada_pages()

    series = _read(first, more_pages=[second])

    assert isinstance(series, KoladaSeries)
    assert sorted(series.frame.select("area_code", "year", "gender", "value").rows()) == [
        ("00", 2024, "T", 1105.0),
        ("0781", 2024, "T", 1012.4),
        ("2506", 2024, "T", None),
    ]
    assert series.next_url is None


def test_a_single_kolada_page_remembers_the_page_it_points_to() -> None:
    first, _second = samples.kolada_pages()

    series = _read(first)

    assert isinstance(series, KoladaSeries) and series.next_url and "page=2" in series.next_url


def test_a_bad_kolada_value_names_its_json_path() -> None:
    document = json.loads(samples.kolada_pages()[0])
    document["values"][1]["values"][0]["value"] = "hög"

    with pytest.raises(CrimeFileError) as raised:
        _read(json.dumps(document).encode())

    assert raised.value.errors[0].path == "$.values[1].values[0].value"


@given(st.binary(max_size=400))
def test_any_bytes_give_a_table_or_a_file_error_never_a_crash(data: bytes) -> None:
    with contextlib.suppress(CrimeFileError):
        _read(data, "fuzz.csv")


@given(
    st.lists(
        st.text(alphabet=st.sampled_from(list(';"\n\r.-0123456789 aåÖ\t,=()PKDATA')), max_size=60), max_size=8
    )
)
def test_text_with_the_formats_own_characters_never_crashes_a_reader(lines: list[str]) -> None:
    for prefix in ("Region;Brott;År;Period;Antal;\n", 'STUB="region";\nHEADING="år";\nDATA=\n', ""):
        data = (prefix + "\n".join(lines)).encode("utf-8")
        with contextlib.suppress(CrimeFileError):
            _read(data, "fuzz_2025.csv")
        with contextlib.suppress(CrimeFileError):
            formats.read_population_statistics(data)


@given(st.integers(1900, 2100), st.sampled_from(list(longform.MONTH_NAMES)), st.booleans())
def test_every_month_brå_writes_parses_back_to_its_number(year: int, month: str, preliminary: bool) -> None:
    text = f"{year}{' prel.' if preliminary else ''} {month.capitalize()}"

    assert longform.parse_period(text) == (year, longform.MONTH_NAMES[month], preliminary)


def test_a_dimension_with_a_total_value_is_taken_at_the_total_not_summed() -> None:
    document = json.loads(samples.jsonstat_population())
    # Add "totalt" to Kon: the cells for it are the sums, and must not be added to men and women again.
    document["size"][1] = 3
    document["dimension"]["Kon"]["category"] = {
        "index": {"1": 0, "2": 1, "1+2": 2},
        "label": {"1": "män", "2": "kvinnor", "1+2": "totalt"},
    }
    cells = []
    for men_2024, men_2025, women_2024, women_2025 in samples.PX_ORDER:
        total_2025 = None if men_2025 is None or women_2025 is None else men_2025 + women_2025
        cells += [men_2024, men_2025, women_2024, women_2025, (men_2024 or 0) + (women_2024 or 0), total_2025]
    document["value"] = cells
    document.pop("status")

    table = formats.read_population_statistics(json.dumps(document).encode())

    assert _population_rows(table) == _population_rows(
        read_population_file(samples.PX_POPULATION_AS_TRYGG_CSV)
    )
