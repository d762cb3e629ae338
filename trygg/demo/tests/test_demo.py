import pytest
from django.core.management import call_command
from django.db import models

from trygg.demo.services import demo_load
from trygg.municipalities.models import Area, Membership, Municipality, Party, PoliceArea
from trygg.problems.models import Problem
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


def test_loading_the_demo_twice_creates_no_duplicates() -> None:
    demo_load(with_examples=True)
    first = _counts()
    demo_load(with_examples=True)

    assert _counts() == first


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
