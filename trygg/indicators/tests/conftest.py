import pytest

from trygg.indicators.models import Indicator
from trygg.promises.models import Activity


@pytest.fixture
def wastewater_activity(home_municipality) -> Activity:
    return Activity.objects.get(
        focus_area__promise__municipality=home_municipality,
        focus_area__promise__slug="2023",
        text__contains="avloppsvattnet",
    )


@pytest.fixture
def wastewater(home_municipality, wastewater_activity) -> Indicator:
    indicator = Indicator.objects.create(
        municipality=home_municipality,
        name="Narkotika i avloppsvattnet",
        slug="avloppsvatten",
        kind=Indicator.Kind.WASTEWATER,
        unit="mg per 1000 invånare och dygn",
        caveats="Siffrorna säger ingenting om hur många som använder droger.",
    )
    indicator.activities.set([wastewater_activity])
    return indicator
