import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from trygg.demo.reports import load_reports_demo
from trygg.municipalities.models import Municipality
from trygg.reports.models import Place, Report, ReportEvent

ROOT = Path(__file__).resolve().parents[3]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_hotspots_prints_the_contracts_json_on_stdout(tmp_path: Path) -> None:
    csv = tmp_path / "points.csv"
    csv.write_text("id,lat,lon\n1,56.833,13.941\n2,56.833,13.941\n3,56.846,13.956\n")

    result = _run("hotspots", str(csv), "--all")

    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert (output["cell"], output["crs"], output["points"]) == (250, "EPSG:3006", 3)
    assert sum(row["count"] for row in output["hot"]) == 3
    assert result.stderr == ""


def test_hotspots_accepts_the_json_option_and_prints_the_same_output(tmp_path: Path) -> None:
    csv = tmp_path / "points.csv"
    csv.write_text("id,lat,lon\n1,56.833,13.941\n2,56.833,13.941\n3,56.846,13.956\n")

    plain = _run("hotspots", str(csv), "--all")
    with_option = _run("hotspots", str(csv), "--all", "--json")

    assert with_option.returncode == 0, with_option.stderr
    assert with_option.stdout == plain.stdout
    assert json.loads(with_option.stdout)["points"] == 3


def test_hotspots_names_the_bad_line_on_stderr_and_exits_non_zero(tmp_path: Path) -> None:
    csv = tmp_path / "points.csv"
    csv.write_text("lat,lon\n56.8,13.9\n95,13.9\n")

    result = _run("hotspots", str(csv), "--cell", "100")

    assert result.returncode != 0
    assert result.stdout == ""
    assert "line 3" in result.stderr and "lat" in result.stderr


def test_hotspots_refuses_a_missing_file_and_a_header_only_file(tmp_path: Path) -> None:
    assert _run("hotspots", str(tmp_path / "nope.csv")).returncode != 0
    empty = tmp_path / "empty.csv"
    empty.write_text("lat,lon\n")
    result = _run("hotspots", str(empty))
    assert result.returncode != 0 and "no points" in result.stderr


@pytest.mark.django_db
def test_import_gazetteer_creates_and_updates_places(tmp_path: Path) -> None:
    municipality = Municipality.objects.create(
        name="Ljungby kommun", slug="ljungby", scb_code="0781", county="K"
    )
    csv = tmp_path / "places.csv"
    csv.write_text("name,kind,lat,lon\nStorgatan,gata,56.8322,13.9398\nStora torget,torg,56.8331,13.9407\n")

    call_command("import_gazetteer", str(csv), "--municipality", "ljungby")
    csv.write_text("name,kind,lat,lon\nStorgatan,gata,56.8323,13.9399\n")
    call_command("import_gazetteer", str(csv), "--municipality", "ljungby")

    assert Place.objects.filter(municipality=municipality).count() == 2
    assert Place.objects.get(name="Storgatan").latitude == 56.8323


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252"])
def test_import_gazetteer_reads_a_file_in_each_encoding_swedish_excel_saves(
    tmp_path: Path, encoding: str
) -> None:
    Municipality.objects.create(name="Ljungby kommun", slug="ljungby", scb_code="0781", county="K")
    csv = tmp_path / "places.csv"
    text = "name,kind,lat,lon\nÅsavägen,gata,56.8322,13.9398\nÖstra torget,torg,56.8331,13.9407\n"
    # Excel's "Unicode text" is UTF-16 and separated by tabs.
    csv.write_text(text.replace(",", "\t") if encoding == "utf-16" else text, encoding=encoding)

    call_command("import_gazetteer", str(csv), "--municipality", "ljungby")

    assert sorted(Place.objects.values_list("name", flat=True)) == ["Åsavägen", "Östra torget"]


@pytest.mark.django_db
def test_import_gazetteer_names_line_and_column_and_imports_nothing(tmp_path: Path) -> None:
    Municipality.objects.create(name="Ljungby kommun", slug="ljungby", scb_code="0781", county="K")
    csv = tmp_path / "places.csv"
    csv.write_text(
        'name,kind,lat,lon\nStorgatan,gata,56.8,13.9\n,torg,56.8,13.9\nTorget,torg,"56,8",13.9\nPark,park,91,13\n'
    )

    with pytest.raises(CommandError) as error:
        call_command("import_gazetteer", str(csv), "--municipality", "ljungby")

    message = str(error.value)
    assert "line 3, column name: missing value" in message
    assert "line 4, column lat: '56,8' is not a number (use a decimal point)" in message
    assert "line 5, column lat" in message
    assert not Place.objects.exists()


@pytest.mark.django_db
def test_the_reports_demo_has_every_state_and_is_idempotent(home_municipality: Municipality) -> None:
    load_reports_demo(home_municipality)
    first = Report.objects.count()
    assert load_reports_demo(home_municipality) == 0

    assert Report.objects.count() == first
    assert set(Report.objects.values_list("state", flat=True)) == set(Report.State.values)
    assert all(Report.objects.values_list("is_example", flat=True))
    assert Report.objects.filter(place_name="Ljungbyporten").count() >= 3


@pytest.mark.django_db
@pytest.mark.parametrize("clock", ["00:30", "04:00", "08:59", "09:00", "23:59"])
def test_the_reports_demo_never_dates_an_event_after_the_moment_it_is_loaded(
    home_municipality: Municipality, clock: str
) -> None:
    hour, minute = (int(part) for part in clock.split(":"))
    now = dt.datetime(2028, 2, 29, hour, minute, tzinfo=dt.UTC)

    load_reports_demo(home_municipality, now=now)

    events = ReportEvent.objects.filter(report__municipality=home_municipality)
    assert events.exists()
    assert max(events.values_list("at", flat=True)) <= now
    for report in Report.objects.filter(municipality=home_municipality).prefetch_related("events"):
        times = [event.at for event in report.events.all()]
        assert times == sorted(times)
        assert report.events.all()[0].state_to == Report.State.NEW
