import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from trygg.surveys.analysis import read_responses, survey_indices


def run(capsys, *args: str):
    call_command("survey_indices", *args, "--no-progress")
    captured = capsys.readouterr()
    return captured.out, captured.err


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "svar.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


SMALL = (
    "respondent,area,kon,p_klotter,t_kvall\n"
    + "".join(f"{i},Centrum,{1 + i % 2},{1 + i % 4},{1 + i % 5}\n" for i in range(14))
    + "".join(f"{100 + i},Landsbygd,1,4,1\n" for i in range(3))
)


def test_the_command_prints_exactly_the_contract_json_for_the_whole_file(tmp_path, capsys):
    path = write(tmp_path, SMALL)

    out, _err = run(capsys, path)

    result = json.loads(out)
    assert result == json.loads(json.dumps(survey_indices(read_responses(path))))
    assert result["k"] == 10
    assert result["mapping"] == {"1": 6, "2": 4, "3": 2, "4": 0}
    assert [group["by"] for group in result["groups"]] == [{}]
    assert result["groups"][0]["respondents"] == 17
    assert set(result["groups"][0]["indicators"]) == {"p_klotter", "otrygghet_kvall"}


def test_the_command_groups_by_two_columns_and_suppresses_small_cells(tmp_path, capsys):
    path = write(tmp_path, SMALL)

    out, _err = run(capsys, path, "--by", "area,kon", "--k", "5")

    groups = json.loads(out)["groups"]
    assert [group["by"] for group in groups] == [
        {},
        {"area": "Centrum", "kon": "1"},
        {"area": "Centrum", "kon": "2"},
        {"area": "Landsbygd", "kon": "1"},
    ]
    landsbygd = groups[3]["indicators"]["p_klotter"]
    assert landsbygd == {"n": 3, "value": None, "se": None, "ci95": None, "suppressed": True}
    # Exactly one cell was too small, so the smallest other one (ties: the first) is hidden too.
    assert [group["indicators"]["p_klotter"]["suppressed"] for group in groups[1:]] == [True, False, True]


def test_the_command_names_line_and_column_on_stderr_and_exits_non_zero(tmp_path, capsys):
    path = write(tmp_path, "respondent,p_klotter,weight\n1,2,1\n2,7,1\n3,1,0\n")

    with pytest.raises(SystemExit) as exited:
        run(capsys, path)

    captured = capsys.readouterr()
    assert exited.value.code != 0
    assert captured.out == ""
    assert "rad 3, kolumn p_klotter" in captured.err
    assert "rad 4, kolumn weight" in captured.err


def test_the_command_refuses_a_k_below_five(tmp_path, capsys):
    path = write(tmp_path, SMALL)

    with pytest.raises(SystemExit) as exited:
        run(capsys, path, "--k", "4")

    assert exited.value.code != 0
    assert "k" in capsys.readouterr().err


def test_the_trygg_console_script_writes_json_to_stdout_and_progress_to_stderr(tmp_path):
    path = write(tmp_path, SMALL)
    trygg = Path(sys.executable).parent / "trygg"

    finished = subprocess.run(
        [str(trygg), "survey_indices", path, "--by", "area"], capture_output=True, text=True, check=False
    )

    assert finished.returncode == 0, finished.stderr
    assert json.loads(finished.stdout)["groups"][1]["by"] == {"area": "Centrum"}
    assert "Läser" in finished.stderr


def test_the_json_option_is_accepted_and_the_output_stays_the_same(tmp_path, capsys):
    path = write(tmp_path, SMALL)

    plain, _ = run(capsys, path, "--by", "area")
    with_option, _ = run(capsys, path, "--by", "area", "--json")

    assert with_option == plain
    assert json.loads(with_option)["groups"]


def test_a_short_line_deep_in_a_large_file_is_named_with_the_file_and_its_line(tmp_path, capsys):
    rows = [f"{i},Centrum,{1 + i % 4},{1 + i % 5}" for i in range(20000)]
    rows[15000] = "15000,Centrum,2"  # line 15002: the header is line 1
    path = write(tmp_path, "respondent,area,p_klotter,t_kvall\n" + "\n".join(rows) + "\n")

    with pytest.raises(SystemExit) as exited:
        run(capsys, path, "--by", "area")

    captured = capsys.readouterr()
    assert exited.value.code == 1
    assert captured.out == ""
    assert captured.err.startswith(f"{path}: rad 15002: Raden har 3 fält men rubrikraden har 4.")


def test_a_directory_given_as_the_file_is_named_as_one_with_status_two(tmp_path, capsys):
    with pytest.raises(SystemExit) as exited:
        run(capsys, str(tmp_path))

    assert exited.value.code == 2
    assert capsys.readouterr().err == f"{tmp_path}: är en mapp, inte en fil.\n"
