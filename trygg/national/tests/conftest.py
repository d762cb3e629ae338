import datetime as dt

import pytest

from trygg.followup.models import Execution
from trygg.municipalities.models import Municipality, Party
from trygg.promises.models import Activity, FocusArea, Promise

TODAY = dt.date(2026, 12, 6)


def make_promise(
    municipality: Municipality,
    *,
    slug: str = "2026",
    year: int = 2026,
    activities: int = 4,
    executions: int = 2,
    quantity: int | None = 1,
    status: str = Promise.Status.PUBLISHED,
) -> Promise:
    promise = Promise.objects.create(
        municipality=municipality,
        slug=slug,
        title=f"Medborgarlöfte {year} i {municipality.name}",
        valid_from=dt.date(year, 1, 1),
        valid_until=dt.date(year, 12, 31),
        status=status,
        published_on=dt.date(year, 1, 15),
    )
    party, _ = Party.objects.get_or_create(
        municipality=municipality, name=municipality.name, defaults={"kind": Party.Kind.MUNICIPALITY}
    )
    focus_area = FocusArea.objects.create(promise=promise, title="Klotter och skadegörelse", slug="klotter")
    for number in range(activities):
        activity = Activity.objects.create(
            focus_area=focus_area,
            text=f"Aktivitet {number + 1}",
            quantity=quantity,
            per="period" if quantity else "",
            order=number,
        )
        activity.responsible_parties.add(party)
        for day in range(executions):
            Execution.objects.create(
                activity=activity, done_on=dt.date(year, 3, 1 + day), description=f"Gjort {day + 1}", count=1
            )
    return promise


@pytest.fixture
def official(db):
    from trygg.national.services import municipalities_ensure_official

    municipalities_ensure_official()
    return {municipality.scb_code: municipality for municipality in Municipality.objects.all()}
