import datetime as dt
import uuid
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from trygg.audit.models import AuditEntry
from trygg.followup import services
from trygg.followup.models import Assessment, Cancellation, Execution, ExecutionRevision
from trygg.followup.selectors import staff_activity_progress
from trygg.followup.status import Status
from trygg.promises.models import Activity

pytestmark = pytest.mark.django_db

TODAY = dt.date(2023, 6, 30)


def _record(activity, by, **fields):
    values: dict[str, Any] = {"done_on": dt.date(2023, 3, 1), "description": "Prov taget vid reningsverket."}
    values.update(fields)
    return services.execution_record(activity=activity, by=by, today=TODAY, **values)


def test_staff_of_the_responsible_party_record_an_execution_with_an_audit_entry(
    crew_member, municipality_activity
):
    execution = _record(municipality_activity, crew_member, count=2, participants=5)

    assert execution.recorded_by == crew_member
    assert AuditEntry.objects.filter(model="followup.execution", object_id=str(execution.pk)).count() == 1
    progress = staff_activity_progress(activity=municipality_activity, today=TODAY)
    assert progress.result.done == 2


def test_a_submission_recorded_once_is_given_back_and_not_counted_again_and_belongs_to_its_activity(
    coordinator, police_activity, municipality_activity
):
    submission_id = uuid.UUID("3e1b7a52-0c4d-4f6e-8a9b-1c2d3e4f5a6b")
    first = _record(police_activity, coordinator, submission_id=submission_id, count=3)
    again = _record(police_activity, coordinator, submission_id=submission_id, count=3)

    assert again.pk == first.pk
    assert Execution.objects.count() == 1
    assert AuditEntry.objects.filter(model="followup.execution").count() == 1
    assert staff_activity_progress(activity=police_activity, today=TODAY).result.done == 3
    with pytest.raises(ValidationError):
        _record(municipality_activity, coordinator, submission_id=submission_id)
    assert Execution.objects.count() == 1


def test_another_partys_staff_cannot_record_and_nothing_is_stored(crew_member, police_activity):
    with pytest.raises(PermissionDenied):
        _record(police_activity, crew_member)

    assert not Execution.objects.exists()


def test_a_coordinator_records_for_any_party_of_the_municipality(coordinator, police_activity):
    assert _record(police_activity, coordinator).pk


def test_a_future_date_is_refused(crew_member, municipality_activity):
    with pytest.raises(ValidationError):
        _record(municipality_activity, crew_member, done_on=TODAY + dt.timedelta(days=1))


def test_a_correction_keeps_the_earlier_values_who_when_and_why(crew_member, municipality_activity):
    user = crew_member
    execution = _record(municipality_activity, user, count=1)

    services.execution_correct(
        execution=execution, by=user, reason="Det var två prov, inte ett.", today=TODAY, changes={"count": 2}
    )
    services.execution_correct(
        execution=execution,
        by=user,
        reason="Registrerat två gånger.",
        today=TODAY,
        changes={"withdrawn": True},
    )

    revisions = list(ExecutionRevision.objects.filter(execution=execution).order_by("pk"))
    assert [(r.before["count"], r.after["count"]) for r in revisions] == [(1, 2), (2, 2)]
    assert [r.after["withdrawn"] for r in revisions] == [False, True]
    assert revisions[0].changed_by == crew_member and revisions[0].reason == "Det var två prov, inte ett."
    assert Execution.objects.filter(pk=execution.pk).exists()  # never deleted
    assert staff_activity_progress(activity=municipality_activity, today=TODAY).result.done == 0
    assert AuditEntry.objects.filter(model="followup.execution", action="update").count() == 2


def test_a_correction_needs_a_reason(crew_member, municipality_activity):
    user = crew_member
    execution = _record(municipality_activity, user)

    with pytest.raises(ValidationError):
        services.execution_correct(
            execution=execution, by=user, reason=" ", today=TODAY, changes={"count": 3}
        )

    assert not ExecutionRevision.objects.exists()


def test_another_partys_staff_cannot_correct(coordinator, police_officer, municipality_activity):
    execution = _record(municipality_activity, coordinator)

    with pytest.raises(PermissionDenied):
        services.execution_correct(
            execution=execution, by=police_officer, reason="fel", today=TODAY, changes={"count": 5}
        )

    execution.refresh_from_db()
    assert execution.count == 1


def test_an_assessment_needs_a_reason_and_an_activity_without_quantity(coordinator, promise):
    user = coordinator
    unquantified = Activity.objects.get(focus_area__promise=promise, text__contains="kameraövervakning")
    quantified = Activity.objects.get(focus_area__promise=promise, text__contains="avloppsvattnet")

    with pytest.raises(ValidationError):
        services.activity_assess(activity=unquantified, by=user, status="done", reason="", today=TODAY)
    with pytest.raises(ValidationError):
        services.activity_assess(activity=quantified, by=user, status="done", reason="Klart.", today=TODAY)
    with pytest.raises(ValidationError):
        services.activity_assess(
            activity=unquantified, by=user, status="cancelled", reason="Nej.", today=TODAY
        )
    services.activity_assess(
        activity=unquantified, by=user, status="on_track", reason="Två skolor klara.", today=TODAY
    )

    assert Assessment.objects.count() == 1
    assert staff_activity_progress(activity=unquantified, today=TODAY).status is Status.ON_TRACK


def test_a_cancellation_wins_and_lifting_it_keeps_the_row(coordinator, municipality_activity):
    user = coordinator
    _record(municipality_activity, user, count=4)
    services.activity_cancel(activity=municipality_activity, by=user, reason="Labbet lade ner.", today=TODAY)

    assert staff_activity_progress(activity=municipality_activity, today=TODAY).status is Status.CANCELLED
    with pytest.raises(ValidationError):
        services.activity_cancel(activity=municipality_activity, by=user, reason="igen", today=TODAY)

    services.activity_lift_cancellation(
        activity=municipality_activity,
        by=user,
        reason="Nytt labb hittat.",
        today=TODAY + dt.timedelta(days=1),
    )
    assert Cancellation.objects.get().lifted_on == TODAY + dt.timedelta(days=1)
    later = staff_activity_progress(activity=municipality_activity, today=TODAY + dt.timedelta(days=1))
    assert later.status is Status.DONE


def test_a_cancellation_needs_a_reason(coordinator, municipality_activity):
    with pytest.raises(ValidationError):
        services.activity_cancel(activity=municipality_activity, by=coordinator, reason="", today=TODAY)
    assert not Cancellation.objects.exists()
