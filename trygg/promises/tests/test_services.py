import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from trygg.audit.models import AuditEntry
from trygg.followup.models import Execution
from trygg.municipalities.models import Party
from trygg.problems.models import Problem
from trygg.promises import services
from trygg.promises.models import Activity, Correction, FocusArea, Promise, Signatory
from trygg.promises.tests.conftest import kommun, police

pytestmark = pytest.mark.django_db

TODAY = dt.date(2027, 3, 2)


def patrol(promise: Promise) -> Activity:
    return Activity.objects.get(focus_area__promise=promise, text__startswith="Polisen ska fotpatrullera")


def test_a_draft_changes_without_a_reason_and_every_change_is_audited(town_coordinator, town_draft) -> None:
    activity = patrol(town_draft)

    services.activity_update(
        activity=activity,
        by=town_coordinator,
        today=TODAY,
        changes={"quantity": 10, "unit": "pass", "per": Activity.Per.MONTH},
    )

    activity.refresh_from_db()
    assert (activity.quantity, activity.unit, activity.per) == (10, "pass", "month")
    entry = AuditEntry.objects.get(model="promises.activity", object_id=str(activity.pk))
    assert entry.changes["quantity"] == [None, 10]
    assert entry.actor == town_coordinator
    assert not Correction.objects.exists()


def test_a_published_promise_changes_only_as_a_correction_with_a_reason(
    town_coordinator, town_published
) -> None:
    activity = patrol(town_published)

    with pytest.raises(ValidationError) as refused:
        services.activity_update(
            activity=activity, by=town_coordinator, today=TODAY, changes={"quantity": 10, "per": "year"}
        )
    services.activity_update(
        activity=activity,
        by=town_coordinator,
        today=TODAY,
        changes={"quantity": 10, "per": "year"},
        reason="Antalet föll bort när löftet lades in.",
    )

    assert "reason" in refused.value.message_dict
    correction = Correction.objects.get(promise=town_published)
    assert correction.made_on == TODAY
    assert correction.reason == "Antalet föll bort när löftet lades in."
    assert correction.made_by == town_coordinator
    assert {(entry["field"], entry["before"], entry["after"]) for entry in correction.changes} == {
        ("quantity", None, 10),
        ("per", "", "year"),
    }
    assert AuditEntry.objects.filter(model="promises.activity", reason=correction.reason).count() == 1


def test_every_kind_of_change_to_a_published_promise_needs_a_reason(town_coordinator, town_published) -> None:
    focus_area = FocusArea.objects.get(promise=town_published, slug="klotter")
    attempts = [
        lambda: services.promise_update(
            promise=town_published, by=town_coordinator, today=TODAY, changes={"title": "Nytt namn"}
        ),
        lambda: services.signatory_add(
            promise=town_published, by=town_coordinator, today=TODAY, name="Eva Ek", role="kommunalråd"
        ),
        lambda: services.focus_area_create(
            promise=town_published, by=town_coordinator, today=TODAY, title="Nytt"
        ),
        lambda: services.focus_area_update(
            focus_area=focus_area, by=town_coordinator, today=TODAY, changes={"title": "Klottret"}
        ),
        lambda: services.activity_create(
            focus_area=focus_area, by=town_coordinator, today=TODAY, text="Kommunen sanerar."
        ),
        lambda: services.activity_remove(activity=patrol(town_published), by=town_coordinator, today=TODAY),
        lambda: services.focus_area_move(focus_area=focus_area, by=town_coordinator, today=TODAY, step=1),
    ]

    for attempt in attempts:
        with pytest.raises(ValidationError):
            attempt()

    town_published.refresh_from_db()
    assert town_published.title == "Medborgarlöfte 2027"
    assert not Signatory.objects.exists()
    assert FocusArea.objects.filter(promise=town_published).count() == 2
    assert Activity.objects.filter(focus_area__promise=town_published).count() == 3
    assert not Correction.objects.exists()


def test_status_and_publishing_date_are_set_by_the_publish_service_alone(
    town_coordinator, town_draft
) -> None:
    for field in ("status", "published_on"):
        with pytest.raises(ValueError):
            services.promise_update(
                promise=town_draft, by=town_coordinator, today=TODAY, changes={field: "published"}
            )
    town_draft.refresh_from_db()
    assert (town_draft.status, town_draft.published_on) == (Promise.Status.DRAFT, None)

    services.promise_publish(promise=town_draft, by=town_coordinator, today=TODAY, confirm_findings=True)

    town_draft.refresh_from_db()
    assert (town_draft.status, town_draft.published_on) == (Promise.Status.PUBLISHED, TODAY)
    with pytest.raises(ValidationError):
        services.promise_publish(promise=town_draft, by=town_coordinator, today=TODAY, confirm_findings=True)


def test_the_address_of_a_published_promise_never_changes(town_coordinator, town_published) -> None:
    with pytest.raises(ValidationError) as refused:
        services.promise_update(
            promise=town_published,
            by=town_coordinator,
            today=TODAY,
            changes={"slug": "2027-ny"},
            reason="Ny adress",
        )

    assert "slug" in refused.value.message_dict
    town_published.refresh_from_db()
    assert town_published.slug == "2027"


@pytest.mark.parametrize("user", ["town_crew", "town_officer", "stranger"])
def test_only_the_municipalitys_coordinators_change_a_promise(request, user, town_draft) -> None:
    by = request.getfixturevalue(user)
    focus_area = FocusArea.objects.get(promise=town_draft, slug="klotter")
    activity = patrol(town_draft)
    attempts = [
        lambda: services.promise_update(promise=town_draft, by=by, today=TODAY, changes={"title": "X"}),
        lambda: services.promise_publish(promise=town_draft, by=by, today=TODAY, confirm_findings=True),
        lambda: services.signatory_add(
            promise=town_draft, by=by, today=TODAY, name="Eva Ek", role="ordförande"
        ),
        lambda: services.focus_area_create(promise=town_draft, by=by, today=TODAY, title="X"),
        lambda: services.focus_area_update(focus_area=focus_area, by=by, today=TODAY, changes={"title": "X"}),
        lambda: services.focus_area_remove(focus_area=focus_area, by=by, today=TODAY),
        lambda: services.activity_create(focus_area=focus_area, by=by, today=TODAY, text="X"),
        lambda: services.activity_update(activity=activity, by=by, today=TODAY, changes={"text": "X"}),
        lambda: services.activity_move(activity=activity, by=by, today=TODAY, step=-1),
        lambda: services.activity_remove(activity=activity, by=by, today=TODAY),
    ]

    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()

    town_draft.refresh_from_db()
    assert (town_draft.title, town_draft.status) == ("Medborgarlöfte 2027", Promise.Status.DRAFT)
    assert Activity.objects.filter(focus_area__promise=town_draft).count() == 3
    assert not AuditEntry.objects.exists()


def test_an_activity_names_only_parties_of_its_municipality_and_its_police(
    town, town_coordinator, town_draft
) -> None:
    stranger_party = Party.objects.create(name="Annan kommun", kind=Party.Kind.MUNICIPALITY)

    with pytest.raises(ValidationError) as refused:
        services.activity_update(
            activity=patrol(town_draft),
            by=town_coordinator,
            today=TODAY,
            changes={"responsible_parties": [stranger_party]},
        )
    with pytest.raises(ValidationError) as both:
        services.activity_update(
            activity=patrol(town_draft),
            by=town_coordinator,
            today=TODAY,
            changes={"responsible_parties": [police(town)], "partners": [police(town)]},
        )

    assert "responsible_parties" in refused.value.message_dict
    assert "partners" in both.value.message_dict
    assert list(patrol(town_draft).responsible_parties.all()) == [police(town)]


def test_an_amount_needs_what_it_counts_per_and_a_range_is_ordered(town_coordinator, town_draft) -> None:
    with pytest.raises(ValidationError) as no_per:
        services.activity_update(
            activity=patrol(town_draft), by=town_coordinator, today=TODAY, changes={"quantity": 3}
        )
    with pytest.raises(ValidationError) as range_:
        services.activity_update(
            activity=patrol(town_draft),
            by=town_coordinator,
            today=TODAY,
            changes={"quantity": 4, "quantity_max": 2, "per": "year"},
        )

    assert "per" in no_per.value.message_dict
    assert "quantity_max" in range_.value.message_dict
    assert patrol(town_draft).quantity is None


def test_an_activity_with_recorded_executions_is_not_removed(town_coordinator, town_draft) -> None:
    activity = patrol(town_draft)
    Execution.objects.create(activity=activity, done_on=dt.date(2027, 2, 1), description="Pass i centrum.")

    with pytest.raises(ValidationError):
        services.activity_remove(activity=activity, by=town_coordinator, today=TODAY)
    with pytest.raises(ValidationError):
        services.focus_area_remove(focus_area=activity.focus_area, by=town_coordinator, today=TODAY)

    assert Activity.objects.filter(pk=activity.pk).exists()


def test_focus_areas_and_activities_are_added_moved_and_removed(town, town_coordinator, town_draft) -> None:
    problem = Problem.objects.create(slug="bilbrand", name="Bilbränder")
    new_area = services.focus_area_create(
        promise=town_draft,
        by=town_coordinator,
        today=TODAY,
        title="Bilbränder",
        evidence_note="Fyra bilbränder i Centrum under 2026.",
        problems=[problem],
    )
    added = services.activity_create(
        focus_area=new_area,
        by=town_coordinator,
        today=TODAY,
        text="Kommunen och polisen håller 2 dialogmöten under året.",
        responsible_parties=[kommun(town), police(town)],
        other_partners="föreningar",
        quantity=2,
        per=Activity.Per.YEAR,
    )
    klotter = FocusArea.objects.get(promise=town_draft, slug="klotter")
    services.activity_move(activity=patrol(town_draft), by=town_coordinator, today=TODAY, step=-1)
    services.focus_area_move(focus_area=new_area, by=town_coordinator, today=TODAY, step=-1)
    added_pk = added.pk
    services.activity_remove(activity=added, by=town_coordinator, today=TODAY)

    assert [activity.text[:6] for activity in klotter.activities.order_by("order")] == ["Polise", "Kommun"]
    assert list(
        FocusArea.objects.filter(promise=town_draft).order_by("order").values_list("title", flat=True)
    ) == [
        "Klotter",
        "Bilbränder",
        "Trafik",
    ]
    assert (new_area.slug, new_area.evidence_note, list(new_area.problems.all())) == (
        "bilbrander",
        "Fyra bilbränder i Centrum under 2026.",
        [problem],
    )
    assert not Activity.objects.filter(pk=added_pk).exists()
    assert AuditEntry.objects.filter(
        model="promises.activity", action="delete", object_id=str(added_pk)
    ).exists()


def test_a_signatory_has_a_name_a_title_a_party_and_a_date(town, town_coordinator, town_draft) -> None:
    signatory = services.signatory_add(
        promise=town_draft,
        by=town_coordinator,
        today=TODAY,
        name="Eva Ek",
        role="kommunstyrelsens ordförande",
        party=kommun(town),
        signed_on=dt.date(2027, 1, 9),
    )
    with pytest.raises(ValidationError):
        services.signatory_add(
            promise=town_draft, by=town_coordinator, today=TODAY, name="Utan titel", role=""
        )

    services.signatory_update(
        signatory=signatory, by=town_coordinator, today=TODAY, changes={"role": "kommunalråd"}
    )
    signatory.refresh_from_db()
    assert (signatory.name, signatory.role, signatory.party, signatory.signed_on) == (
        "Eva Ek",
        "kommunalråd",
        kommun(town),
        dt.date(2027, 1, 9),
    )
    services.signatory_remove(signatory=signatory, by=town_coordinator, today=TODAY)
    assert not Signatory.objects.exists()
