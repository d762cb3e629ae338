import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import models
from django.utils import timezone

from trygg.demo.services import demo_load
from trygg.municipalities.models import Area, Membership, Municipality, Party, PoliceArea
from trygg.problems.models import Problem
from trygg.promises import selectors as promise_selectors
from trygg.promises.models import Activity, FocusArea, Promise, Signatory

pytestmark = pytest.mark.django_db

COUNTED: list[type[models.Model]] = [
    Municipality,
    PoliceArea,
    Party,
    Area,
    Membership,
    Problem,
    Promise,
    Signatory,
    FocusArea,
    Activity,
]


def _counts() -> dict[str, int]:
    return {model.__name__: model._default_manager.count() for model in COUNTED}


def test_the_demo_holds_all_seven_focus_areas_and_nineteen_activities() -> None:
    result = demo_load()

    assert result.promise.focus_areas.count() == 7
    assert Activity.objects.filter(focus_area__promise=result.promise).count() == 19
    assert result.promise.status == Promise.Status.PUBLISHED
    assert [s.role for s in result.promise.signatories.all()] == [
        "kommunstyrelsens ordförande",
        "lokalpolisområdeschef",
    ]


@pytest.mark.date_sensitive
def test_loading_the_demo_twice_creates_no_duplicates() -> None:
    demo_load(with_examples=True)
    first = _counts()
    demo_load(with_examples=True)

    assert _counts() == first


def _promise_rows() -> list[tuple[object, ...]]:
    """Every field of the demo's focus areas and activities, with their problems and parties, by natural key."""
    rows: list[tuple[object, ...]] = []
    for area in FocusArea.objects.order_by("promise__slug", "order").prefetch_related("problems"):
        fields = [getattr(area, f.attname) for f in FocusArea._meta.concrete_fields if f.name not in ("id",)]
        rows.append(("area", area.promise.slug, *fields[1:], sorted(p.slug for p in area.problems.all())))
    activities = Activity.objects.order_by("focus_area__promise__slug", "focus_area__order", "order")
    for activity in activities.prefetch_related("responsible_parties", "partners"):
        fields = [
            getattr(activity, f.attname)
            for f in Activity._meta.concrete_fields
            if f.name not in ("id", "focus_area")
        ]
        rows.append(
            (
                "activity",
                activity.focus_area.promise.slug,
                activity.focus_area.slug,
                *fields,
                sorted(p.name for p in activity.responsible_parties.all()),
                sorted(p.name for p in activity.partners.all()),
            )
        )
    return rows


def test_a_first_load_writes_what_a_second_load_would_leave_and_tells_the_national_journal() -> None:
    # The first load writes the focus areas and activities in bulk (`_new_focus_areas`), a second load goes
    # through update_or_create and set(): it must find nothing to change.
    from trygg.national.models import FeedChange

    demo_load()
    first = _promise_rows()
    noted = set(
        FeedChange.objects.filter(kind__in=["focus_area", "activity"]).values_list("kind", "object_id")
    )

    demo_load()

    assert _promise_rows() == first
    expected = {("focus_area", pk) for pk in FocusArea.objects.values_list("pk", flat=True)}
    expected |= {("activity", pk) for pk in Activity.objects.values_list("pk", flat=True)}
    assert noted == expected
    assert len(first) == FocusArea.objects.count() + Activity.objects.count() > 26


def test_the_demo_keeps_the_seeds_quantities_and_parties() -> None:
    promise = demo_load().promise
    activities = Activity.objects.filter(focus_area__promise=promise)

    wastewater = activities.get(text__contains="avloppsvattnet")
    assert (wastewater.quantity, wastewater.per, wastewater.unit) == (4, "year", "mätningar")
    assert [p.name for p in wastewater.responsible_parties.all()] == ["Ljungby kommun"]

    landlords = activities.get(text__contains="hyresvärdarna")
    assert sorted(p.name for p in landlords.responsible_parties.all()) == ["Ljungby kommun", "Polisen"]

    watch = activities.get(text__contains="grannsamverkansmöte")
    assert (watch.quantity, watch.at_least, watch.per) == (1, True, "year")

    vandalism = activities.get(text__startswith="All skadegörelse")
    assert vandalism.responsible_parties.count() == 0

    shopping = activities.get(text__contains="samverkansträff")
    assert [p.name for p in shopping.responsible_parties.all()] == ["Polisen"]
    assert [p.name for p in shopping.partners.all()] == ["Ljungby kommun"]


def test_the_load_demo_command_prints_the_staff_login(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("load_demo")

    out = capsys.readouterr().out
    assert "19 activities" in out
    assert "samordnare / " in out


# ------------------------------------------------------------------------- a demo that never ages

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@pytest.mark.parametrize(
    "now",
    [
        dt.datetime(2026, 12, 6, 10, tzinfo=STOCKHOLM),
        dt.datetime(2028, 2, 29, 8, 15, tzinfo=STOCKHOLM),
        dt.datetime(2031, 1, 1, 0, 30, tzinfo=STOCKHOLM),
    ],
    ids=["2026-12-06", "leap-day-2028-before-nine", "new-years-night-2031"],
)
def test_the_demo_has_an_ended_2023_promise_and_a_current_one_whatever_the_day_it_is_loaded(
    time_machine, now: dt.datetime
) -> None:
    time_machine.move_to(now, tick=False)
    today = now.date()

    result = demo_load(with_examples=True, now=now)
    promises = promise_selectors.municipality_promises_public(municipality=result.municipality, today=today)

    current = result.current_promise
    assert current is not None
    assert (current.slug, current.valid_from, current.valid_until) == (
        str(today.year),
        dt.date(today.year, 1, 1),
        dt.date(today.year, 12, 31),
    )
    assert [card.promise for card in promises.lead] == [current]
    assert [card.promise.slug for card in promises.earlier] == ["2023"]
    verdict = promises.earlier[0].verdict
    assert verdict is not None and verdict.total == 19 and verdict.verdict.not_finally_assessed >= 1
    assert "2024" in (current.source_note or "") and "Exempeldata" in (current.source_note or "")


def _outside(rows: list[tuple[dt.date, Activity]]) -> list[str]:
    from trygg.followup.selectors import activity_covers

    return [f"{day} {activity.text[:40]}" for day, activity in rows if not activity_covers(activity, day)]


@pytest.mark.parametrize(
    "now",
    [dt.datetime(2026, 12, 6, 10, tzinfo=STOCKHOLM), dt.datetime(2030, 1, 2, 7, tzinfo=STOCKHOLM)],
    ids=["2026-12-06", "2030-01-02-early"],
)
def test_every_example_row_falls_inside_the_period_it_illustrates_and_nothing_is_dated_after_now(
    time_machine, now: dt.datetime
) -> None:
    from trygg.followup.models import Assessment, Execution, PlannedDate
    from trygg.indicators.models import SamplingExecution
    from trygg.meetings.models import MeetingActivity, WalkActivity
    from trygg.reports.models import Report

    time_machine.move_to(now, tick=False)
    result = demo_load(with_examples=True, now=now)
    related = "activity__focus_area__promise"

    executions = Execution.objects.select_related(related)
    assert _outside([(row.done_on, row.activity) for row in executions]) == []
    assert all(row.recorded_at <= now and row.done_on <= now.date() for row in executions)
    assert all(row.is_example for row in executions)
    samples = SamplingExecution.objects.select_related(related)
    assert _outside([(row.sampled_on, row.activity) for row in samples]) == []
    meetings = MeetingActivity.objects.select_related(related, "meeting")
    assert (
        _outside([(timezone.localtime(row.meeting.starts_at).date(), row.activity) for row in meetings]) == []
    )
    walks = WalkActivity.objects.select_related(related, "walk")
    assert _outside([(row.walk.date, row.activity) for row in walks]) == []
    assert all(row.assessed_on <= now.date() for row in Assessment.objects.all())
    assert all(
        row.date >= now.date()
        for row in PlannedDate.objects.filter(activity__focus_area__promise=result.current_promise)
    )
    # The residents' reports illustrate the current promise: their categories are linked to its activities only.
    current = result.current_promise
    assert current is not None
    linked = Activity.objects.filter(report_categories__isnull=False).distinct()
    assert linked.exists() and all(activity.focus_area.promise_id == current.pk for activity in linked)
    assert all(report.created_at <= now for report in Report.objects.all())


def test_the_current_promise_labels_its_invented_follow_up_as_example_data(client, time_machine) -> None:
    now = dt.datetime(2026, 12, 6, 10, tzinfo=STOCKHOLM)
    time_machine.move_to(now, tick=False)
    result = demo_load(with_examples=True, now=now)
    assert result.current_promise is not None

    page = client.get(result.current_promise.get_absolute_url()).content.decode()

    assert "Läget den 6 december 2026" in page
    assert 'class="example-data">Exempeldata</span>' in page
    assert "Demo: aktiviteterna är Tryggs egen omskrivning" in page
