"""Two years side by side: carried, changed, added and removed activities, on the public and the staff page."""

import datetime as dt
from xml.etree.ElementTree import Element

import html5lib
import pytest
from django.test import Client

from trygg.followup.models import ActivityLineage
from trygg.municipalities.models import Municipality
from trygg.promises.models import Activity, FocusArea, Promise
from trygg.promises.tests.conftest import kommun, police
from trygg.promises.tests.factories import ActivityFactory, FocusAreaFactory, PromiseFactory

pytestmark = pytest.mark.django_db


def rows(content: bytes) -> dict[str, list[str]]:
    """Each body row of the comparison table by its activity's text: the cells after it."""
    page: Element = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(content)
    table = page.find(".//table")
    assert table is not None
    found = {}
    for row in table.find("tbody").iter("tr"):  # type: ignore[union-attr]
        header = row.find("th")
        assert header is not None
        text = " ".join((header.text or "").split())
        found[text] = [" ".join("".join(cell.itertext()).split()) for cell in row.findall("td")]
    return found


def _copy(source: Activity, focus_area: FocusArea, **changes: object) -> Activity:
    copy = ActivityFactory.create(
        focus_area=focus_area,
        text=changes.pop("text", source.text),
        quantity=changes.pop("quantity", source.quantity),
        unit=source.unit,
        per=source.per,
        responsible_parties=list(source.responsible_parties.all()),
    )
    ActivityLineage.objects.create(activity=copy, source=source)
    return copy


def years(town: Municipality, later_status: str) -> tuple[Promise, Promise]:
    """2027 and 2028: one activity carried as it was, one carried with a new amount, one dropped, one new."""
    earlier = PromiseFactory.create(municipality=town, slug="2027", status=Promise.Status.PUBLISHED)
    later = PromiseFactory.create(
        municipality=town,
        slug="2028",
        status=later_status,
        valid_from=dt.date(2028, 1, 1),
        valid_until=dt.date(2028, 12, 31),
        previous=earlier,
    )
    old_area = FocusAreaFactory.create(promise=earlier, title="Klotter", slug="klotter")
    new_area = FocusAreaFactory.create(promise=later, title="Klotter", slug="klotter")
    walks = ActivityFactory.create(
        focus_area=old_area, text="Kommunen håller 2 trygghetsvandringar.", responsible_parties=[kommun(town)]
    )
    patrols = ActivityFactory.create(
        focus_area=old_area, text="Polisen gör 4 insatser.", quantity=4, responsible_parties=[police(town)]
    )
    ActivityFactory.create(
        focus_area=old_area, text="Kommunen inför kameror.", responsible_parties=[kommun(town)]
    )
    _copy(walks, new_area)
    _copy(patrols, new_area, quantity=6)
    ActivityFactory.create(
        focus_area=new_area,
        text="Polisen och kommunen startar EST.",
        responsible_parties=[kommun(town), police(town)],
    )
    return earlier, later


def test_the_comparison_answers_when_the_new_year_has_an_added_activity(client: Client, town) -> None:
    years(town, Promise.Status.PUBLISHED)

    response = client.get("/granby/jamfor/2027/2028/")

    assert response.status_code == 200
    assert "Polisen och kommunen startar EST." in rows(response.content)


def test_every_kind_of_change_has_its_own_row_and_label(client: Client, town) -> None:
    years(town, Promise.Status.PUBLISHED)

    response = client.get("/granby/jamfor/2027/2028/")

    found = rows(response.content)
    assert found["Kommunen håller 2 trygghetsvandringar."][0] == "Förd vidare"
    assert found["Polisen gör 4 insatser."][0] == "Förd vidare med ändringar"
    assert found["Polisen och kommunen startar EST."][0] == "Ny"
    assert found["Polisen och kommunen startar EST."][1] == "Fanns inte med"
    assert found["Kommunen inför kameror."][0] == "Togs inte med"
    assert found["Kommunen inför kameror."][2] == "Togs inte med"
    page = response.content.decode()
    assert "Vad som lovas: <del>4 gånger under året</del> → <ins>6 gånger under året</ins>" in page
    counts = " ".join(page.split('class="compare-counts"')[1].split("</ul>")[0].split())
    for label, number in [
        ("Förd vidare", 1),
        ("Förd vidare med ändringar", 1),
        ("Ny", 1),
        ("Togs inte med", 1),
    ]:
        assert f"{label}: <strong>{number}</strong>" in counts


@pytest.mark.parametrize(
    "carried, changed, added, removed",
    [(c, ch, a, r) for c in (0, 1) for ch in (0, 1) for a in (0, 1) for r in (0, 1)],
)
def test_each_combination_of_carried_changed_added_and_removed_activities_compares(
    client: Client, town, carried: int, changed: int, added: int, removed: int
) -> None:
    earlier = PromiseFactory.create(municipality=town, slug="2027", status=Promise.Status.PUBLISHED)
    later = PromiseFactory.create(
        municipality=town, slug="2028", valid_from=dt.date(2028, 1, 1), valid_until=dt.date(2028, 12, 31)
    )
    old_area = FocusAreaFactory.create(promise=earlier)
    new_area = FocusAreaFactory.create(promise=later)
    expected = {}
    if carried:
        source = ActivityFactory.create(focus_area=old_area, text="Samma som förut.")
        _copy(source, new_area)
        expected["Samma som förut."] = "Förd vidare"
    if changed:
        source = ActivityFactory.create(focus_area=old_area, text="Före ändringen.")
        _copy(source, new_area, text="Efter ändringen.")
        expected["Efter ändringen."] = "Förd vidare med ändringar"
    if added:
        ActivityFactory.create(focus_area=new_area, text="Helt ny.")
        expected["Helt ny."] = "Ny"
    if removed:
        ActivityFactory.create(focus_area=old_area, text="Borttagen.")
        expected["Borttagen."] = "Togs inte med"

    response = client.get("/granby/jamfor/2027/2028/")

    assert response.status_code == 200
    assert {text: cells[0] for text, cells in rows(response.content).items()} == expected


def test_both_public_promise_pages_link_to_the_comparison(client: Client, town) -> None:
    years(town, Promise.Status.PUBLISHED)

    earlier_page = client.get("/granby/2027/").content.decode()
    later_page = client.get("/granby/2028/").content.decode()

    assert 'href="/granby/jamfor/2027/2028/"' in earlier_page
    assert 'href="/granby/jamfor/2027/2028/"' in later_page


def test_a_draft_is_compared_on_the_staff_pages_but_not_in_public(
    client: Client, login, town, town_coordinator
) -> None:
    earlier, later = years(town, Promise.Status.DRAFT)
    staff: Client = login(town_coordinator)

    earlier_staff = staff.get(f"/personal/lofte/{earlier.pk}/").content.decode()
    later_staff = staff.get(f"/personal/lofte/{later.pk}/").content.decode()
    compared = staff.get(f"/personal/lofte/{later.pk}/jamfor/{earlier.pk}/")
    staff.logout()

    assert f'href="/personal/lofte/{earlier.pk}/jamfor/{later.pk}/"' in earlier_staff
    assert f'href="/personal/lofte/{later.pk}/jamfor/{earlier.pk}/"' in later_staff
    assert compared.status_code == 200
    assert rows(compared.content)["Polisen och kommunen startar EST."][0] == "Ny"
    assert client.get("/granby/jamfor/2027/2028/").status_code == 404
    assert 'href="/granby/jamfor/' not in client.get("/granby/2027/").content.decode()


def test_staff_of_another_municipality_get_404_on_the_staff_comparison(login, town, stranger) -> None:
    earlier, later = years(town, Promise.Status.DRAFT)

    assert login(stranger).get(f"/personal/lofte/{later.pk}/jamfor/{earlier.pk}/").status_code == 404
