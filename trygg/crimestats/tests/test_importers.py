from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trygg.crimestats import importers
from trygg.crimestats.importers import (
    ColumnMapping,
    CrimeFileError,
    MappingFileError,
    mapping_from_toml,
    periods_summary,
    read_crime_file,
    read_population_file,
)

CATEGORIES = {"skadegorelse": ["Skadegörelse"], "klotter": ["Klotter", "Skadegörelse genom klotter"]}
HEADER = "kommunkod,kommun,brottskategori,period,antal\n"


def _errors(text: str, **kwargs: Any) -> list[tuple[int, str | None, str]]:
    with pytest.raises(CrimeFileError) as raised:
        read_crime_file((HEADER + text).encode(), categories=CATEGORIES, **kwargs)
    return [(error.line, error.column, error.code) for error in raised.value.errors]


def test_a_valid_file_gives_one_row_per_kommun_category_and_period() -> None:
    table = read_crime_file(
        (HEADER + "0781,Ljungby,skadegorelse,2023,412\n0781,Ljungby,Klotter,2023-04,17\n").encode(),
        categories=CATEGORIES,
    )

    assert table.frame.rows() == [
        ("0781", "Ljungby", "skadegorelse", 2023, 0, 412, False),
        ("0781", "Ljungby", "klotter", 2023, 4, 17, False),
    ]
    assert table.periods == [(2023, 0), (2023, 4)]


def test_a_bad_kommun_code_names_the_line_and_the_column() -> None:
    assert _errors("0781,Ljungby,skadegorelse,2023,1\n781,Ljungby,skadegorelse,2022,1\n") == [
        (3, "kommunkod", "bad_code")
    ]


def test_a_negative_count_names_the_line_and_the_column() -> None:
    assert _errors("0781,Ljungby,skadegorelse,2023,-4\n") == [(2, "antal", "negative_count")]


def test_an_unknown_category_names_the_line_and_the_column() -> None:
    errors = _errors("0781,Ljungby,skadegorelse,2023,1\n0781,Ljungby,mord,2023,1\n")

    assert errors == [(3, "brottskategori", "unknown_category")]


def test_every_error_of_the_file_is_reported_in_line_order() -> None:
    errors = _errors("781,Ljungby,mord,2023-13,x\n0781,Ljungby,klotter,2023,1\n0781,Ljungby,klotter,2023,2\n")

    assert errors == [
        (2, "antal", "bad_count"),
        (2, "brottskategori", "unknown_category"),
        (2, "kommunkod", "bad_code"),
        (2, "period", "bad_period"),
    ]


def test_a_duplicate_period_names_the_first_line() -> None:
    with pytest.raises(CrimeFileError) as raised:
        read_crime_file(
            (HEADER + "0781,Ljungby,klotter,2023,1\n0781,Ljungby,klotter,2023,2\n").encode(),
            categories=CATEGORIES,
        )

    assert "rad 3" in str(raised.value) and "rad 2" in str(raised.value)


def test_a_kommun_missing_from_trygg_is_an_error_when_the_known_ones_are_given() -> None:
    assert _errors("0780,Växjö,klotter,2023,1\n", municipalities={"0781"}) == [
        (2, "kommunkod", "unknown_kommun")
    ]


def test_a_missing_column_is_reported_on_the_header_line() -> None:
    with pytest.raises(CrimeFileError) as raised:
        read_crime_file(b"kommunkod,kommun,period,antal\n0781,Ljungby,2023,1\n", categories=CATEGORIES)

    assert [(error.line, error.column) for error in raised.value.errors] == [(1, "brottskategori")]


def test_a_bra_style_wide_table_is_read_through_a_mapping_file(tmp_path) -> None:
    mapping_file = tmp_path / "bra.toml"
    mapping_file.write_text(
        '[columns]\nkommun = "Region"\ncategory = "Brott"\n[periods]\ncolumns = "\\\\d{4}"\n'
        '[file]\nskip_lines = 1\nmissing_values = [".."]\n',
        encoding="utf-8",
    )
    data = "Anmälda brott, exporterad tabell\nRegion;Brott;2022;2023\n0781 Ljungby;Skadegörelse;1 200;..\n0780 Växjö;Klotter;5;x\n"

    with pytest.raises(CrimeFileError) as raised:
        read_crime_file(data.encode(), categories=CATEGORIES, mapping=mapping_from_toml(mapping_file))

    # The title line is line 1 and the header line 2, so the Växjö row is line 4; the column is the period's.
    assert [(error.line, error.column, error.code) for error in raised.value.errors] == [
        (4, "2023", "bad_count")
    ]
    fixed = data.replace(";x", ";6").encode()
    table = read_crime_file(fixed, categories=CATEGORIES, mapping=mapping_from_toml(mapping_file))
    assert sorted(table.frame.rows()) == [
        ("0780", "Växjö", "klotter", 2022, 0, 5, False),
        ("0780", "Växjö", "klotter", 2023, 0, 6, False),
        ("0781", "Ljungby", "skadegorelse", 2022, 0, 1200, False),
    ]
    assert table.skipped == 1


def test_year_and_month_columns_with_month_names() -> None:
    mapping = ColumnMapping(category="brott", period=None, year="år", month="månad")
    data = "kommunkod;kommun;brott;år;månad;antal\n0781;Ljungby;klotter;2023;april;4\n0781;Ljungby;klotter;2023;5;6\n"

    table = read_crime_file(data.encode(), categories=CATEGORIES, mapping=mapping)

    assert table.periods == [(2023, 4), (2023, 5)]
    assert periods_summary(table.periods) == "2023-04–2023-05 (månader)"


def test_a_mapping_file_with_an_unknown_key_is_refused(tmp_path) -> None:
    mapping_file = tmp_path / "bad.toml"
    mapping_file.write_text('[columns]\nkommunkod = "Kod"\n', encoding="utf-8")

    with pytest.raises(MappingFileError, match="kommunkod"):
        mapping_from_toml(mapping_file)


def test_population_reads_scbs_region_column() -> None:
    table = read_population_file("region,år,folkmängd\n0781 Ljungby,2023,28 300\n".encode())

    assert table.frame.rows() == [("0781", "Ljungby", 2023, 28300)]


def test_population_errors_name_line_and_column() -> None:
    with pytest.raises(CrimeFileError) as raised:
        read_population_file("kommunkod,kommun,år,folkmängd\n0781,Ljungby,2023,0\n".encode())

    assert [(error.line, error.column) for error in raised.value.errors] == [(2, "folkmängd")]


def _long_file(bad_line: int, bad_row: str, rows: int = 30_000) -> bytes:
    """`rows` valid figures (ten kommuner × two categories × months) with line `bad_line` replaced by `bad_row`."""
    lines = [HEADER.rstrip("\n")]
    for number in range(rows):
        kommun = f"07{80 + number % 10:02d}"
        category = ("skadegorelse", "klotter")[number // 10 % 2]
        month = number // 20
        lines.append(f"{kommun},Kommun,{category},{1900 + month // 12}-{month % 12 + 1:02d},{number % 50}")
    lines[bad_line - 1] = bad_row
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(
    ("bad_row", "column", "code", "value"),
    [
        ("781,Kommun,klotter,2023-04,1", "kommunkod", "bad_code", "781"),
        ("0781,Kommun,mord,2023-04,1", "brottskategori", "unknown_category", "mord"),
        ("0781,Kommun,klotter,2023-13,1", "period", "bad_period", "2023-13"),
        ("0781,Kommun,klotter,2023-04,12x", "antal", "bad_count", "12x"),
        ("0781,Kommun,klotter,2023-04,-3", "antal", "negative_count", "-3"),
    ],
)
def test_one_bad_value_deep_in_a_long_file_names_its_line_its_column_and_the_value(
    bad_row: str, column: str, code: str, value: str
) -> None:
    with pytest.raises(CrimeFileError) as raised:
        read_crime_file(_long_file(23_457, bad_row), categories=CATEGORIES)

    errors = raised.value.errors
    assert [(error.line, error.column, error.code, error.value) for error in errors] == [
        (23_457, column, code, value)
    ]
    assert str(errors[0]).startswith(f"rad 23457, kolumn {column}:")


def test_a_value_bad_on_several_lines_is_reported_on_each_of_them() -> None:
    data = _long_file(9_001, "0781,Kommun,klotter,2023-13,1").replace(
        b"\n0780,Kommun,skadegorelse,1900-01,0\n", b"\n0780,Kommun,skadegorelse,2023-13,0\n"
    )

    with pytest.raises(CrimeFileError) as raised:
        read_crime_file(data, categories=CATEGORIES)

    assert [(error.line, error.code) for error in raised.value.errors] == [
        (2, "bad_period"),
        (9_001, "bad_period"),
    ]


def test_a_duplicate_far_down_a_long_file_names_both_lines() -> None:
    data = _long_file(20_002, "0780,Kommun,skadegorelse,1900-01,7")

    with pytest.raises(CrimeFileError) as raised:
        read_crime_file(data, categories=CATEGORIES)

    assert [(error.line, error.code, error.params) for error in raised.value.errors] == [
        (20_002, "duplicate", {"first": "2"})
    ]


def test_spaces_around_codes_and_in_counts_and_missing_figures_are_read_as_the_source_means() -> None:
    table = read_crime_file(
        (
            HEADER
            + " 0781 , Ljungby ,Skadegörelse, 2023-04 prel.,1 234\n"
            + "0781,Ljungby,klotter,2023K2,..\n"
            + "0781,Ljungby,klotter,2023,\u00a0 17\n"
        ).encode(),
        categories=CATEGORIES,
    )

    assert table.frame.rows() == [
        ("0781", "Ljungby", "skadegorelse", 2023, 4, 1234, True),
        ("0781", "Ljungby", "klotter", 2023, 0, 17, False),
    ]
    assert table.skipped == 1


# Spellings of the same kommun and category, as a file may mix them: the duplicate check compares what they mean.
_KOMMUNER = {"0781": ["0781", " 0781 "], "0780": ["0780"], "0760": ["0760 "]}
_SPELLINGS = {
    "klotter": ["klotter", "Klotter", "Skadegörelse genom klotter"],
    "skadegorelse": ["Skadegörelse"],
}
_PERIODS = {(2023, 4): ["2023-04", "2023-04 prel."], (2023, 0): ["2023"], (2022, 12): ["2022-12"]}


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(_KOMMUNER)),
            st.sampled_from(sorted(_SPELLINGS)),
            st.sampled_from(sorted(_PERIODS)),
            st.integers(0, 5),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_a_figure_given_twice_is_found_in_any_order_and_spelling(
    rows: list[tuple[str, str, tuple[int, int], int]],
) -> None:
    lines = []
    for number, (code, category, period, spelling) in enumerate(rows):
        written_code = _KOMMUNER[code][spelling % len(_KOMMUNER[code])]
        written_category = _SPELLINGS[category][spelling % len(_SPELLINGS[category])]
        written_period = _PERIODS[period][spelling % len(_PERIODS[period])]
        lines.append(f"{written_code},Kommun,{written_category},{written_period},{number}\n")
    seen: dict[tuple[str, str, tuple[int, int]], int] = {}
    expected = []
    for line, (code, category, period, _spelling) in enumerate(rows, start=2):
        first = seen.setdefault((code, category, period), line)
        if first != line:
            expected.append((line, "duplicate", {"first": str(first)}))

    if not expected:
        assert read_crime_file((HEADER + "".join(lines)).encode(), categories=CATEGORIES).rows == len(rows)
        return
    with pytest.raises(CrimeFileError) as raised:
        read_crime_file((HEADER + "".join(lines)).encode(), categories=CATEGORIES)
    assert [(error.line, error.code, error.params) for error in raised.value.errors] == expected


# Counts as sources write them: plain, signed, padded, with thousands separators, missing marks, empty, not numbers.
_COUNTS = ["0", "17", "+5", "05", " 5", "5 ", "-3", "1 234", "1\u00a0234", "..", "", "5.0", "1e3", "x", '"7"']


def _outcome(data: bytes) -> object:
    try:
        table = read_crime_file(data, categories=CATEGORIES)
    except CrimeFileError as error:
        return (
            "errors",
            error.total,
            [(e.line, e.column, e.code, e.value, e.params, str(e)) for e in error.errors],
        )
    return ("rows", table.frame.rows(), table.skipped)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(_COUNTS), min_size=1, max_size=12))
def test_a_count_column_read_as_numbers_reads_as_the_same_column_read_as_text(counts: list[str]) -> None:
    data = (
        HEADER
        + "".join(f"0781,Ljungby,klotter,2023-{month:02},{count}\n" for month, count in enumerate(counts, 1))
    ).encode()
    as_numbers = _outcome(data)
    # The reference: the header's count column is not looked for, so every column is read as text.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(importers, "_header_name", lambda *_arguments: None)
        as_text = _outcome(data)
    assert as_numbers == as_text
