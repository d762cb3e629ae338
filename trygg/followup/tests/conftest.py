import pytest

from trygg.demo.followup import load_followup_demo
from trygg.promises.models import Activity, Promise


@pytest.fixture
def promise(home_municipality) -> Promise:
    return Promise.objects.get(municipality=home_municipality, slug="2023")


@pytest.fixture
def demo_followup(promise: Promise) -> Promise:
    load_followup_demo(promise)
    return promise


@pytest.fixture
def police_activity(promise: Promise) -> Activity:
    """Only the police is responsible: "Polisen bjuder in Centrumföreningen …"."""
    return Activity.objects.get(focus_area__promise=promise, text__contains="Centrumföreningen")


@pytest.fixture
def municipality_activity(promise: Promise) -> Activity:
    """Only the kommun is responsible, four measurements a year."""
    return Activity.objects.get(focus_area__promise=promise, text__contains="avloppsvattnet")
