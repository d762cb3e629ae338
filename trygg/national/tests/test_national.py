import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from trygg.crimestats import kommuner
from trygg.national.comparison import Share, marks, most_similar
from trygg.national.loaders import read_groups, read_police_areas
from trygg.national.models import GroupAssignment, PoliceAreaCoverage, PromiseCoverage
from trygg.national.tests.conftest import make_promise
from trygg.promises.models import Promise

pytestmark = pytest.mark.django_db
FROZEN = time_machine.travel(dt.datetime(2026, 12, 6, 10, tzinfo=dt.UTC), tick=False)


def test_a_group_file_names_kommuner_by_code_or_name_and_reports_unknown_ones_by_line() -> None:
    result = read_groups(
        "kommun;kommungrupp\nLjungby kommun;C6\nStockholms stad;A1 Storstäder\nAtlantis;C8\n0781;Z9\n"
    )
    assert [(row.kommun_code, row.group_code) for row in result.rows] == [("0781", "C6"), ("0180", "A1")]
    assert [problem.line for problem in result.problems] == [4, 5]


def test_a_police_area_file_refuses_a_period_that_ends_before_it_starts() -> None:
    text = "lokalpolisomrade,kommunkod,giltig_fran,giltig_till\nLPO X,0781,2020-01-01,2019-01-01\nLPO X,0767,2020-01-01,\n"
    result = read_police_areas(text)
    assert [problem.line for problem in result.problems] == [2]
    assert result.rows[0].region == "Region Syd"


def test_the_example_files_load_and_are_marked_as_examples(db) -> None:
    call_command("load_municipality_groups", "--example")
    call_command("load_police_areas", "--example")
    assert GroupAssignment.objects.filter(is_example=True).count() == 20
    assert PoliceAreaCoverage.objects.filter(kommun_code="0781", police_area__name="LPO Ljungby").exists()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252"])
def test_the_loaders_read_files_saved_by_swedish_excel_in_each_of_its_encodings(
    db, tmp_path, encoding
) -> None:
    # Excel saves "CSV (semikolonavgränsad)" in Windows-1252, "Unicode-text" in UTF-16 and "CSV UTF-8" with a BOM.
    # ("Unicode text" is also tab-separated.)
    separator = "\t" if encoding == "utf-16" else ";"
    groups = tmp_path / "grupper.csv"
    groups.write_text(
        "kommun;kommungrupp\nLjungby kommun;C6\nHärjedalens kommun;C8\n".replace(";", separator),
        encoding=encoding,
    )
    areas = tmp_path / "omraden.csv"
    areas.write_text(
        (
            "region;polisomrade;lokalpolisomrade;kommunkod;giltig_fran;giltig_till;kalla\n"
            "Region Syd;Polisområde Kronoberg;LPO Älmhult;0765;2015-01-01;;Länsstyrelsens förteckning, 2024\n"
        ).replace(";", separator),
        encoding=encoding,
    )

    call_command("load_municipality_groups", str(groups))
    call_command("load_police_areas", str(areas))

    assert sorted(GroupAssignment.objects.values_list("kommun_code", "group__code")) == [
        ("0781", "C6"),
        ("2361", "C8"),
    ]
    assert PoliceAreaCoverage.objects.filter(kommun_code="0765", police_area__name="LPO Älmhult").exists()


def test_marks_split_the_comparable_shares_in_quarters_and_leave_small_counts_out() -> None:
    shares = {str(code): Share(done, 20) for code, done in enumerate([2, 5, 8, 10, 12, 15, 18, 20])}
    shares["small"] = Share(1, 3)
    given = marks(shares)
    assert given["0"] == "low" and given["1"] == "low" and given["7"] == "high" and given["6"] == "high"
    assert given["3"] == "middle" and "small" not in given
    assert marks({"a": Share(1, 20), "b": Share(2, 20)}) == {}


def test_the_seven_most_similar_are_the_closest_in_population() -> None:
    populations = {
        "a": 1000,
        "b": 1100,
        "c": 5000,
        "d": 900,
        "e": 1300,
        "f": 700,
        "g": 2000,
        "h": 1500,
        "i": 100000,
    }
    assert most_similar("a", populations) == ["b", "d", "e", "f", "h", "g", "c"]


@FROZEN
def test_the_national_page_takes_the_same_number_of_queries_for_one_kommun_as_for_many_years_and_activities(
    client, official, django_assert_max_num_queries
) -> None:
    call_command("load_municipality_groups", "--example")
    call_command("load_police_areas", "--example")
    make_promise(official["0781"], activities=2, executions=1)
    with django_assert_max_num_queries(12) as few:
        assert client.get("/nationellt/").status_code == 200
    for code in ("0180", "1480", "1280", "0767"):
        for year in (2024, 2025, 2026, 2027):
            make_promise(official[code], slug=str(year), year=year, activities=6, executions=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/nationellt/")
    text = response.content.decode()
    assert (
        "Kommande: börjar 1 januari 2027" not in text
    )  # the running 2026 promise is shown before the coming one
    assert text.count("6 av 6 aktiviteter genomförda") == 4


@FROZEN
def test_the_filters_narrow_the_table_and_an_unknown_filter_value_is_an_error_that_keeps_the_search(
    client, official
) -> None:
    call_command("load_municipality_groups", "--example")
    response = client.get("/nationellt/?grupp=A1")
    text = response.content.decode()
    assert text.count('<tr id="kommun-') == 3
    response = client.get("/nationellt/?lan=99&q=Ljungby")
    assert response.status_code == 400
    text = response.content.decode()
    assert 'value="Ljungby"' in text and text.count('<tr id="kommun-') == 1
    south = sum(1 for code in kommuner.kommuner() if code[:2] in {"07", "08", "10", "12"})
    assert (
        client.get("/nationellt/?region=Region+Syd").content.decode().count('<tr id="kommun-') == south == 58
    )


@FROZEN
def test_a_promise_signed_for_several_kommuner_counts_for_each_and_is_marked_shared(client, official) -> None:
    call_command("load_municipality_groups", "--example")
    promise = make_promise(official["0767"], activities=10, executions=1)
    PromiseCoverage.objects.create(promise=promise, kommun_code="0763")
    response = client.get("/jamforelse/C8/")
    text = response.content.decode()
    assert response.status_code == 200
    assert text.count("10 av 10") == 2
    assert "Gemensamt med Tingsryd; räknas för var och en" in text
    assert "Färgen är inget betyg." in text


@FROZEN
def test_the_comparison_flags_small_counts_and_gives_no_mark_to_too_few(client, official) -> None:
    call_command("load_municipality_groups", "--example")
    make_promise(official["0781"], activities=3, executions=1)
    text = client.get("/jamforelse/C6/").content.decode()
    assert "litet underlag" in text and "ingen markering" in text
    assert client.get("/jamforelse/X1/").status_code == 404


@FROZEN
def test_in_national_mode_the_home_page_is_the_national_view(client, official, settings) -> None:
    settings.NATIONAL = True
    assert client.get("/").content.decode().count('<tr id="kommun-') == 290
    settings.NATIONAL = False
    assert '<tr id="kommun-' not in client.get("/").content.decode()


@FROZEN
def test_the_national_page_answers_from_the_page_cache(
    client, official, settings, django_assert_max_num_queries
) -> None:
    settings.PAGE_CACHE_SECONDS = 60
    make_promise(official["0781"])
    first = client.get("/nationellt/")
    with django_assert_max_num_queries(1):
        second = client.get("/nationellt/")
    assert second.content == first.content


def test_the_kommun_map_is_small_and_has_all_290(client) -> None:
    import json

    response = client.get("/nationellt/kommuner.geojson")
    body = b"".join([response.content])
    assert len(body) < 200_000
    features = json.loads(body)["features"]
    assert len({feature["properties"]["code"] for feature in features}) == 290
    assert client.get("/nationellt/kommuner.geojson", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_unpublished_promises_are_not_on_the_national_page(client, official) -> None:
    make_promise(official["0781"], status=Promise.Status.DRAFT)
    assert "Medborgarlöfte 2026 i" not in client.get("/nationellt/").content.decode()


def test_an_ended_promise_in_the_national_overview_carries_the_follow_up_apps_verdict(official) -> None:
    from trygg.national.progress import ENDED, promise_progress_overview

    # Four activities of one each: two done (one execution each), two with nothing done by the period's end.
    promise = make_promise(official["0781"], slug="2025", year=2025, activities=4, executions=0)
    for activity in list(promise.focus_areas.get().activities.order_by("order"))[:2]:
        activity.executions.create(done_on=dt.date(2025, 5, 2), description="Gjort", count=1)

    overview = promise_progress_overview(promises=[promise], today=dt.date(2026, 12, 6), followed_up={})

    progress = overview[promise.pk]
    assert progress.phase == ENDED
    assert progress.verdict is not None
    assert (progress.verdict.verdict.done, progress.verdict.verdict.not_done) == (2, 2)
    assert progress.text == progress.verdict.text
    assert progress.text.startswith("Slutrapport: 2 av 4 genomförda") and "2 ej genomförda" in progress.text
