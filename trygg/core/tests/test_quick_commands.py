"""`trygg survey_indices` and `trygg hotspots` run without Django's app registry and print exactly what they print
through Django (issue 21: commands start at once).

Each case runs through `trygg`'s entry point (the quick path) in a fresh interpreter, and through Django's
`execute_from_command_line` with every app set up (the reference), with the same arguments, input, directory and
environment; standard output, standard error and the exit status must be the same bytes. The reference runs of the
many file cases share one interpreter (Django's start-up once instead of once per case), each with its own standard
streams, directory and exit status; the quick path always starts fresh, since that is what it is about. The progress bar's
format is fixed through tqdm's environment variables so that its elapsed time and rate do not differ between runs.
The input files are written here by hand from the formats' descriptions (docs/surveys.md, the hotspots command's
help), good ones and bad ones.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from trygg.core import quick_commands

ROOT = Path(__file__).resolve().parents[3]

QUICK = """
import json, os, sys
from trygg import cli
try:
    status = cli.main(sys.argv[1:])
finally:
    from django.apps import apps
    with open(os.environ["QUICK_MARKER"], "w") as marker:
        json.dump({"apps_ready": apps.ready, "models": "trygg.surveys.models" in sys.modules}, marker)
sys.exit(status)
"""

DJANGO = """
import sys
from django.core.management import execute_from_command_line
execute_from_command_line(["trygg", *sys.argv[1:]])
"""

# The reference for a list of cases in one interpreter: the cases come as JSON in argv[1], the results go as JSON to
# argv[2]. Each case gets its own directory, standard input and fresh standard output and error (text over bytes,
# with the encoding and error handling of the interpreter's own, as a fresh interpreter writing to a pipe has); its
# exit status is worked out from SystemExit as the interpreter would.
DJANGO_CASES = """
import base64, io, json, os, sys, traceback
from django.core.management import execute_from_command_line
streams = (sys.stdin, sys.stdout, sys.stderr)
with open(sys.argv[1]) as listing:
    cases = json.load(listing)
results = []
for case in cases:
    os.chdir(case["directory"])
    out, err = io.BytesIO(), io.BytesIO()
    sys.stdin = io.TextIOWrapper(io.BytesIO(base64.b64decode(case["stdin"])), encoding=streams[0].encoding)
    sys.stdout = io.TextIOWrapper(out, encoding=streams[1].encoding, errors=streams[1].errors, write_through=True)
    sys.stderr = io.TextIOWrapper(err, encoding=streams[2].encoding, errors=streams[2].errors, write_through=True)
    try:
        execute_from_command_line(["trygg", *case["arguments"]])
        status = 0
    except SystemExit as stop:
        if stop.code is None or isinstance(stop.code, int):
            status = stop.code or 0
        else:
            print(stop.code, file=sys.stderr)
            status = 1
    except BaseException:
        traceback.print_exc()
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    results.append([base64.b64encode(out.getvalue()).decode(), base64.b64encode(err.getvalue()).decode(), status])
sys.stdin, sys.stdout, sys.stderr = streams
with open(sys.argv[2], "w") as answer:
    json.dump(results, answer)
"""

SURVEY = (
    "respondent,year,area,kon,weight,p_klotter,p_nedskrapning,t_kvall,u_stold,f_polis_bryr_sig\n"
    + "".join(
        f"{i},2024,{'Centrum' if i % 3 else 'Lagan'},{'kvinna' if i % 2 else 'man'},{0.5 + i % 4},"
        f"{1 + i % 4},{'' if i % 7 == 0 else 1 + i % 3},{1 + i % 5},{1 + i % 2},{9 if i % 6 == 0 else 1 + i % 4}\n"
        for i in range(1, 41)
    )
)

SURVEY_FILES: dict[str, bytes] = {
    "svar.csv": SURVEY.encode(),
    "tom.csv": b"",
    "bara_rubrik.csv": b"respondent,area,p_klotter\n",
    "fel_koder.csv": b"respondent,p_klotter,t_kvall,weight\n1,2,3,1\n2,7,1,1\n3,1,6,0\n4,1,1,x\n5,1,1,\n",
    "kort_rad.csv": b"respondent,area,p_klotter\n1,Centrum,2\n2,Centrum\n3,Lagan,1\n",
    "lang_rad.csv": b"respondent,area,p_klotter\n1,Centrum,2,4\n",
    "inte_utf8.csv": b"respondent,area,p_klotter\n1,G\xf6teborg,2\n",
    "dubbel_kolumn.csv": b"respondent,p_klotter,p_klotter\n1,2,3\n",
    "oavslutat_citat.csv": b'respondent,area,p_klotter\n1,"Centrum,2\n2,Lagan,1\n',
    "crlf.csv": b"respondent,area,p_klotter\r\n1,Centrum,2\r\n2,Lagan,1\r\n",
    "manga_fel.csv": b"respondent,p_klotter\n" + b"".join(b"%d,8\n" % i for i in range(1, 1502)),
}

POINTS = "id,lat,lon\n" + "".join(
    f"{i},{56.83 + (i % 9) * 0.001:.4f},{13.94 + (i % 5) * 0.002:.4f}\n" for i in range(60)
)

POINT_FILES: dict[str, bytes] = {
    "punkter.csv": POINTS.encode(),
    "bara_rubrik.csv": b"lat,lon\n",
    "fel_lat.csv": b"lat,lon\n56.8,13.9\n95,13.9\n56.8,abc\n",
    "utan_lon.csv": b"id,lat\n1,56.8\n",
    "inte_utf8.csv": b"lat,lon,namn\n56.8,13.9,G\xf6teborg\n",
}

SURVEY_CASES: list[list[str]] = [
    ["svar.csv", "--by", "area", "--no-progress"],
    ["svar.csv", "--by", "area,kon", "--k", "5", "--json"],
    ["svar.csv"],
    ["svar.csv", "--no-progress", "-v", "2", "--no-color"],
    ["svar.csv", "--k", "4"],
    ["svar.csv", "--k", "fem"],
    ["svar.csv", "--by", "saknas", "--no-progress"],
    ["svar.csv", "--okand"],
    ["svar.csv", "--force-color", "--no-color"],
    ["saknas.csv"],
    ["."],
    [],
    ["tom.csv", "--no-progress"],
    ["bara_rubrik.csv", "--by", "area", "--no-progress"],
    ["fel_koder.csv"],
    ["kort_rad.csv", "--no-progress"],
    ["lang_rad.csv", "--no-progress"],
    ["inte_utf8.csv", "--no-progress"],
    ["dubbel_kolumn.csv", "--no-progress"],
    ["oavslutat_citat.csv", "--no-progress"],
    ["crlf.csv", "--by", "area", "--k", "5", "--no-progress"],
    ["manga_fel.csv", "--no-progress"],
    ["--help"],
    ["-h"],
    ["--version"],
]

HOTSPOT_CASES: list[list[str]] = [
    ["punkter.csv"],
    ["punkter.csv", "--all", "--cell", "100", "--json"],
    ["-", "--all"],
    ["punkter.csv", "--cell", "0"],
    ["punkter.csv", "--cell", "tio"],
    ["saknas.csv"],
    ["."],
    ["bara_rubrik.csv"],
    ["fel_lat.csv"],
    ["utan_lon.csv"],
    ["inte_utf8.csv"],
    ["punkter.csv", "--no-color", "--force-color"],
    ["--help"],
]


def _run(program: str, arguments: list[str], directory: Path, stdin: bytes) -> tuple[bytes, bytes, int, dict]:
    marker = directory.parent / f"marker-{directory.name}.json"
    marker.unlink(missing_ok=True)
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "TQDM_")) and key != "COLUMNS"
    }
    environment |= {
        "DJANGO_SETTINGS_MODULE": "trygg.settings",
        "PYTHONPATH": str(ROOT),
        "COLUMNS": "100",
        "TQDM_BAR_FORMAT": "{desc}|{n_fmt}/{total_fmt}",
        "QUICK_MARKER": str(marker),
    }
    finished = subprocess.run(
        [sys.executable, "-c", program, *arguments],
        input=stdin,
        capture_output=True,
        cwd=directory,
        env=environment,
        check=False,
    )
    seen = json.loads(marker.read_text()) if marker.exists() else {}
    return finished.stdout, finished.stderr, finished.returncode, seen


GOOD_AND_BAD = [
    (["survey_indices", "svar.csv", "--by", "area", "--k", "5"], "survey"),
    (["survey_indices", "fel_koder.csv"], "survey"),
    (["hotspots", "punkter.csv", "--all"], "points"),
    (["hotspots", "fel_lat.csv"], "points"),
]


def _stdin(arguments: list[str]) -> bytes:
    return POINTS.encode() if arguments[:2] == ["hotspots", "-"] else b""


@pytest.fixture(scope="module")
def references(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The file cases' directories and Django's answers to every case, from one interpreter."""
    root = tmp_path_factory.mktemp("quick")
    directories = {"survey": root / "survey" / "filer", "points": root / "points" / "filer"}
    for kind, files in (("survey", SURVEY_FILES), ("points", POINT_FILES)):
        directories[kind].mkdir(parents=True)
        for name, content in files.items():
            (directories[kind] / name).write_bytes(content)
    cases = [(["survey_indices", *arguments], "survey") for arguments in SURVEY_CASES]
    cases += [(["hotspots", *arguments], "points") for arguments in HOTSPOT_CASES]
    cases += GOOD_AND_BAD
    listing, answer = root / "cases.json", root / "answers.json"
    listing.write_text(
        json.dumps(
            [
                {
                    "arguments": arguments,
                    "directory": str(directories[kind]),
                    "stdin": base64.b64encode(_stdin(arguments)).decode(),
                }
                for arguments, kind in cases
            ]
        )
    )
    _run(DJANGO_CASES, [str(listing), str(answer)], root, b"")
    answers = json.loads(answer.read_text())
    assert len(answers) == len(cases)
    return {
        "directories": directories,
        "answers": {
            json.dumps(arguments): (base64.b64decode(out), base64.b64decode(err), status)
            for (arguments, _kind), (out, err, status) in zip(cases, answers, strict=True)
        },
    }


def _compare_to_reference(references: dict[str, Any], arguments: list[str], kind: str) -> tuple:
    *quick, seen = _run(QUICK, arguments, references["directories"][kind], _stdin(arguments))

    assert tuple(quick) == references["answers"][json.dumps(arguments)]
    return (*quick, seen)


def _compare(arguments: list[str], files: dict[str, bytes], tmp_path: Path, stdin: bytes = b"") -> tuple:
    directory = tmp_path / "filer"
    directory.mkdir(parents=True)
    for name, content in files.items():
        (directory / name).write_bytes(content)
    *quick, seen = _run(QUICK, arguments, directory, stdin)
    *django, _ = _run(DJANGO, arguments, directory, stdin)

    assert quick == django
    return (*quick, seen)


@pytest.mark.parametrize("arguments", SURVEY_CASES, ids=" ".join)
def test_survey_indices_prints_the_same_bytes_and_status_without_the_app_registry_as_through_django(
    arguments: list[str], references: dict[str, Any]
) -> None:
    out, err, _status, seen = _compare_to_reference(references, ["survey_indices", *arguments], "survey")

    assert seen == {"apps_ready": False, "models": False}
    assert out or err


@pytest.mark.parametrize("arguments", HOTSPOT_CASES, ids=" ".join)
def test_hotspots_prints_the_same_bytes_and_status_without_the_app_registry_as_through_django(
    arguments: list[str], references: dict[str, Any]
) -> None:
    out, err, _status, seen = _compare_to_reference(references, ["hotspots", *arguments], "points")

    assert seen == {"apps_ready": False, "models": False}
    assert out or err


def test_the_good_files_give_json_and_the_bad_ones_a_message_and_a_failing_status(
    references: dict[str, Any],
) -> None:
    # What the comparisons above compare is worth comparing: the runs do work and do fail.
    (good_survey, kind), (bad_survey, _), (good_points, _), (bad_points, _) = GOOD_AND_BAD
    out, err, status, _ = _compare_to_reference(references, good_survey, kind)
    assert status == 0 and json.loads(out)["groups"][1]["by"] == {"area": "Centrum"}
    assert err.startswith(b"\r") and "Läser".encode() in err
    out, err, status, _ = _compare_to_reference(references, bad_survey, "survey")
    assert status == 1 and out == b"" and b"fel_koder.csv: rad 3, kolumn p_klotter: Koden" in err
    out, err, status, _ = _compare_to_reference(references, good_points, "points")
    assert status == 0 and json.loads(out)["points"] == 60
    out, err, status, _ = _compare_to_reference(references, bad_points, "points")
    assert status == 1 and out == b"" and err.startswith(b"CommandError: fel_lat.csv: line 3")


def test_help_for_a_quick_command_is_django_s_help_without_the_app_registry(tmp_path: Path) -> None:
    for name in quick_commands.QUICK_COMMANDS:
        out, err, status, seen = _compare(["help", name], {}, tmp_path / name)

        assert status == 0 and out.startswith(f"usage: trygg {name} ".encode()) and err == b""
        assert seen == {"apps_ready": False, "models": False}


@pytest.mark.parametrize(
    "arguments",
    [
        ["svar.csv", "--settings", "trygg.settings", "--no-progress"],
        ["svar.csv", "--pythonpath=.", "--no-progress"],
        ["svar.csv", "--traceback", "--k", "3"],
        ["svar.csv", "--tr", "--k", "3"],
    ],
    ids=" ".join,
)
def test_options_django_reads_before_its_start_or_that_show_its_frames_send_the_run_to_django(
    arguments: list[str], tmp_path: Path
) -> None:
    out, err, _status, seen = _compare(["survey_indices", *arguments], SURVEY_FILES, tmp_path)

    assert seen["apps_ready"] is True
    assert out or err


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["survey_indices", "x.csv"], ("survey_indices", False)),
        (["hotspots", "-", "--all"], ("hotspots", False)),
        (["help", "hotspots"], ("hotspots", True)),
        (["help", "hotspots", "extra"], None),
        (["help", "migrate"], None),
        (["migrate"], None),
        ([], None),
        (["hotspots", "x.csv", "--settings=trygg.settings"], None),
        (["hotspots", "x.csv", "--python", "."], None),
        (["hotspots", "x.csv", "--traceback"], None),
    ],
)
def test_only_the_quick_commands_without_django_s_early_options_take_the_quick_path(
    arguments: list[str], expected: tuple[str, bool] | None
) -> None:
    assert quick_commands.command_to_run(arguments) == expected


def test_another_app_s_command_of_the_same_name_leaves_the_run_to_django(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        "trygg.core.command_list.commands_by_app",
        lambda: {"hotspots": "someone.elses", "survey_indices": "x"},
    )

    assert quick_commands.run(["hotspots", "nothing.csv"]) is False
    assert quick_commands.run(["help", "survey_indices"]) is False


def test_shell_completion_leaves_the_run_to_django(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_AUTO_COMPLETE", "1")

    assert quick_commands.command_to_run(["hotspots", "x.csv"]) is None
