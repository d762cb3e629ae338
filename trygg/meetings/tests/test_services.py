import datetime as dt
import io
import uuid
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from PIL import Image

from trygg.followup.models import Execution
from trygg.meetings import selectors, services
from trygg.meetings.models import (
    Meeting,
    MeetingActivity,
    Observation,
    SafetyWalk,
    SignUp,
    Task,
    WalkActivity,
)
from trygg.problems.models import Problem

pytestmark = pytest.mark.django_db
TODAY = dt.date(2023, 12, 1)


def _record(meeting, by, **extra):
    values: dict[str, Any] = {"participants": 34, "minutes": "Om inbrott.", "problems": {}, "today": TODAY}
    values.update(extra)
    return services.meeting_record_held(meeting=meeting, by=by, **values)


def test_a_held_meeting_counts_once_as_an_execution_of_its_activity(meeting, coordinator, rural_dialogue):
    recorded = _record(meeting, coordinator)
    _record(meeting, coordinator, participants=35)

    executions = Execution.objects.filter(activity=rural_dialogue)
    assert len(recorded.executions) == 1
    assert executions.count() == 1
    execution = executions.get()
    assert execution.done_on == dt.date(2023, 3, 14)
    assert execution.link_note == "Dialogmöte i Lidhult"
    assert execution.participants == 34
    assert MeetingActivity.objects.get(meeting=meeting).execution == execution
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD
    assert meeting.participants == 35


def test_a_meeting_cannot_be_recorded_before_it_has_taken_place(meeting, coordinator):
    with pytest.raises(ValidationError):
        _record(meeting, coordinator, today=dt.date(2023, 3, 13))

    assert (
        Execution.objects.count() == 0 or not MeetingActivity.objects.filter(execution__isnull=False).exists()
    )


def test_an_organiser_without_right_to_the_activity_records_the_meeting_but_leaves_it_uncounted(
    meeting, crew_member, coordinator, rural_dialogue, kommun
):
    # The crew member works for the kommun (an organiser); the activity is also the police's,
    # and crew members of the kommun may follow it up, so take an activity only the police own.
    rural_dialogue.responsible_parties.set(
        [p for p in rural_dialogue.responsible_parties.all() if p != kommun]
    )

    recorded = _record(meeting, crew_member)

    assert recorded.executions == []
    assert recorded.not_counted == [rural_dialogue]
    again = _record(meeting, coordinator)
    assert len(again.executions) == 1
    assert Execution.objects.filter(activity=rural_dialogue).count() == 1


def test_staff_of_a_party_that_does_not_organise_may_not_record_the_meeting(police_meeting, crew_member):
    police_meeting.starts_at = timezone.make_aware(dt.datetime(2023, 5, 1, 10))
    police_meeting.save()

    with pytest.raises(PermissionDenied):
        _record(police_meeting, crew_member)

    police_meeting.refresh_from_db()
    assert police_meeting.status == Meeting.Status.PLANNED


def test_problems_raised_feed_the_dialogue_input_of_the_lagesbild(meeting, coordinator, home_municipality):
    burglary = Problem.objects.get(slug="inbrott-landsbygd")
    traffic = Problem.objects.get(slug="trafik")
    _record(meeting, coordinator, problems={burglary: 19, traffic: 5})

    assert selectors.meeting_problem_mentions(home_municipality, 2023) == {
        "inbrott-landsbygd": 19,
        "trafik": 5,
    }
    assert selectors.meeting_problem_mentions(home_municipality, 2022) == {}


def test_a_sign_up_takes_places_and_a_full_meeting_refuses_more(future_meeting):
    now = timezone.now()
    services.signup_create(
        meeting=future_meeting,
        name="Alva",
        email="alva@example.org",
        count=3,
        submission_id=uuid.uuid4(),
        now=now,
    )
    services.signup_create(
        meeting=future_meeting, name="", email="", count=2, submission_id=uuid.uuid4(), now=now
    )

    with pytest.raises(services.MeetingFull):
        services.signup_create(
            meeting=future_meeting, name="", email="", count=1, submission_id=uuid.uuid4(), now=now
        )
    assert SignUp.objects.filter(meeting=future_meeting).count() == 2


def test_sending_a_sign_up_twice_stores_it_once(future_meeting):
    submission = uuid.uuid4()
    first = services.signup_create(
        meeting=future_meeting, name="Bo", email="", count=1, submission_id=submission, now=timezone.now()
    )
    second = services.signup_create(
        meeting=future_meeting, name="Bo", email="", count=1, submission_id=submission, now=timezone.now()
    )

    assert first.pk == second.pk
    assert SignUp.objects.count() == 1


def test_sign_ups_are_purged_once_the_meeting_has_passed(future_meeting, meeting):
    SignUp.objects.create(meeting=meeting, name="Gammal", email="gammal@example.org")
    SignUp.objects.create(meeting=future_meeting, name="Ny", email="ny@example.org")

    assert services.signups_purge(now=timezone.now()) == 1
    assert list(SignUp.objects.values_list("name", flat=True)) == ["Ny"]


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "Kameratillverkaren"  # Make
    exif[0x0131] = "Programvara 1.0"  # Software
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif)
    return output.getvalue()


def test_an_observation_becomes_a_task_and_its_photo_keeps_no_metadata(walk, coordinator):
    photo = _jpeg_with_gps()
    assert b"Kameratillverkaren" in photo

    added = services.observation_add(
        walk=walk,
        by=coordinator,
        submission_id=uuid.uuid4(),
        place="Gångvägen bakom skolan",
        category=Observation.Category.LIGHTING,
        note="Två lampor är trasiga.",
        photo=photo,
    )

    observation = added.observation
    assert observation.problem is not None and observation.problem.slug == "belysning"
    assert observation.task.state == Task.State.OPEN
    assert observation.task.due_on == walk.date + dt.timedelta(days=services.TASK_DAYS)
    stored = observation.photo.read()
    assert b"Kameratillverkaren" not in stored
    assert not Image.open(io.BytesIO(stored)).getexif()


def test_an_observation_sent_again_after_a_lost_connection_is_stored_once(walk, coordinator):
    submission = uuid.uuid4()
    for _attempt in range(2):
        services.observation_add(
            walk=walk,
            by=coordinator,
            submission_id=submission,
            place="Torget",
            category=Observation.Category.LITTER,
        )

    assert Observation.objects.count() == 1
    assert Task.objects.count() == 1


def test_observations_become_tasks_that_are_done_or_not_ours_with_a_reason(walk, coordinator, kommun):
    first = services.observation_add(
        walk=walk,
        by=coordinator,
        submission_id=uuid.uuid4(),
        place="Tunneln",
        category=Observation.Category.UNSAFE_PASSAGE,
    ).observation
    second = services.observation_add(
        walk=walk,
        by=coordinator,
        submission_id=uuid.uuid4(),
        place="Förrådet",
        category=Observation.Category.GRAFFITI,
    ).observation

    services.task_update(
        task=first.task,
        by=coordinator,
        state=Task.State.DONE,
        outcome="Belysning uppsatt.",
        owner_party=kommun,
        owner_user=None,
        due_on=None,
        today=TODAY,
    )
    with pytest.raises(ValidationError):
        services.task_update(
            task=second.task,
            by=coordinator,
            state=Task.State.NOT_OURS,
            outcome=" ",
            owner_party=None,
            owner_user=None,
            due_on=None,
            today=TODAY,
        )
    services.task_update(
        task=second.task,
        by=coordinator,
        state=Task.State.NOT_OURS,
        outcome="Föreningens byggnad.",
        owner_party=None,
        owner_user=None,
        due_on=None,
        today=TODAY,
    )

    states = dict(Task.objects.values_list("observation__place", "state"))
    assert states == {"Tunneln": Task.State.DONE, "Förrådet": Task.State.NOT_OURS}
    assert Task.objects.get(observation=first).closed_on == TODAY
    summary = selectors.walk_task_summary(selectors.walk_get_public(municipality_slug="ljungby", pk=walk.pk))
    assert (summary.total, summary.done, summary.not_ours, summary.open) == (2, 1, 1, 0)


def test_a_held_walk_counts_once_for_its_activity(walk, coordinator, home_municipality):
    from trygg.promises.models import Activity

    activity = Activity.objects.get(
        focus_area__promise__municipality=home_municipality, text__contains="trygghetsvandringar"
    )
    WalkActivity.objects.create(walk=walk, activity=activity)

    services.walk_record_held(walk=walk, by=coordinator, participants=14, today=TODAY)
    services.walk_record_held(walk=walk, by=coordinator, participants=15, today=TODAY)

    assert Execution.objects.filter(activity=activity).count() == 1
    walk.refresh_from_db()
    assert walk.status == SafetyWalk.Status.HELD


def test_a_meeting_cannot_link_an_activity_of_another_municipality(home_municipality, coordinator, kommun):
    from trygg.promises.tests.factories import ActivityFactory

    foreign = ActivityFactory.create()

    with pytest.raises(ValidationError):
        services.meeting_plan(
            municipality=home_municipality,
            by=coordinator,
            details=services.MeetingDetails(
                title="Möte",
                kind=Meeting.Kind.DIALOGUE,
                starts_at=timezone.now(),
                organisers=[kommun],
                activities=[foreign],
            ),
        )
    assert Meeting.objects.count() == 0
