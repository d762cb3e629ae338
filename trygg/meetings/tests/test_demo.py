import pytest

from trygg.demo.followup import load_followup_demo
from trygg.demo.meetings import load_meetings_demo
from trygg.followup.models import Execution
from trygg.indicators.models import Measurement
from trygg.meetings.models import Meeting, Observation, SafetyWalk, Task
from trygg.meetings.selectors import meeting_problem_mentions
from trygg.promises.models import Promise

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


def test_the_demo_loads_twice_and_shares_executions_with_the_follow_up_demo(home_municipality):
    promise = Promise.objects.get(municipality=home_municipality, slug="2023")
    load_meetings_demo(home_municipality, promise)
    counts = (
        Meeting.objects.count(),
        SafetyWalk.objects.count(),
        Observation.objects.count(),
        Execution.objects.count(),
    )

    load_meetings_demo(home_municipality, promise)
    load_followup_demo(promise)
    load_meetings_demo(home_municipality, promise)

    assert counts[:3] == (6, 2, 5)
    assert (Meeting.objects.count(), SafetyWalk.objects.count(), Observation.objects.count()) == counts[:3]
    wastewater = Execution.objects.filter(activity__text__contains="avloppsvattnet")
    assert wastewater.count() == 4
    assert Measurement.objects.filter(is_example=True).values("sampled_on").distinct().count() == 4
    assert all(meeting.is_example for meeting in Meeting.objects.all())
    assert set(Task.objects.values_list("state", flat=True)) == {"open", "done", "not_ours"}
    assert meeting_problem_mentions(home_municipality, 2023)["inbrott-landsbygd"] == 40
