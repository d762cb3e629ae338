import csv
import io
from decimal import Decimal

from trygg.core.csvexport import csv_cell, csv_text


def test_text_that_a_spreadsheet_would_run_as_a_formula_gets_a_leading_apostrophe() -> None:
    for text in ["=1+1", "+1+1", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A9)", "\t=1", "\r=1", '=HYPERLINK("x")']:
        assert csv_cell(text) == "'" + text
        assert csv_cell(text, excel=True) == "'" + text


def test_plain_numbers_and_ordinary_text_are_left_alone() -> None:
    assert [csv_cell(value) for value in (-5, 2.5, Decimal("-1.250"), "-5", "+2,5", "Klotter", "", None)] == [
        "-5",
        "2.5",
        "-1.250",
        "-5",
        "+2,5",
        "Klotter",
        "",
        "",
    ]


def test_the_excel_variant_has_a_bom_semicolons_and_decimal_commas() -> None:
    text = csv_text([["namn", "värde"], ["Ljungby; centrum", 9.8], ["Lagan", Decimal("0.125")]], excel=True)

    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows == [["namn", "värde"], ["Ljungby; centrum", "9,8"], ["Lagan", "0,125"]]
    assert list(csv.reader(io.StringIO(csv_text([["a", 9.8]])))) == [["a", "9.8"]]
