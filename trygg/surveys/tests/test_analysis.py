import csv
import io
import json
import math
from pathlib import Path
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from trygg.surveys import analysis
from trygg.surveys.analysis import (
    IndicatorCell,
    SurveyFileError,
    indicator_trend,
    read_responses,
    survey_indices,
    trend,
)


def read_text(text: str, **options):
    return read_responses(io.StringIO(text), **options)


def indices(text: str, **options):
    return survey_indices(read_text(text), **options)


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    return "\n".join(",".join(row) for row in [header, *rows]) + "\n"


def cell(result, indicator: str, group: int = 0) -> IndicatorCell:
    return result["groups"][group]["indicators"][indicator]


def only_error(text: str):
    with pytest.raises(SurveyFileError) as raised:
        read_text(text)
    assert len(raised.value.errors) == 1, raised.value.errors
    return raised.value.errors[0]


# --- formulas, against small cases computed by hand -------------------------------------------------------------


def test_the_problem_index_is_the_mean_of_the_default_points_and_its_se_follows_the_formula():
    # Codes 1, 2, 3, 4, 4 score 6, 4, 2, 0, 0; the 9 and the empty answer are left out, so n = 5.
    # value = (6 + 4 + 2 + 0 + 0) / 5 = 2.4
    # deviations 3.6, 1.6, -0.4, -2.4, -2.4; squares 12.96 + 2.56 + 0.16 + 5.76 + 5.76 = 27.2
    # se = sqrt(5/4 · 27.2) / 5 = sqrt(34) / 5
    text = csv_text(["respondent", "p_klotter"], [[str(i), code] for i, code in enumerate("1234490")])
    text = text.replace(",0\n", ",\n")
    result = indices(text, k=5)
    klotter = cell(result, "p_klotter")
    assert klotter["n"] == 5
    assert klotter["value"] == pytest.approx(2.4)
    assert klotter["se"] == pytest.approx(math.sqrt(34) / 5)
    assert klotter["ci95"] == pytest.approx([2.4 - 1.96 * math.sqrt(34) / 5, 2.4 + 1.96 * math.sqrt(34) / 5])
    assert klotter["suppressed"] is False
    assert result["groups"][0]["respondents"] == 7


def test_the_problem_index_and_its_se_use_the_weights():
    # Codes 1, 1, 2, 4, 4 (points 6, 6, 4, 0, 0) with weights 2, 1, 1, 1, 0.5; a 9 with weight 7 is left out.
    # Σw = 5.5, Σwy = 12 + 6 + 4 = 22, value = 22 / 5.5 = 4
    # deviations 2, 2, 0, -4, -4; Σw²(y-ȳ)² = 4·4 + 1·4 + 0 + 1·16 + 0.25·16 = 40
    # se = sqrt(5/4 · 40) / 5.5 = sqrt(50) / 5.5
    rows = [
        ["1", "2", "1"],
        ["2", "1", "1"],
        ["3", "1", "2"],
        ["4", "1", "4"],
        ["5", "0.5", "4"],
        ["6", "7", "9"],
    ]
    result = indices(csv_text(["respondent", "weight", "p_klotter"], rows), k=5)
    klotter = cell(result, "p_klotter")
    assert klotter["n"] == 5
    assert klotter["value"] == pytest.approx(4.0)
    assert klotter["se"] == pytest.approx(math.sqrt(50) / 5.5)


def test_the_mapping_is_a_setting_and_is_echoed_in_the_output():
    # Points 1→3, 2→2, 3→1, 4→0 on codes 1, 1, 2, 3, 4: (3 + 3 + 2 + 1 + 0) / 5 = 1.8
    text = csv_text(["p_klotter"], [["1"], ["1"], ["2"], ["3"], ["4"]])
    result = indices(text, k=5, mapping={1: 3, 2: 2, 3: 1, 4: 0})
    assert cell(result, "p_klotter")["value"] == pytest.approx(1.8)
    assert result["mapping"] == {"1": 3, "2": 2, "3": 1, "4": 0}
    assert indices(text, k=5)["mapping"] == {"1": 6, "2": 4, "3": 2, "4": 0}


def test_otrygghet_kvall_is_the_share_of_codes_3_to_5_among_1_to_5():
    # Codes 1, 2, 3, 4, 5 give 0, 0, 1, 1, 1 (9 and empty left out): value = 3/5 = 0.6
    # deviations -0.6, -0.6, 0.4, 0.4, 0.4; squares 0.36 + 0.36 + 3·0.16 = 1.2; se = sqrt(5/4 · 1.2) / 5
    text = csv_text(["t_kvall"], [["1"], ["2"], ["3"], ["4"], ["5"], ["9"], [""]])
    night = cell(indices(text, k=5), "otrygghet_kvall")
    assert night["n"] == 5
    assert night["value"] == pytest.approx(0.6)
    assert night["se"] == pytest.approx(math.sqrt(1.5) / 5)


def test_victimisation_is_the_share_of_yes_among_yes_and_no():
    # Codes 1, 1, 2, 2, 2 give 1, 1, 0, 0, 0: value = 2/5 = 0.4; squares 2·0.36 + 3·0.16 = 1.2 as above
    text = csv_text(["u_skadegorelse"], [["1"], ["1"], ["2"], ["2"], ["2"], ["9"]])
    victim = cell(indices(text, k=5), "u_skadegorelse")
    assert (victim["n"], victim["value"]) == (5, pytest.approx(0.4))
    assert victim["se"] == pytest.approx(math.sqrt(1.5) / 5)


def test_trust_is_the_share_of_codes_1_and_2_among_1_to_4():
    # Codes 1, 2, 3, 4, 4 give 1, 1, 0, 0, 0: value = 0.4, se = sqrt(5/4 · 1.2) / 5
    text = csv_text(["f_polis_bryr_sig"], [["1"], ["2"], ["3"], ["4"], ["4"], ["9"]])
    trust = cell(indices(text, k=5), "f_polis_bryr_sig")
    assert (trust["n"], trust["value"]) == (5, pytest.approx(0.4))
    assert trust["se"] == pytest.approx(math.sqrt(1.5) / 5)


def test_identical_answers_have_a_standard_error_of_exactly_zero():
    result = indices(csv_text(["weight", "p_klotter"], [[str(w), "2"] for w in (0.1, 0.7, 3, 1e6, 2.5)]), k=5)
    assert cell(result, "p_klotter")["value"] == 4.0
    assert cell(result, "p_klotter")["se"] == 0.0


def test_the_ci95_is_not_clipped_to_the_scale():
    # 4 of 5 say 4 (0 points), one says 1 (6 points): value 1.2, and value − 1.96·se is below 0.
    klotter = cell(indices(csv_text(["p_klotter"], [["1"], ["4"], ["4"], ["4"], ["4"]]), k=5), "p_klotter")
    ci95, value, se = klotter["ci95"], klotter["value"], klotter["se"]
    assert ci95 is not None and value is not None and se is not None
    assert ci95[0] < 0
    assert ci95[0] == pytest.approx(value - 1.96 * se)


def test_values_are_full_floats_and_the_result_is_plain_json():
    result = indices(csv_text(["p_klotter"], [["1"], ["2"], ["2"], ["3"], ["4"], ["4"]]), k=5)
    klotter = cell(result, "p_klotter")
    assert type(klotter["value"]) is float and type(klotter["se"]) is float and type(klotter["n"]) is int
    # (6 + 4 + 4 + 2 + 0 + 0) / 6 = 8/3, kept to the last bit rather than rounded for display.
    assert klotter["value"] == 16 / 6
    assert json.loads(json.dumps(result, allow_nan=False)) == result


def test_other_columns_are_ignored_and_indicators_follow_the_file_order():
    text = csv_text(
        ["respondent", "f_polis_bryr_sig", "t_kvall", "kommentar", "t_dag", "p_klotter", "x_annat"],
        [[str(i), "1", "1", "fritext", "7", "1", "1.0"] for i in range(5)],
    )
    result = indices(text, k=5)
    assert list(result["groups"][0]["indicators"]) == ["f_polis_bryr_sig", "otrygghet_kvall", "p_klotter"]


# --- suppression --------------------------------------------------------------------------------------------------


def area_rows(sizes: dict[str, int], code: str = "1") -> str:
    rows = [[area, code] for area, size in sizes.items() for _ in range(size)]
    return csv_text(["area", "p_klotter"], rows)


def summary(result, indicator: str = "p_klotter") -> list[tuple[str, int, bool]]:
    return [
        (
            group["by"].get("area", "*"),
            group["indicators"][indicator]["n"],
            group["indicators"][indicator]["suppressed"],
        )
        for group in result["groups"]
    ]


def test_a_cell_below_k_keeps_its_n_but_hides_value_se_and_ci():
    result = indices(area_rows({"A": 9, "B": 10, "C": 10, "D": 11}), by=["area"])
    a = cell(result, "p_klotter", 1)
    assert a == {"n": 9, "value": None, "se": None, "ci95": None, "suppressed": True}


def test_when_one_group_is_suppressed_the_smallest_other_group_is_suppressed_too_first_on_ties():
    # A (n=3) is below k=5; B and D tie for the smallest n among the rest, and B comes first.
    result = indices(area_rows({"A": 3, "B": 6, "C": 8, "D": 6}), by=["area"], k=5)
    assert summary(result) == [
        ("*", 23, False),
        ("A", 3, True),
        ("B", 6, True),
        ("C", 8, False),
        ("D", 6, False),
    ]
    assert cell(result, "p_klotter", 2)["value"] is None


def test_two_suppressed_groups_need_no_complementary_suppression():
    result = indices(area_rows({"A": 3, "B": 4, "C": 8, "D": 6}), by=["area"], k=5)
    assert summary(result) == [
        ("*", 21, False),
        ("A", 3, True),
        ("B", 4, True),
        ("C", 8, False),
        ("D", 6, False),
    ]


def test_the_whole_file_group_never_takes_part_in_complementary_suppression():
    result = indices(area_rows({"A": 3, "B": 20}), by=["area"], k=5)
    assert summary(result) == [("*", 23, False), ("A", 3, True), ("B", 20, True)]


def test_a_lone_suppressed_group_suppresses_nothing_else():
    result = indices(area_rows({"A": 3}), by=["area"], k=5)
    assert summary(result) == [("*", 3, True), ("A", 3, True)]


def test_complementary_suppression_is_decided_per_indicator():
    # Every respondent answers p_klotter, but only area A's three answer t_kvall: for t_kvall the other groups
    # have n = 0 and are suppressed already, so nothing more is hidden there.
    rows = [["A", "1", "1"]] * 3 + [["B", "1", ""]] * 6 + [["C", "1", ""]] * 7
    result = indices(csv_text(["area", "p_klotter", "t_kvall"], rows), by=["area"], k=5)
    assert summary(result) == [("*", 16, False), ("A", 3, True), ("B", 6, True), ("C", 7, False)]
    assert summary(result, "otrygghet_kvall") == [
        ("*", 3, True),
        ("A", 3, True),
        ("B", 0, True),
        ("C", 0, True),
    ]


def test_a_group_with_no_valid_answers_appears_with_n_0_and_counts_as_suppressed():
    # Area B only answers 9: its n = 0 is the one suppressed cell, so the smallest other (A, 6) goes too.
    rows = [["A", "1"]] * 6 + [["B", "9"]] * 4 + [["C", "2"]] * 7
    result = indices(csv_text(["area", "p_klotter"], rows), by=["area"], k=5)
    assert summary(result) == [("*", 13, False), ("A", 6, True), ("B", 0, True), ("C", 7, False)]
    assert result["groups"][2]["respondents"] == 4
    assert cell(result, "p_klotter", 2) == {
        "n": 0,
        "value": None,
        "se": None,
        "ci95": None,
        "suppressed": True,
    }


def test_an_indicator_with_no_answers_at_all_is_suppressed_everywhere():
    result = indices(csv_text(["area", "u_hot"], [["A", ""]] * 6), by=["area"], k=5)
    assert [group["indicators"]["u_hot"]["n"] for group in result["groups"]] == [0, 0]
    assert all(group["indicators"]["u_hot"]["suppressed"] for group in result["groups"])


def test_k_is_at_least_5_and_defaults_to_10():
    text = area_rows({"A": 9})
    assert indices(text)["k"] == 10
    assert cell(indices(text), "p_klotter")["suppressed"] is True
    assert cell(indices(text, k=5), "p_klotter")["suppressed"] is False
    with pytest.raises(ValueError, match="at least 5"):
        indices(text, k=4)


def test_a_mapping_must_cover_codes_1_to_4():
    with pytest.raises(ValueError, match="mapping"):
        indices(area_rows({"A": 9}), mapping={1: 6, 2: 4, 3: 2})


# --- groups -------------------------------------------------------------------------------------------------------


def test_groups_are_sorted_by_code_point_and_an_empty_value_is_its_own_group():
    areas = ["Ö", "Z", "a", "", "Å", "Ä", "Centrum"]
    result = indices(csv_text(["area", "p_klotter"], [[area, "1"] for area in areas]), by=["area"])
    # Code point order, not Swedish alphabetical order: Ä (U+00C4) < Å (U+00C5) < Ö (U+00D6).
    assert [group["by"] for group in result["groups"]] == [
        {},
        {"area": ""},
        {"area": "Centrum"},
        {"area": "Z"},
        {"area": "a"},
        {"area": "Ä"},
        {"area": "Å"},
        {"area": "Ö"},
    ]
    assert [group["respondents"] for group in result["groups"]] == [7, 1, 1, 1, 1, 1, 1, 1]


@settings(max_examples=150, deadline=None)
@example([(["", "a", "B", "Å"][i % 4], f"x{i}", str(i % 41)) for i in range(60)])  # wide keys: sorted
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "a", "B", "Å"]),
            st.text(alphabet="xyzÖ1", max_size=3),
            st.integers(min_value=0, max_value=40).map(str),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_groups_are_numbered_in_code_point_order_of_their_texts_whether_keys_are_counted_or_sorted(rows):
    # Few distinct texts give keys in a small range (counted); many give a wide range (sorted).
    result = indices(
        csv_text(["area", "kon", "alder", "p_klotter"], [[*row, "1"] for row in rows]),
        by=["area", "kon", "alder"],
        k=5,
    )

    expected = sorted(set(rows))
    assert [group["by"] for group in result["groups"][1:]] == [
        {"area": area, "kon": kon, "alder": alder} for area, kon, alder in expected
    ]
    assert [group["respondents"] for group in result["groups"][1:]] == [rows.count(row) for row in expected]


def test_group_values_are_kept_exactly_as_written():
    rows = [["Centrum ", "1"], ["centrum", "1"], ["Centrum", "1"], ['"Centrum, norra"', "1"]]
    result = indices(csv_text(["area", "p_klotter"], rows), by=["area"])
    assert [group["by"].get("area") for group in result["groups"][1:]] == [
        "Centrum",
        "Centrum ",
        "Centrum, norra",
        "centrum",
    ]


def test_two_by_columns_form_one_breakdown_of_the_combinations_that_occur():
    rows = (
        [["B", "man", "1"]] * 6
        + [["A", "kvinna", "1"]] * 7
        + [["A", "", "4"]] * 3
        + [["A", "man", "2"]] * 8
        + [["B", "kvinna", "3"]] * 9
    )
    result = indices(csv_text(["area", "kon", "p_klotter"], rows), by=["area", "kon"], k=5)
    assert [(group["by"], group["respondents"]) for group in result["groups"]] == [
        ({}, 33),
        ({"area": "A", "kon": ""}, 3),
        ({"area": "A", "kon": "kvinna"}, 7),
        ({"area": "A", "kon": "man"}, 8),
        ({"area": "B", "kon": "kvinna"}, 9),
        ({"area": "B", "kon": "man"}, 6),
    ]
    # One suppressed combination (A, "") makes the smallest other combination (B, man) suppressed too.
    assert [group["indicators"]["p_klotter"]["suppressed"] for group in result["groups"]] == [
        False,
        True,
        False,
        False,
        False,
        True,
    ]
    assert cell(result, "p_klotter", 3)["value"] == 4.0


def test_a_question_column_can_be_a_grouping_column():
    rows = [["1", "1"]] * 5 + [["", "2"]] * 5 + [["3", "4"]] * 5
    result = indices(csv_text(["t_kvall", "p_klotter"], rows), by=["t_kvall"], k=5)
    assert [group["by"] for group in result["groups"][1:]] == [
        {"t_kvall": ""},
        {"t_kvall": "1"},
        {"t_kvall": "3"},
    ]
    assert [cell(result, "p_klotter", group)["value"] for group in (1, 2, 3)] == [4.0, 6.0, 0.0]


def test_without_by_there_is_only_the_whole_file_group():
    result = indices(area_rows({"A": 3, "B": 4}))
    assert [group["by"] for group in result["groups"]] == [{}]


def test_an_unknown_or_repeated_by_column_is_refused():
    with pytest.raises(ValueError, match="kommun"):
        indices(area_rows({"A": 3}), by=["kommun"])
    with pytest.raises(ValueError, match="respondent"):
        indices("respondent,p_klotter\n1,1\n", by=["respondent"])
    with pytest.raises(ValueError, match="twice"):
        indices(area_rows({"A": 3}), by=["area", "area"])


def test_a_file_with_only_a_header_gives_the_whole_file_group_with_n_0():
    result = indices("respondent,area,p_klotter\n", by=["area"])
    assert result["groups"] == [
        {
            "by": {},
            "respondents": 0,
            "indicators": {
                "p_klotter": {"n": 0, "value": None, "se": None, "ci95": None, "suppressed": True}
            },
        }
    ]


# --- reading and validation -----------------------------------------------------------------------------------------


HEADER = "respondent,area,weight,p_klotter,t_kvall,u_skadegorelse,f_polis_bryr_sig"
GOOD = "1,Centrum,1.5,1,5,2,4"


@pytest.mark.parametrize(
    ("row", "column", "code", "value"),
    [
        ("1,Centrum,1,5,1,1,1", "p_klotter", "invalid_code", "5"),
        ("1,Centrum,1,1.0,1,1,1", "p_klotter", "invalid_code", "1.0"),
        ("1,Centrum,1,01,1,1,1", "p_klotter", "invalid_code", "01"),
        ("1,Centrum,1, 1,1,1,1", "p_klotter", "invalid_code", " 1"),
        ("1,Centrum,1,1,6,1,1", "t_kvall", "invalid_code", "6"),
        ("1,Centrum,1,1,1,3,1", "u_skadegorelse", "invalid_code", "3"),
        ("1,Centrum,1,1,1,1,5", "f_polis_bryr_sig", "invalid_code", "5"),
        ("1,Centrum,1,1,1,1,ja", "f_polis_bryr_sig", "invalid_code", "ja"),
        ("1,Centrum,0,1,1,1,1", "weight", "weight_not_positive", "0"),
        ("1,Centrum,-2.5,1,1,1,1", "weight", "weight_not_positive", "-2.5"),
        ("1,Centrum,,1,1,1,1", "weight", "weight_empty", None),
        ('1,Centrum,"",1,1,1,1', "weight", "weight_empty", ""),
        ("1,Centrum,tre,1,1,1,1", "weight", "weight_not_number", "tre"),
        ('1,Centrum,"1,5",1,1,1,1', "weight", "weight_not_number", "1,5"),
        ("1,Centrum,nan,1,1,1,1", "weight", "weight_not_number", "nan"),
        ("1,Centrum,inf,1,1,1,1", "weight", "weight_not_finite", "inf"),
    ],
)
def test_an_invalid_cell_names_its_line_and_column_and_nothing_is_returned(row, column, code, value):
    error = only_error(f"{HEADER}\n{GOOD}\n{row}\n{GOOD}\n")
    assert (error.line, error.column, error.code, error.value) == (3, column, code, value)
    assert error.message
    assert str(error).startswith(f"rad 3, kolumn {column}: ")


def test_the_invalid_code_message_lists_the_allowed_codes():
    error = only_error("t_kvall\n7\n")
    assert error.message == "Koden ”7” är inte tillåten här. Tillåtna koder: 1, 2, 3, 4, 5, 9 eller tomt."
    assert error.template == analysis.MESSAGES["invalid_code"]


def test_all_errors_are_reported_in_line_then_column_order():
    text = f"{HEADER}\n{GOOD}\n1,A,0,7,1,1,x\n1,B,1,1,8,1,1\n"
    with pytest.raises(SurveyFileError) as raised:
        read_text(text)
    assert [(error.line, error.column) for error in raised.value.errors] == [
        (3, "weight"),
        (3, "p_klotter"),
        (3, "f_polis_bryr_sig"),
        (4, "t_kvall"),
    ]
    assert raised.value.total == 4
    assert "rad 4, kolumn t_kvall" in str(raised.value)


def test_only_the_first_errors_are_kept_but_all_are_counted():
    text = "p_klotter\n" + "x\n" * 50
    with pytest.raises(SurveyFileError) as raised:
        read_text(text, max_errors=10)
    assert [error.line for error in raised.value.errors] == list(range(2, 12))
    assert raised.value.total == 50
    assert "och 40 fel till" in str(raised.value)


def test_a_row_with_too_few_or_too_many_fields_is_an_error():
    with pytest.raises(SurveyFileError) as raised:
        read_text("respondent,p_klotter\n1,1\n2\n3,1,1\n")
    assert [(error.line, error.column, error.code) for error in raised.value.errors] == [
        (3, None, "field_count"),
        (4, None, "field_count"),
    ]
    assert raised.value.errors[0].message == "Raden har 1 fält men rubrikraden har 2."


def test_line_numbers_count_blank_lines_and_line_breaks_inside_quotes():
    text = 'respondent,kommentar,p_klotter\n1,"två\nrader",1\n\n2,"""citat""",1\r\n3,x,X\n'
    error = only_error(text)
    assert (error.line, error.column, error.value) == (6, "p_klotter", "X")


def test_blank_lines_are_not_respondents():
    responses = read_text("p_klotter,area\n1,A\n\n2,B\r\n\r\n")
    assert responses.row_count == 2
    assert responses.codes["p_klotter"].tolist() == [1, 2]


def test_a_duplicate_column_name_is_an_error_on_line_1():
    error = only_error("p_klotter,area,p_klotter\n1,A,1\n")
    assert (error.line, error.column, error.code) == (1, "p_klotter", "duplicate_column")


def test_an_empty_file_is_an_error():
    assert only_error("").code == "empty_file"
    assert only_error("\n").code == "empty_file"


def test_invalid_utf8_names_line_and_column():
    with pytest.raises(SurveyFileError) as raised:
        read_responses(io.BytesIO("area,p_klotter\nLjungby,1\nV\xe4xj\xf6,1\n".encode("latin-1")))
    [error] = raised.value.errors
    assert (error.line, error.column, error.code) == (3, "area", "encoding")


def test_a_quote_that_never_closes_is_an_error():
    error = only_error('area,p_klotter\nA,1\n"B,1\nC,1\n')
    assert (error.line, error.code) == (3, "unclosed_quote")


def test_a_byte_order_mark_and_crlf_line_ends_are_accepted():
    responses = read_responses(io.BytesIO(b"\xef\xbb\xbfarea,p_klotter\r\nA,1\r\nB,\r\n"))
    assert responses.codes["p_klotter"].tolist() == [1, 0]
    assert responses.texts["area"].to_list() == ["A", "B"]


def test_codes_are_stored_compactly_with_0_for_no_answer():
    responses = read_text(f"{HEADER}\n{GOOD}\n2,,2,9,,9,\n")
    assert responses.codes["p_klotter"].dtype.name == "int8"
    assert responses.codes["p_klotter"].tolist() == [1, 9]
    assert responses.codes["t_kvall"].tolist() == [5, 0]
    assert responses.weights is not None and responses.weights.tolist() == [1.5, 2.0]
    assert "respondent" not in responses.texts


def test_without_a_weight_column_every_weight_is_1():
    assert read_text("p_klotter\n1\n").weights is None


def test_group_columns_limits_the_text_columns_kept():
    responses = read_text("area,kon,kommentar,p_klotter\nA,man,hej,1\n", group_columns=["kon"])
    assert list(responses.texts) == ["kon"]


def test_a_path_and_a_binary_file_read_the_same(tmp_path: Path):
    path = tmp_path / "enkat.csv"
    path.write_text(f"{HEADER}\n{GOOD}\n", encoding="utf-8")
    from_path = read_responses(path)
    with path.open("rb") as stream:
        from_stream = read_responses(stream)
    assert from_path.codes["t_kvall"].tolist() == from_stream.codes["t_kvall"].tolist() == [5]


def test_progress_reports_bytes_done_up_to_the_total(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(analysis, "CHUNK_BYTES", 64)
    path = tmp_path / "enkat.csv"
    path.write_text(HEADER + "\n" + "\n".join(GOOD for _ in range(40)) + "\n", encoding="utf-8")
    calls: list[tuple[int, int]] = []
    read_responses(path, progress=lambda done, total: calls.append((done, total)))
    size = path.stat().st_size
    assert len(calls) > 5
    assert all(total == size for _, total in calls)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert calls[-1] == (size, size)


def test_small_chunks_read_the_same_as_one_chunk_and_keep_line_numbers(monkeypatch: pytest.MonkeyPatch):
    rows = [f'{i},"omr\nåde {i % 3}",{1 + i % 4},"x, ""y"""' for i in range(60)]
    text = "respondent,area,p_klotter,kommentar\n" + "\n".join(rows) + "\n"
    whole = read_text(text)
    monkeypatch.setattr(analysis, "CHUNK_BYTES", 17)
    pieces = read_text(text)
    assert pieces.codes["p_klotter"].tolist() == whole.codes["p_klotter"].tolist()
    assert pieces.texts["area"].to_list() == whole.texts["area"].to_list()
    assert pieces.texts["kommentar"].to_list() == ['x, "y"'] * 60
    # Each record spans two lines, so record 41 (respondent 40) starts on line 2 + 2·40 = 82.
    bad = text.replace('40,"omr\nåde 1",1,', '40,"omr\nåde 1",1.0,')
    with pytest.raises(SurveyFileError) as raised:
        read_text(bad)
    assert [(error.line, error.column) for error in raised.value.errors] == [(82, "p_klotter")]


# --- properties ----------------------------------------------------------------------------------------------------

CODES = {
    "p_klotter": ["1", "2", "3", "4", "9", ""],
    "t_kvall": ["1", "2", "3", "4", "5", "9", ""],
    "u_hot": ["1", "2", "9", ""],
    "f_polis_bryr_sig": ["1", "2", "3", "4", "9", ""],
}
Row = tuple[str, float, str, str, str, str]

rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(["A", "B", "", "Ö"]),
        st.floats(min_value=0.01, max_value=100, allow_nan=False, allow_infinity=False),
        *(st.sampled_from(codes) for codes in CODES.values()),
    ),
    min_size=0,
    max_size=80,
)


def survey_text(rows: list[Row], scale: float = 1.0) -> str:
    lines = ["area,weight," + ",".join(CODES)]
    lines += [",".join([area, repr(weight * scale), *codes]) for area, weight, *codes in rows]
    return "\n".join(lines) + "\n"


def assert_same(first, second) -> None:
    assert first["k"] == second["k"] and first["mapping"] == second["mapping"]
    assert len(first["groups"]) == len(second["groups"])
    for one, other in zip(first["groups"], second["groups"], strict=True):
        assert (one["by"], one["respondents"]) == (other["by"], other["respondents"])
        for name, this in one["indicators"].items():
            that = other["indicators"][name]
            assert (this["n"], this["suppressed"]) == (that["n"], that["suppressed"])
            if not this["suppressed"]:
                assert this["value"] == pytest.approx(that["value"], rel=1e-9, abs=1e-12)
                assert this["se"] == pytest.approx(that["se"], rel=1e-7, abs=1e-12)


def reference_cell(answers: list[tuple[float, float]]) -> tuple[float, float]:
    # The contract's formulas, written out as plainly as possible.
    n = len(answers)
    total = sum(weight for weight, _ in answers)
    mean = sum(weight * points for weight, points in answers) / total
    squares = sum(weight**2 * (points - mean) ** 2 for weight, points in answers)
    return mean, math.sqrt(n / (n - 1) * squares) / total


POINTS = {
    "p_klotter": {"1": 6.0, "2": 4.0, "3": 2.0, "4": 0.0},
    "otrygghet_kvall": {"1": 0.0, "2": 0.0, "3": 1.0, "4": 1.0, "5": 1.0},
    "u_hot": {"1": 1.0, "2": 0.0},
    "f_polis_bryr_sig": {"1": 1.0, "2": 1.0, "3": 0.0, "4": 0.0},
}

property_settings = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@property_settings
@given(rows_strategy)
def test_values_stay_in_range_and_group_counts_add_up(rows):
    result = indices(survey_text(rows), by=["area"], k=5)
    whole, *groups = result["groups"]
    assert whole["respondents"] == len(rows) == sum(group["respondents"] for group in groups)
    for name, whole_cell in whole["indicators"].items():
        assert whole_cell["n"] == sum(group["indicators"][name]["n"] for group in groups)
        high = 6.0 if name == "p_klotter" else 1.0
        for group in result["groups"]:
            this = group["indicators"][name]
            assert 0 <= this["n"] <= group["respondents"]
            assert this["suppressed"] == (this["value"] is None)
            if this["n"] < 5:
                assert this["suppressed"]
            if not this["suppressed"]:
                assert -1e-12 <= this["value"] <= high + 1e-12
                assert this["se"] >= 0
                assert this["ci95"][0] <= this["value"] <= this["ci95"][1]


@property_settings
@given(rows_strategy)
def test_the_vectorised_values_match_the_formulas_written_out(rows):
    result = indices(survey_text(rows), k=5)
    columns = {"p_klotter": 2, "otrygghet_kvall": 3, "u_hot": 4, "f_polis_bryr_sig": 5}
    for name, column in columns.items():
        answers = [(row[1], POINTS[name][row[column]]) for row in rows if row[column] in POINTS[name]]
        this = cell(result, name)
        assert this["n"] == len(answers)
        if not this["suppressed"]:
            value, se = reference_cell(answers)
            assert this["value"] == pytest.approx(value, rel=1e-9, abs=1e-12)
            assert this["se"] == pytest.approx(se, rel=1e-7, abs=1e-12)


@property_settings
@given(
    st.lists(
        st.tuples(
            # Spaces and leading zeros in a text column send the reader to its enums; plain ones keep numbers.
            st.sampled_from(["A", "B", "", "Ö", "0 7", " C"]),
            st.floats(min_value=0.01, max_value=100, allow_nan=False, allow_infinity=False),
            *(st.sampled_from(codes) for codes in CODES.values()),
        ),
        max_size=60,
    ),
    st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
)
def test_every_group_s_values_match_the_formulas_written_out_over_the_csv_module_s_reading(rows, quoting):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n", quoting=quoting)
    writer.writerow(["area", "weight", *CODES])
    writer.writerows([area, repr(weight), *codes] for area, weight, *codes in rows)

    result = survey_indices(read_text(buffer.getvalue()), by=["area"], k=5, unsuppressed=True)

    records = list(csv.DictReader(io.StringIO(buffer.getvalue())))
    areas = sorted({record["area"] for record in records})
    assert [group["by"] for group in result["groups"]] == [{}, *({"area": area} for area in areas)]
    columns = {"p_klotter": "p_klotter", "otrygghet_kvall": "t_kvall", "u_hot": "u_hot"}
    columns["f_polis_bryr_sig"] = "f_polis_bryr_sig"
    for group, area in zip(result["groups"], [None, *areas], strict=True):
        members = [record for record in records if area is None or record["area"] == area]
        assert group["respondents"] == len(members)
        for name, column in columns.items():
            answers = [
                (float(record["weight"]), POINTS[name][record[column]])
                for record in members
                if record[column] in POINTS[name]
            ]
            this = group["indicators"][name]
            assert this["n"] == len(answers)
            if len(answers) >= 2:
                value, se = reference_cell(answers)
                assert this["value"] == pytest.approx(value, rel=1e-9, abs=1e-12)
                assert this["se"] == pytest.approx(se, rel=1e-7, abs=1e-12)


@property_settings
@given(rows_strategy.flatmap(lambda rows: st.tuples(st.just(rows), st.permutations(rows))))
def test_permuting_rows_changes_nothing(rows_and_permutation):
    rows, permuted = rows_and_permutation
    assert_same(
        indices(survey_text(rows), by=["area"], k=5), indices(survey_text(permuted), by=["area"], k=5)
    )


@property_settings
@given(rows_strategy, st.sampled_from([0.001, 0.5, 3.0, 1000.0]))
def test_scaling_all_weights_by_a_constant_changes_nothing(rows, scale):
    assert_same(
        indices(survey_text(rows), by=["area"], k=5),
        indices(survey_text(rows, scale=scale), by=["area"], k=5),
    )


# --- trends --------------------------------------------------------------------------------------------------------


def test_a_trend_is_the_difference_with_the_se_of_independent_samples():
    # 2.5 − 2.0 = 0.5; se = sqrt(0.3² + 0.4²) = 0.5; interval 0.5 ± 0.98 holds zero, so no flag.
    result = trend(previous_value=2.0, previous_se=0.3, current_value=2.5, current_se=0.4)
    assert result["difference"] == pytest.approx(0.5)
    assert result["se"] == pytest.approx(0.5)
    assert result["ci95"] == pytest.approx([-0.48, 1.48])
    assert result["flagged"] is False


def test_a_trend_is_flagged_when_its_interval_excludes_zero():
    # 0.30 − 0.20 = 0.10; se = sqrt(0.03² + 0.04²) = 0.05; interval [0.002, 0.198].
    assert trend(previous_value=0.2, previous_se=0.03, current_value=0.3, current_se=0.04)["flagged"] is True
    assert trend(previous_value=0.3, previous_se=0.03, current_value=0.2, current_se=0.04)["flagged"] is True
    # An interval that just touches zero (1.96 − 1.96·1 = 0) does not exclude it.
    assert trend(previous_value=0.0, previous_se=0.0, current_value=1.96, current_se=1.0)["flagged"] is False


def test_there_is_no_trend_when_either_cell_is_suppressed():
    shown: IndicatorCell = {"n": 50, "value": 2.0, "se": 0.1, "ci95": [1.804, 2.196], "suppressed": False}
    hidden: IndicatorCell = {"n": 4, "value": None, "se": None, "ci95": None, "suppressed": True}
    assert indicator_trend(previous=hidden, current=shown) is None
    assert indicator_trend(previous=shown, current=hidden) is None
    assert indicator_trend(previous=shown, current=shown) == {
        "difference": 0.0,
        "se": pytest.approx(math.sqrt(0.02)),
        "ci95": pytest.approx([-1.96 * math.sqrt(0.02), 1.96 * math.sqrt(0.02)]),
        "flagged": False,
    }


@property_settings
@given(
    st.lists(
        st.tuples(st.text(alphabet='aÖ ,"\n', max_size=6), st.sampled_from(CODES["p_klotter"])), max_size=30
    ),
    st.sampled_from([7, 19, 64, 1 << 20]),
)
def test_the_reader_agrees_with_the_csv_module_whatever_the_quoting_and_chunk_size(rows, chunk_bytes):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["kommentar", "p_klotter"])
    writer.writerows(rows)
    with patch.object(analysis, "CHUNK_BYTES", chunk_bytes):
        responses = read_text(buffer.getvalue())
    assert responses.texts["kommentar"].to_list() == [text for text, _ in rows]
    assert responses.codes["p_klotter"].tolist() == [int(code or 0) for _, code in rows]


# --- the fast reader: one polars pass per chunk, the exact reader only where something is off ---------------------


def exact_only(*args, **options):
    with patch.object(analysis._Reader, "_parse_chunk_fast", lambda self, chunk: None):
        return read_responses(*args, **options)


def fast_only(*args, **options):
    def refuse(self, chunk, first_line, unclosed):
        raise AssertionError("the exact reader was used for a well-formed file")

    with patch.object(analysis._Reader, "_read_chunk", refuse):
        return read_responses(*args, **options)


WELL_FORMED_ROWS = [
    ["1", "Centrum", "man", "1.5", "1", "5", "2", "4"],
    ["2", "Replösa", "", "0.25", "", "3", "9", ""],
    ["3", "Hångers, norra", "kvinna", "2", "9", "", "1", "1"],
    ["4", 'Lagan "ån"', "annat", "1e-1", "4", "1", "", "2"],
    ["5", "", "man", "3", "2", "9", "2", "9"],
]


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_a_well_formed_file_is_read_in_one_pass_and_agrees_with_the_csv_module(tmp_path: Path, line_end: str):
    header = [
        "respondent",
        "area",
        "kon",
        "weight",
        "p_klotter",
        "t_kvall",
        "u_skadegorelse",
        "f_polis_bryr_sig",
    ]
    path = tmp_path / "enkat.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator=line_end).writerows([header, *WELL_FORMED_ROWS])

    responses = fast_only(path)

    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert responses.row_count == len(rows)
    for question in ("p_klotter", "t_kvall", "u_skadegorelse", "f_polis_bryr_sig"):
        assert responses.codes[question].tolist() == [int(row[question] or 0) for row in rows]
    assert responses.weights is not None
    assert responses.weights.tolist() == [float(row["weight"]) for row in rows]
    assert responses.texts["area"].to_list() == [row["area"] for row in rows]
    assert responses.texts["kon"].to_list() == [row["kon"] for row in rows]
    assert survey_indices(responses, by=["area", "kon"], k=5) == survey_indices(
        exact_only(path), by=["area", "kon"], k=5
    )


def test_a_trailing_blank_line_and_a_last_line_without_newline_keep_the_fast_reader():
    assert fast_only(io.StringIO("area,p_klotter\nA,1\nB,2\n\n\n")).codes["p_klotter"].tolist() == [1, 2]
    assert fast_only(io.StringIO("area,p_klotter\nA,1\nB,2")).texts["area"].to_list() == ["A", "B"]


def many_rows(count: int) -> list[str]:
    return [f"{i},Område {i % 7},{1 + i % 3},{1 + i % 4},{1 + i % 5}" for i in range(count)]


@pytest.mark.parametrize(
    ("bad", "column", "code"),
    [
        ("77,Centrum,1,1", None, "field_count"),
        ("77,Centrum,1,1,1,1", None, "field_count"),
        ("77,Centrum,1,1,", None, None),  # an empty last cell is no answer, not a short line
        ("77,Centrum,1,1,6", "t_kvall", "invalid_code"),
        ("77,Centrum,1,01,1", "p_klotter", "invalid_code"),
        # polars reads each of these as the number 1; only the digit itself is the code
        ("77,Centrum,1,+1,1", "p_klotter", "invalid_code"),
        ("77,Centrum,1, 1,1", "p_klotter", "invalid_code"),
        ("77,Centrum,1,1,\t3", "t_kvall", "invalid_code"),
        ('77,Centrum,1,1,"003"', "t_kvall", "invalid_code"),
        ("77,Centrum,1,-1,1", "p_klotter", "invalid_code"),
        ('77,Centrum,1,"",1', None, None),  # a quoted empty cell is no answer
        ("77,Centrum 01,1,1,1", None, None),  # a space or a zero in a text column is plain text
        ("77,Centrum,0,1,1", "weight", "weight_not_positive"),
        ("77,Centrum,inf,1,1", "weight", "weight_not_finite"),
        ("7\udcff7,Centrum,1,1,1", "respondent", "encoding"),  # a column the fast reader does not parse
        ("77,Centrum\x01,1,1,1", None, None),  # the fast reader's sentinel byte is plain data
    ],
)
def test_a_bad_line_deep_in_a_large_file_is_named_by_line_and_field(
    monkeypatch: pytest.MonkeyPatch, bad: str, column: str | None, code: str | None
):
    monkeypatch.setattr(analysis, "CHUNK_BYTES", 4096)
    rows = many_rows(3000)
    rows[2000] = bad  # line 2002: the header is line 1
    data = ("respondent,area,weight,p_klotter,t_kvall\n" + "\n".join(rows) + "\n").encode(
        "utf-8", "surrogateescape"
    )
    if code is None:
        responses = read_responses(io.BytesIO(data))
        assert responses.row_count == 3000
        exact = exact_only(io.BytesIO(data))
        assert {name: codes.tolist() for name, codes in responses.codes.items()} == {
            name: codes.tolist() for name, codes in exact.codes.items()
        }
        assert responses.texts["area"].to_list() == exact.texts["area"].to_list()
        return
    with pytest.raises(SurveyFileError) as raised:
        read_responses(io.BytesIO(data))
    [error] = raised.value.errors
    assert (error.line, error.column, error.code) == (2002, column, code)


def test_a_chunk_that_ends_inside_a_quoted_field_of_many_lines_is_cut_at_a_record_boundary(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setattr(analysis, "CHUNK_BYTES", 256)
    long_comment = "\n".join(f"rad {i}" for i in range(300))
    rows = [*many_rows(50), f'999,"{long_comment}",1,2,3', *many_rows(50)]
    text = "respondent,area,weight,p_klotter,t_kvall\n" + "\n".join(rows) + "\n"

    responses = read_text(text)

    assert responses.row_count == 101
    assert responses.texts["area"][50] == long_comment
    assert responses.codes["t_kvall"].tolist() == exact_only(io.StringIO(text)).codes["t_kvall"].tolist()


def test_text_that_is_not_utf8_in_a_column_nobody_reads_is_found_in_one_large_chunk():
    rows = many_rows(60000)
    data = ("respondent,area,weight,p_klotter,t_kvall\n" + "\n".join(rows) + "\n").encode()
    bad_line = 45001  # row 44999: the header is line 1
    start = data.index(b"\n44999,") + 1
    data = data[:start] + b"\xff" + data[start + 1 :]  # the respondent number's first digit

    with pytest.raises(SurveyFileError) as raised:
        read_responses(io.BytesIO(data))

    [error] = raised.value.errors
    assert (error.line, error.column, error.code) == (bad_line, "respondent", "encoding")


def outcome(data: bytes, read):
    """What a reader makes of the bytes: the values it keeps, or the errors it names."""
    try:
        responses = read(io.BytesIO(data))
    except SurveyFileError as error:
        return ("errors", [(e.line, e.column, e.code, e.value) for e in error.errors], error.total)
    return (
        "read",
        responses.row_count,
        {name: codes.tolist() for name, codes in responses.codes.items()},
        None if responses.weights is None else responses.weights.tolist(),
        {name: text.to_list() for name, text in responses.texts.items()},
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(
            st.sampled_from(
                ["1", "2", "9", "", ",", '"', "\n", "\r\n", "a", "ö", "\x01", " ", "0.5", "0", "+", "-", "\t"]
            ),
            max_size=10,
        ).map("".join),
        max_size=12,
    ),
    st.sampled_from([16, 64, 1 << 20]),
)
# Answers polars reads as the number 1 though only "1" is the code 1.
@example(["a,1,1,b", "a,1,+1,b"], 1 << 20)
@example(["a,1,01,b", "a,1,1,b"], 1 << 20)
@example(["a,1,\t1,b"], 1 << 20)
@example(["a,0.5, 2,b"], 1 << 20)
def test_the_fast_reader_makes_of_any_bytes_what_the_exact_reader_makes_of_them(lines, chunk_bytes):
    data = ("area,weight,p_klotter,kommentar\n" + "\n".join(lines)).encode()
    with patch.object(analysis, "CHUNK_BYTES", chunk_bytes):
        assert outcome(data, read_responses) == outcome(data, exact_only)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["Centrum", "Lagan", ""]),
            st.sampled_from(["0.5", "1", "2.25"]),
            st.lists(st.sampled_from(["", "1", "2", "3", "4", "5", "9"]), min_size=5, max_size=5),
        ),
        min_size=1,
        max_size=40,
    ),
    st.integers(min_value=2, max_value=4),
)
def test_the_questions_counted_on_several_threads_give_exactly_the_one_threads_result(rows, threads):
    questions = ["p_klotter", "p_nedskrapning", "t_kvall", "u_stold", "f_polis_bryr_sig"]
    allowed = {"p": "12349", "t": "123459", "u": "129", "f": "12349"}
    text = csv_text(
        ["area", "weight", *questions],
        [
            [
                area,
                weight,
                *(
                    code if code in allowed[question[0]] else ""
                    for question, code in zip(questions, codes, strict=True)
                ),
            ]
            for area, weight, codes in rows
        ],
    )
    responses = read_text(text)
    with patch.object(analysis, "TOTALS_THREADS", 1):
        one = survey_indices(responses, by=["area"], k=5)
    with (
        patch.object(analysis, "TOTALS_THREADS", threads),
        patch.object(analysis.os, "cpu_count", return_value=4),
    ):
        several = survey_indices(responses, by=["area"], k=5)
    assert json.dumps(several) == json.dumps(one)
    assert list(several["groups"][0]["indicators"]) == list(one["groups"][0]["indicators"])
