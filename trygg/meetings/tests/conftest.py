import datetime as dt

import pytest
from django.utils import timezone

from trygg.meetings.models import Meeting, MeetingActivity, SafetyWalk
from trygg.municipalities.models import Party
from trygg.promises.models import Activity

NOW = timezone.make_aware(dt.datetime(2023, 6, 1, 12, 0))


@pytest.fixture
def kommun(home_municipality) -> Party:
    return Party.objects.get(
        municipality=home_municipality, kind=Party.Kind.MUNICIPALITY, name="Ljungby kommun"
    )


@pytest.fixture
def police(home_municipality) -> Party:
    return Party.objects.get(kind=Party.Kind.POLICE, police_area__municipalities=home_municipality)


@pytest.fixture
def rural_dialogue(home_municipality) -> Activity:
    return Activity.objects.get(
        focus_area__promise__municipality=home_municipality, text__contains="dialogmöten 2 gånger"
    )


@pytest.fixture
def meeting(home_municipality, kommun, rural_dialogue) -> Meeting:
    created = Meeting.objects.create(
        municipality=home_municipality,
        kind=Meeting.Kind.CITIZEN_DIALOGUE,
        title="Dialogmöte i Lidhult",
        starts_at=timezone.make_aware(dt.datetime(2023, 3, 14, 18, 30)),
        ends_at=timezone.make_aware(dt.datetime(2023, 3, 14, 20, 30)),
        place="Lidhults bygdegård",
        is_public=True,
        capacity=30,
    )
    created.organisers.set([kommun])
    MeetingActivity.objects.create(meeting=created, activity=rural_dialogue)
    return created


@pytest.fixture
def future_meeting(home_municipality, kommun) -> Meeting:
    created = Meeting.objects.create(
        municipality=home_municipality,
        kind=Meeting.Kind.DIALOGUE,
        title="Dialogmöte om centrum",
        starts_at=timezone.now() + dt.timedelta(days=10),
        place="Stadshuset",
        is_public=True,
        capacity=5,
    )
    created.organisers.set([kommun])
    return created


@pytest.fixture
def police_meeting(home_municipality, police) -> Meeting:
    created = Meeting.objects.create(
        municipality=home_municipality,
        kind=Meeting.Kind.DIALOGUE,
        title="Polisens dialogmöte",
        starts_at=timezone.now() + dt.timedelta(days=3),
        is_public=True,
    )
    created.organisers.set([police])
    return created


@pytest.fixture
def walk(home_municipality, kommun) -> SafetyWalk:
    created = SafetyWalk.objects.create(
        municipality=home_municipality,
        title="Trygghetsvandring i Ryssby",
        date=dt.date(2023, 9, 20),
        route={"type": "LineString", "coordinates": [[14.013, 56.859], [14.0165, 56.8602]]},
        stops=[{"name": "Skolan", "latitude": 56.859, "longitude": 14.013}],
    )
    created.organisers.set([kommun])
    return created
