"""The lägesbild over time (issue 16): pages only for years with data, drafts never named, dialogues that agree
with the ranking, and the evidence a promise was decided on frozen as a dated snapshot."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F
from django.test import Client

from trygg.crimestats.models import PERIOD_FIELDS, ReportedCrime
from trygg.demo.evidence import load_evidence_demo
from trygg.demo.services import DemoResult, demo_load
from trygg.evidence import selectors
from trygg.evidence.models import EvidenceSnapshot, FocusAreaEvidence, Measure
from trygg.evidence.services import focus_area_create_from_evidence
from trygg.meetings.models import Meeting, RaisedProblem
from trygg.problems.models import Problem
from trygg.promises.models import Activity, FocusArea, Promise
from trygg.promises.services import promise_publish

# Every test here sets the clock itself (the `ljungby` fixture), so the frozen passes of `make test` would add
# nothing: they are not marked date_sensitive.
pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
NOW = dt.datetime(2026, 12, 6, 10, tzinfo=STOCKHOLM)
YEAR = 2025  # the demo loaded on 6 December 2026 has example statistics for 2021–2025


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def ljungby(time_machine, db) -> DemoResult:
    time_machine.move_to(NOW, tick=False)
    result = demo_load(now=NOW)
    load_evidence_demo(result.municipality, today=NOW.date())
    return result


def _draft(ljungby: DemoResult, year: int, slug: str = "", title: str = "") -> Promise:
    return Promise.objects.create(
        municipality=ljungby.municipality,
        slug=slug or str(year),
        title=title or f"Medborgarlöfte {year}",
        valid_from=dt.date(year, 1, 1),
        valid_until=dt.date(year, 12, 31),
    )


def _klotter_from_the_ranking(draft: Promise, coordinator) -> FocusArea:
    """The draft's focus area for graffiti, chosen from the lägesbild on 20 November 2026."""
    return focus_area_create_from_evidence(
        promise=draft,
        problem=Problem.objects.get(slug="klotter"),
        year=YEAR,
        by=coordinator,
        today=dt.date(2026, 11, 20),
    )


@pytest.fixture
def coordinator(ljungby, make_staff):
    return make_staff(ljungby.municipality, "samordnaren", "coordinator", "municipality")


# ------------------------------------------------------------------------------ years with data


@pytest.mark.parametrize("year", [1999, 2010, 2027, 2099])
def test_a_lagesbild_for_a_year_without_data_does_not_exist(client: Client, ljungby, year):
    assert client.get(f"/ljungby/lagesbild/{year}/").status_code == 404
    assert client.get(f"/ljungby/lagesbild/{year}.pdf").status_code == 404


def test_a_lagesbild_for_a_year_with_data_exists_and_is_dated(client: Client, ljungby):
    response = client.get(f"/ljungby/lagesbild/{YEAR}/")

    assert response.status_code == 200
    assert "Sammanställd 6 december 2026 med de uppgifter som fanns då." in _text(response)


def test_the_current_lagesbild_is_its_own_dated_page(client: Client, ljungby):
    response = client.get("/ljungby/lagesbild/")

    assert response.status_code == 302
    assert response["Location"] == f"/ljungby/lagesbild/{YEAR}/"


# ----------------------------------------------------------------------------------- drafts


def test_the_public_lagesbild_never_names_a_draft(client: Client, login, ljungby, coordinator):
    draft = _draft(ljungby, 2028, title="Medborgarlöfte 2028 för Ljungby")
    focus_area = FocusArea.objects.create(promise=draft, title="Hemligt område", slug="hemligt")
    activity = Activity.objects.create(focus_area=focus_area, text="Ett utkast till aktivitet.")
    Measure.objects.filter(municipality=ljungby.municipality, is_public=True).update(
        year=YEAR, activity=activity
    )

    public = client.get(f"/ljungby/lagesbild/{YEAR}/")
    staff = login(coordinator).get(f"/personal/lagesbild/ljungby/{YEAR}/dokument/")

    assert public.status_code == 200
    assert "Medborgarlöfte 2028" not in public.content.decode()
    assert "utkast" not in _text(public)
    assert "Medborgarlöfte 2028 för Ljungby (utkast)" in _text(staff)


# ------------------------------------------------------------------------------ dialogues


def test_a_held_meeting_the_ranking_counts_is_listed_among_the_dialogues(client: Client, ljungby):
    year = 2023  # the example dialogues are in 2025; 2023 has statistics but no dialogue rows
    meeting = Meeting.objects.create(
        municipality=ljungby.municipality,
        kind=Meeting.Kind.CITIZEN_DIALOGUE,
        title="Dialogmöte i Lidhult",
        starts_at=dt.datetime(year, 3, 14, 18, 30, tzinfo=STOCKHOLM),
        status=Meeting.Status.HELD,
        participants=34,
    )
    RaisedProblem.objects.create(
        meeting=meeting, problem=Problem.objects.get(slug="inbrott-landsbygd"), mentions=9
    )

    page = _text(client.get(f"/ljungby/lagesbild/{year}/"))
    ranked = selectors.ranking_for(municipality=ljungby.municipality, year=year)

    assert ranked.sources["dialogue"].available
    assert "Inga dialoger registrerade för året" not in page
    assert "Medborgardialog (möte) 1 34" in page


# ------------------------------------------------------------------------------- snapshots


def test_publishing_freezes_the_evidence_and_the_promise_shows_that_snapshot_and_its_date(
    client: Client, ljungby, coordinator, time_machine
):
    draft = _draft(ljungby, 2027)
    focus_area = _klotter_from_the_ranking(draft, coordinator)
    time_machine.move_to(dt.datetime(2026, 12, 10, 10, tzinfo=STOCKHOLM), tick=False)
    promise_publish(promise=draft, by=coordinator, today=dt.date(2026, 12, 10), confirm_findings=True)

    snapshots = list(EvidenceSnapshot.objects.filter(focus_area=focus_area).order_by("taken_on"))
    assert [(item.occasion, item.taken_on) for item in snapshots] == [
        ("created", dt.date(2026, 11, 20)),
        ("published", dt.date(2026, 12, 10)),
    ]
    published = snapshots[1]
    assert published.year == YEAR and published.problem.slug == "klotter"
    assert {source["key"] for source in published.sources} == {"crime", "survey", "reports", "dialogue"}
    assert published.weights["crime_level"] == "2.0"
    assert sum(part.points for part in published.parts.all()) == published.score
    level = published.parts.get(part="crime_level")
    frozen_count = level.snapshot["params"]["count"]

    # New figures arrive: the lägesbild changes, the promise's evidence does not.
    ReportedCrime.objects.filter(
        municipality=ljungby.municipality, year=YEAR, category__problem__slug="klotter"
    ).update(**{name: F(name) * 3 for name in PERIOD_FIELDS.values()})
    page = _text(client.get(draft.get_absolute_url()))
    today_ranking = selectors.ranking_for(municipality=ljungby.municipality, year=YEAR).problem("klotter")

    assert "Därför prioriterar vi detta" in page
    assert "Underlaget som det såg ut den 10 december 2026, när löftet publicerades." in page
    assert "Fokusområdet valdes ur lägesbilden den 20 november 2026." in page
    assert f"{frozen_count} anmälda brott {YEAR}" in page
    assert today_ranking is not None
    today_level = next(part for part in today_ranking.parts if part.code == "crime_level")
    assert today_level.params["count"] != frozen_count
    assert f"{today_level.params['count']} anmälda brott {YEAR}" not in page
    assert "Vikter då:" in page and "Källor då:" in page
    assert 'href="/ljungby/lagesbild/"' in client.get(draft.get_absolute_url()).content.decode()


def test_a_snapshot_is_kept_in_swedish_and_an_english_page_says_so(client: Client, ljungby, coordinator):
    from django.utils import translation
    from django.utils.html import escape

    draft = _draft(ljungby, 2027)
    with translation.override("en"):
        focus_area = _klotter_from_the_ranking(draft, coordinator)
    snapshot = EvidenceSnapshot.objects.get(focus_area=focus_area)
    level = snapshot.parts.get(part="crime_level")
    assert level.source.startswith("Anmälda brott")
    assert {source["key"]: source["label"] for source in snapshot.sources}["crime"] == "Anmälda brott"
    promise_publish(promise=draft, by=coordinator, today=NOW.date(), confirm_findings=True)

    address = draft.get_absolute_url()  # in Swedish: a request to an English page leaves English active
    english = client.get(f"/en{address}").content.decode()
    assert f'<span lang="sv">{escape(level.source)}</span>' in english
    assert re.search(r"Sources then: Reported crimes \(\d{1,2} [A-Z][a-z]+ \d{4}\)", english)
    swedish = client.get(address).content.decode()
    assert escape(level.source) in swedish and 'lang="sv"' not in swedish.split("<main", 1)[1]


def test_publishing_freezes_evidence_for_a_focus_area_that_only_names_its_problem(ljungby, coordinator):
    draft = _draft(ljungby, 2026, slug="2026-extra", title="Extra löfte")
    focus_area = FocusArea.objects.create(promise=draft, title="Narkotika", slug="narkotika")
    focus_area.problems.set([Problem.objects.get(slug="narkotika")])

    promise_publish(promise=draft, by=coordinator, today=NOW.date(), confirm_findings=True)

    snapshot = EvidenceSnapshot.objects.get(focus_area=focus_area)
    assert (snapshot.occasion, snapshot.year, snapshot.taken_on) == ("published", YEAR, NOW.date())
    assert FocusAreaEvidence.objects.filter(taken=snapshot).count() == 7


def test_the_why_section_costs_the_same_queries_however_many_focus_areas(
    client: Client, ljungby, coordinator
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    draft = _draft(ljungby, 2027)
    for slug in ["klotter", "narkotika"]:
        focus_area_create_from_evidence(
            promise=draft, problem=Problem.objects.get(slug=slug), year=YEAR, by=coordinator, today=NOW.date()
        )
    promise_publish(promise=draft, by=coordinator, today=NOW.date(), confirm_findings=True)
    client.get(draft.get_absolute_url())
    with CaptureQueriesContext(connection) as before:
        client.get(draft.get_absolute_url())
    for slug in ["vald", "bedrageri", "trafik"]:
        focus_area = FocusArea.objects.create(promise=draft, title=slug, slug=slug)
        focus_area.problems.set([Problem.objects.get(slug=slug)])
    from trygg.evidence.services import evidence_freeze_for_publishing

    evidence_freeze_for_publishing(promise=draft, today=NOW.date())

    with CaptureQueriesContext(connection) as after:
        response = client.get(draft.get_absolute_url())

    assert _text(response).count("Därför prioriterar vi detta") == 5
    assert len(after) == len(before)
