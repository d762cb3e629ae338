"""The coordinator creates, edits and links indicators and moves a wrongly counted sample, all in /personal/."""

import datetime as dt
from decimal import Decimal

import html5lib
import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from trygg.audit.models import AuditEntry
from trygg.followup.models import Execution
from trygg.followup.services import execution_record
from trygg.indicators import services
from trygg.indicators.models import Indicator, SamplingExecution
from trygg.promises.models import Activity
from trygg.promises.tests.factories import ActivityFactory, FocusAreaFactory, PromiseFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 6)
CLOCK = dt.datetime(2026, 12, 6, 10, tzinfo=dt.UTC)
SAMPLE = dt.date(2026, 3, 10)


@pytest.fixture
def activity_2026(home_municipality) -> Activity:
    promise = PromiseFactory.create(
        municipality=home_municipality,
        slug="2026",
        title="Medborgarlöfte 2026",
        valid_from=dt.date(2026, 1, 1),
        valid_until=dt.date(2026, 12, 31),
    )
    focus_area = FocusAreaFactory.create(promise=promise, title="Narkotika")
    return ActivityFactory.create(
        focus_area=focus_area, text="Kommunen mäter droger i avloppsvattnet 4 gånger."
    )


@pytest.fixture
def miscounted(wastewater, wastewater_activity, activity_2026, coordinator) -> Execution:
    """The reported state: a 2026 sample counted toward the 2023 activity, and the 2026 activity linked too."""
    wastewater.activities.clear()
    services.measurement_record(
        indicator=wastewater,
        by=coordinator,
        sampled_on=SAMPLE,
        today=TODAY,
        substance="kokain",
        value=Decimal("9.8"),
    )
    execution = execution_record(
        activity=wastewater_activity, by=coordinator, done_on=SAMPLE, description="Mätning", today=TODAY
    )
    SamplingExecution.objects.create(
        indicator=wastewater, sampled_on=SAMPLE, activity=wastewater_activity, execution=execution
    )
    wastewater.activities.set([wastewater_activity, activity_2026])
    return execution


def _parse(content: bytes) -> None:
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(content)


def _relink_url(indicator: Indicator, activity: Activity) -> str:
    return reverse("indicators:staff_relink", args=[indicator.pk, SAMPLE.isoformat(), activity.pk])


@time_machine.travel(CLOCK, tick=False)
def test_the_coordinator_creates_an_indicator_on_a_staff_page(login, coordinator, home_municipality):
    client = login(coordinator)
    listing = client.get(reverse("indicators:staff_list")).content.decode()
    assert f'href="{reverse("indicators:staff_create")}"' in listing
    form = client.get(reverse("indicators:staff_create"))
    assert form.status_code == 200
    _parse(form.content)

    response = client.post(
        reverse("indicators:staff_create"),
        {
            "municipality": home_municipality.pk,
            "name": "Slumpvisa drogtester på gymnasiet",
            "kind": "school_drug_tests",
            "caveats": "Bara de som lottas testas.",
            "is_public": "on",
        },
    )

    indicator = Indicator.objects.get(name="Slumpvisa drogtester på gymnasiet")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("indicators:staff_detail", args=[indicator.pk]))
    assert (indicator.municipality, indicator.slug, indicator.kind) == (
        home_municipality,
        "slumpvisa-drogtester-pa-gymnasiet",
        "school_drug_tests",
    )
    assert AuditEntry.objects.filter(model="indicators.indicator", action="create").count() == 1


@time_machine.travel(CLOCK, tick=False)
def test_a_taken_or_reserved_address_is_refused_with_the_input_kept(login, coordinator, wastewater):
    client = login(coordinator)
    for slug in ("avloppsvatten", "personal"):
        response = client.post(
            reverse("indicators:staff_create"),
            {"municipality": wastewater.municipality_id, "name": "Ny serie", "slug": slug, "kind": "other"},
        )
        assert response.status_code == 400
        assert 'value="Ny serie"' in response.content.decode()
    assert Indicator.objects.count() == 1


@time_machine.travel(CLOCK, tick=False)
def test_the_coordinator_edits_an_indicator_but_not_its_kind_once_it_has_measurements(
    login, coordinator, miscounted, wastewater
):
    client = login(coordinator)
    url = reverse("indicators:staff_edit", args=[wastewater.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'value="Narkotika i avloppsvattnet"' in page.content.decode()
    data = {
        "name": "Droger i avloppsvattnet",
        "slug": "avloppsvatten",
        "kind": "wastewater",
        "unit": "mg/1000 inv/dygn",
    }

    assert client.post(url, {**data, "kind": "other"}).status_code == 400
    wastewater.refresh_from_db()
    assert wastewater.kind == "wastewater" and wastewater.name == "Narkotika i avloppsvattnet"

    assert client.post(url, {**data, "is_public": ""}).status_code == 302
    wastewater.refresh_from_db()
    assert (wastewater.name, wastewater.unit, wastewater.is_public) == (
        "Droger i avloppsvattnet",
        "mg/1000 inv/dygn",
        False,
    )


@time_machine.travel(CLOCK, tick=False)
def test_linking_counts_the_samples_already_taken_and_unlinking_keeps_them(
    login, coordinator, wastewater, wastewater_activity, activity_2026
):
    services.measurement_record(
        indicator=wastewater,
        by=coordinator,
        sampled_on=SAMPLE,
        today=TODAY,
        substance="kokain",
        value=Decimal("9.8"),
    )
    client = login(coordinator)

    linked = client.post(
        reverse("indicators:staff_link", args=[wastewater.pk]), {"activity": activity_2026.pk}
    )

    assert linked.status_code == 302
    assert set(wastewater.activities.all()) == {wastewater_activity, activity_2026}
    counted = Execution.objects.counted().filter(activity=activity_2026)
    assert list(counted.values_list("done_on", flat=True)) == [SAMPLE]

    unlinked = client.post(
        reverse("indicators:staff_unlink", args=[wastewater.pk]), {"activity": activity_2026.pk}
    )

    assert unlinked.status_code == 302
    assert list(wastewater.activities.all()) == [wastewater_activity]
    assert counted.count() == 1


@time_machine.travel(CLOCK, tick=False)
def test_a_2026_sample_counted_toward_the_2023_activity_is_moved_to_the_2026_one(
    login, coordinator, miscounted, wastewater, wastewater_activity, activity_2026
):
    client = login(coordinator)
    page = client.get(reverse("indicators:staff_detail", args=[wastewater.pk]))
    assert page.status_code == 200
    _parse(page.content)
    assert "Provet ligger utanför aktivitetens period." in page.content.decode()
    assert _relink_url(wastewater, wastewater_activity) in page.content.decode()
    assert client.get(_relink_url(wastewater, wastewater_activity)).status_code == 200

    moved = client.post(
        _relink_url(wastewater, wastewater_activity),
        {"to_activity": activity_2026.pk, "reason": "Provet togs 2026."},
    )

    assert moved.status_code == 302
    miscounted.refresh_from_db()
    assert miscounted.withdrawn
    assert miscounted.revisions.get().reason == "Provet togs 2026."
    assert not Execution.objects.counted().filter(activity=wastewater_activity).exists()
    assert list(
        Execution.objects.counted().filter(activity=activity_2026).values_list("done_on", flat=True)
    ) == [SAMPLE]
    # Counting again (a new measurement, an import) never brings the sample back to the 2023 activity.
    services.measurements_count(indicator=wastewater, by=coordinator, today=TODAY)
    assert not Execution.objects.counted().filter(activity=wastewater_activity).exists()
    after = client.get(reverse("indicators:staff_detail", args=[wastewater.pk])).content.decode()
    assert "Provet ligger utanför aktivitetens period." not in after


def test_a_sample_moved_back_counts_its_first_execution_again_and_one_that_stopped_cannot_move(
    coordinator, miscounted, wastewater, wastewater_activity, activity_2026
):
    def move(source: Activity, target: Activity | None, reason: str) -> None:
        services.sampling_relink(
            indicator=wastewater,
            sampled_on=SAMPLE,
            from_activity=source,
            to_activity=target,
            by=coordinator,
            reason=reason,
            today=TODAY,
        )

    move(wastewater_activity, activity_2026, "Fel år.")
    move(activity_2026, wastewater_activity, "Ändå rätt år.")

    miscounted.refresh_from_db()
    assert not miscounted.withdrawn
    assert Execution.objects.filter(activity=wastewater_activity).count() == 1
    assert not Execution.objects.counted().filter(activity=activity_2026).exists()

    move(wastewater_activity, None, "Provet var ogiltigt.")
    assert not Execution.objects.counted().filter(activity__in=[wastewater_activity, activity_2026]).exists()
    with pytest.raises(ValidationError):
        move(wastewater_activity, activity_2026, "Igen.")


def test_moving_needs_a_reason_and_a_linked_target(
    coordinator, miscounted, wastewater, wastewater_activity, home_municipality
):
    other = ActivityFactory.create(focus_area=wastewater_activity.focus_area)
    for target, reason in ((None, " "), (other, "Fel aktivitet.")):
        with pytest.raises(ValidationError):
            services.sampling_relink(
                indicator=wastewater,
                sampled_on=SAMPLE,
                from_activity=wastewater_activity,
                to_activity=target,
                by=coordinator,
                reason=reason,
                today=TODAY,
            )
    miscounted.refresh_from_db()
    assert not miscounted.withdrawn


def test_an_activity_of_another_municipality_cannot_be_linked(coordinator, wastewater, outsider):
    from trygg.municipalities.models import Municipality

    foreign_promise = PromiseFactory.create(municipality=Municipality.objects.get(slug="annanstad"))
    foreign = ActivityFactory.create(focus_area=FocusAreaFactory.create(promise=foreign_promise))

    with pytest.raises(ValidationError):
        services.indicator_link(indicator=wastewater, activity=foreign, by=coordinator, today=TODAY)
    assert foreign not in wastewater.activities.all()


@time_machine.travel(CLOCK, tick=False)
def test_a_police_officer_sees_the_indicator_but_may_not_change_it_403_and_nothing_changes(
    login, police_officer, miscounted, wastewater, wastewater_activity, activity_2026
):
    client = login(police_officer)
    page = client.get(reverse("indicators:staff_detail", args=[wastewater.pk]))
    assert page.status_code == 200
    assert reverse("indicators:staff_edit", args=[wastewater.pk]) not in page.content.decode()
    before = AuditEntry.objects.count()

    answers = [
        client.get(reverse("indicators:staff_create")).status_code,
        client.post(reverse("indicators:staff_create"), {"name": "X", "kind": "other"}).status_code,
        client.post(
            reverse("indicators:staff_edit", args=[wastewater.pk]), {"name": "X", "kind": "other"}
        ).status_code,
        client.post(
            reverse("indicators:staff_unlink", args=[wastewater.pk]), {"activity": wastewater_activity.pk}
        ).status_code,
        client.post(
            _relink_url(wastewater, wastewater_activity), {"to_activity": activity_2026.pk, "reason": "X"}
        ).status_code,
    ]

    assert answers == [403] * 5
    assert AuditEntry.objects.count() == before
    assert Indicator.objects.count() == 1
    assert set(wastewater.activities.all()) == {wastewater_activity, activity_2026}
    miscounted.refresh_from_db()
    assert not miscounted.withdrawn
    with pytest.raises(PermissionDenied):
        services.indicator_update(
            indicator=wastewater, by=police_officer, details=services.IndicatorDetails(name="X", kind="other")
        )


@time_machine.travel(CLOCK, tick=False)
def test_staff_of_another_municipality_get_404_for_its_indicator_and_nothing_changes(
    login, outsider, miscounted, wastewater, wastewater_activity, activity_2026, home_municipality
):
    client = login(outsider)
    answers = [
        client.get(reverse("indicators:staff_detail", args=[wastewater.pk])).status_code,
        client.get(reverse("indicators:staff_edit", args=[wastewater.pk])).status_code,
        client.post(
            reverse("indicators:staff_edit", args=[wastewater.pk]), {"name": "X", "kind": "other"}
        ).status_code,
        client.post(
            reverse("indicators:staff_link", args=[wastewater.pk]), {"activity": activity_2026.pk}
        ).status_code,
        client.post(
            reverse("indicators:staff_unlink", args=[wastewater.pk]), {"activity": wastewater_activity.pk}
        ).status_code,
        client.get(_relink_url(wastewater, wastewater_activity)).status_code,
        client.post(_relink_url(wastewater, wastewater_activity), {"reason": "X"}).status_code,
    ]
    created = client.post(
        reverse("indicators:staff_create"),
        {"municipality": home_municipality.pk, "name": "X", "kind": "other"},
    )

    assert answers == [404] * 7
    assert created.status_code == 400
    assert Indicator.objects.count() == 1
    wastewater.refresh_from_db()
    assert wastewater.name == "Narkotika i avloppsvattnet"
    miscounted.refresh_from_db()
    assert not miscounted.withdrawn


@time_machine.travel(CLOCK, tick=False)
def test_the_staff_page_query_count_does_not_grow_with_its_samples(
    login, coordinator, wastewater, activity_2026, django_assert_max_num_queries
):
    wastewater.activities.add(activity_2026)
    client = login(coordinator)
    url = reverse("indicators:staff_detail", args=[wastewater.pk])

    def sample(day: dt.date) -> None:
        services.measurement_record(
            indicator=wastewater,
            by=coordinator,
            sampled_on=day,
            today=TODAY,
            substance="kokain",
            value=Decimal(1),
        )

    sample(dt.date(2026, 1, 5))
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for month in range(2, 9):
        sample(dt.date(2026, month, 5))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
