import datetime as dt
from xml.etree.ElementTree import Element

import html5lib
import pytest
import time_machine
from django.test import Client

from trygg.audit.models import AuditEntry
from trygg.followup.models import PlannedDate
from trygg.municipalities.models import Area
from trygg.problems.models import Problem
from trygg.promises.models import Activity, Correction, FocusArea, Promise, Signatory
from trygg.promises.tests.conftest import kommun, police
from trygg.promises.tests.factories import ActivityFactory

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 3, 2, 10, tzinfo=dt.UTC)


def parse(content: bytes) -> Element:
    # html5lib in strict mode raises on any parse error: the page is well-formed HTML5.
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(content)


def by_id(page: Element, element_id: str) -> Element:
    found = page.find(f".//*[@id='{element_id}']")
    assert found is not None, element_id
    return found


def text_of(element: Element) -> str:
    return " ".join("".join(element.itertext()).split())


def patrol(promise: Promise) -> Activity:
    return Activity.objects.get(focus_area__promise=promise, text__startswith="Polisen ska fotpatrullera")


def url(promise: Promise, tail: str = "") -> str:
    return f"/personal/lofte/{promise.pk}/{tail}"


def activity_form(activity: Activity, **changes: object) -> dict[str, object]:
    prefix = f"aktivitet-{activity.pk}"
    values: dict[str, object] = {
        "focus_area": activity.focus_area_id,
        "text": activity.text,
        "responsible_parties": [party.pk for party in activity.responsible_parties.all()],
        "partners": [],
        "other_partners": activity.other_partners,
        "quantity": activity.quantity or "",
        "quantity_max": "",
        "unit": activity.unit,
        "per": activity.per,
        "target_group": "",
        "place": "",
        "area": "",
        "start_date": "",
        "end_date": "",
    }
    values.update(changes)
    return {f"{prefix}-{name}": value for name, value in values.items()}


def test_each_finding_stands_beside_the_field_it_concerns(login, town_coordinator, town_draft) -> None:
    activity = patrol(town_draft)

    # The activity's form is drawn in its open panel (a link with ?andra= opens it; see the next test).
    response = login(town_coordinator).get(url(town_draft) + f"?andra=aktivitet-{activity.pk}")

    assert response.status_code == 200
    page = parse(response.content)
    quantity = by_id(page, f"id_aktivitet-{activity.pk}-quantity")
    hint = by_id(page, f"id_aktivitet-{activity.pk}-quantity-hint")
    assert quantity.get("aria-describedby") == hint.get("id")
    assert "Inget antal" in text_of(hint)
    # The finding is also beside the promised amount as it reads, with a way straight to the field.
    facts = text_of(by_id(page, f"aktivitet-{activity.pk}"))
    assert "Vad som lovas – Anmärkning: Inget antal" in facts
    assert (
        page.find(
            f".//a[@href='{url(town_draft)}?andra=aktivitet-{activity.pk}#id_aktivitet-{activity.pk}-quantity']"
        )
        is not None
    )
    # An activity without findings has none beside its fields.
    counted = Activity.objects.get(focus_area__promise=town_draft, quantity=4)
    page = parse(login(town_coordinator).get(url(town_draft) + f"?andra=aktivitet-{counted.pk}").content)
    assert page.find(f".//*[@id='id_aktivitet-{counted.pk}-quantity']") is not None
    assert page.find(f".//*[@id='id_aktivitet-{counted.pk}-quantity-hint']") is None


def test_only_the_open_panels_form_is_drawn_and_each_closed_one_links_to_the_page_that_draws_it(
    login, town_coordinator, town_draft
) -> None:
    client: Client = login(town_coordinator)
    activities = list(Activity.objects.filter(focus_area__promise=town_draft))
    areas = list(FocusArea.objects.filter(promise=town_draft))

    closed = parse(client.get(url(town_draft)).content)

    assert closed.find(f".//*[@id='id_aktivitet-{activities[0].pk}-text']") is None
    keys = [f"aktivitet-{a.pk}" for a in activities]
    keys += [f"fokusomrade-{a.pk}" for a in areas] + [f"ny-aktivitet-{a.pk}" for a in areas]
    for key in keys:
        holder = closed.find(f".//p[@data-form='formular-{key}']")
        assert holder is not None, key
        anchor = holder.find("a")
        assert anchor is not None, key
        link = anchor.get("href", "")
        assert link.startswith(url(town_draft) + f"?andra={key}#"), link
        # The page the link opens has that panel open with its form, under the id editor.js looks for.
        opened = parse(client.get(link.split("#")[0]).content)
        form = by_id(opened, f"formular-{key}")
        assert form.tag == "form" and form.find(".//button[@type='submit']") is not None
        assert by_id(opened, link.split("#")[1]).get("open") is not None
        assert opened.find(f".//p[@data-form='formular-{key}']") is None
        assert len(opened.findall(".//p[@data-form]")) == len(keys) - 1


def test_after_a_failed_save_the_links_that_open_a_form_still_lead_to_the_promise_page(
    login, town_coordinator, town_draft
) -> None:
    # The page with the errors is answered at the form's own address; a link relative to it would lead there.
    activity = patrol(town_draft)
    client: Client = login(town_coordinator)

    response = client.post(url(town_draft, f"aktiviteter/{activity.pk}/"), activity_form(activity, text=""))

    assert response.status_code == 400
    page = parse(response.content)
    links = [a.get("href", "") for a in page.iter("a") if "andra=" in a.get("href", "")]
    assert links and all(link.startswith(url(town_draft) + "?andra=") for link in links)
    assert by_id(page, f"id_aktivitet-{activity.pk}-text") is not None  # the failed form is drawn, open


def test_a_link_from_a_finding_opens_the_activitys_form_in_place_without_javascript(
    login, town_coordinator, town_draft
) -> None:
    activity = patrol(town_draft)
    client: Client = login(town_coordinator)

    closed = parse(client.get(url(town_draft)).content)
    opened = parse(client.get(url(town_draft) + f"?andra=aktivitet-{activity.pk}").content)

    assert by_id(closed, f"aktivitet-{activity.pk}-andra").get("open") is None
    assert by_id(opened, f"aktivitet-{activity.pk}-andra").get("open") is not None
    # The form is in the page as served: no script is needed to see or send it. The page's scripts are the
    # session warning and editor.js, which only fetches a closed panel's form from the page its link opens.
    assert by_id(opened, f"id_aktivitet-{activity.pk}-quantity").tag == "input"
    sources = [script.get("src", "") for script in opened.iter("script") if script.get("src")]
    assert sources and all("session" in source or source.endswith("promises/editor.js") for source in sources)


@time_machine.travel(NOW, tick=False)
def test_fixing_a_finding_in_place_saves_the_field_and_the_finding_goes(
    login, town_coordinator, town_draft
) -> None:
    activity = patrol(town_draft)
    client: Client = login(town_coordinator)

    response = client.post(
        url(town_draft, f"aktiviteter/{activity.pk}/"),
        activity_form(activity, quantity=10, unit="pass", per="month"),
    )

    assert response.status_code == 302
    assert response["Location"] == url(town_draft) + f"#aktivitet-{activity.pk}"
    activity.refresh_from_db()
    assert (activity.quantity, activity.unit, activity.per) == (10, "pass", "month")
    page = parse(client.get(url(town_draft)).content)
    assert "Inget antal" not in text_of(by_id(page, f"aktivitet-{activity.pk}"))
    assert AuditEntry.objects.filter(
        model="promises.activity", object_id=str(activity.pk), action="update"
    ).exists()


def test_every_structured_field_of_an_activity_is_editable(login, town, town_coordinator, town_draft) -> None:
    activity = patrol(town_draft)
    trafik = FocusArea.objects.get(promise=town_draft, slug="trafik")
    centrum = Area.objects.get(municipality=town)

    response = login(town_coordinator).post(
        url(town_draft, f"aktiviteter/{activity.pk}/"),
        activity_form(
            activity,
            focus_area=trafik.pk,
            text="Polisen fotpatrullerar i centrum minst 2 pass i veckan.",
            responsible_parties=[police(town).pk],
            partners=[kommun(town).pk],
            other_partners="föreningar, civilsamhället",
            quantity=2,
            quantity_max=3,
            at_least="on",
            unit="pass",
            per="week",
            target_group="besökare i centrum",
            place="Storgatan",
            area=centrum.pk,
            start_date="2027-02-01",
            end_date="2027-11-30",
        ),
    )

    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.focus_area == trafik
    assert list(activity.partners.all()) == [kommun(town)]
    assert (activity.other_partners, activity.quantity, activity.quantity_max, activity.at_least) == (
        "föreningar, civilsamhället",
        2,
        3,
        True,
    )
    assert (activity.unit, activity.per, activity.target_group, activity.place, activity.area) == (
        "pass",
        "week",
        "besökare i centrum",
        "Storgatan",
        centrum,
    )
    assert (activity.start_date, activity.end_date) == (dt.date(2027, 2, 1), dt.date(2027, 11, 30))


def test_bad_input_comes_back_with_the_error_summary_the_form_open_and_nothing_typed_lost(
    login, town_coordinator, town_draft
) -> None:
    activity = patrol(town_draft)

    response = login(town_coordinator).post(
        url(town_draft, f"aktiviteter/{activity.pk}/"),
        activity_form(
            activity, text="Polisen patrullerar, rättat av mig.", quantity=5, quantity_max=2, per="year"
        ),
    )

    assert response.status_code == 400
    page = parse(response.content)
    summary = page.find(".//*[@class='error-summary']")
    assert summary is not None
    assert "”Högst” kan inte vara mindre än antalet." in text_of(summary)
    assert summary.find(f".//a[@href='#id_aktivitet-{activity.pk}-quantity_max']") is not None
    assert by_id(page, f"aktivitet-{activity.pk}-andra").get("open") is not None
    assert text_of(by_id(page, f"id_aktivitet-{activity.pk}-text")) == "Polisen patrullerar, rättat av mig."
    assert patrol(town_draft).quantity is None


def test_the_promises_title_period_introduction_and_background_are_edited(
    login, town_coordinator, town_draft
) -> None:
    response = login(town_coordinator).post(
        url(town_draft, "uppgifter/"),
        {
            "uppgifter-title": "Medborgarlöfte 2027 i Granby",
            "uppgifter-slug": "2027",
            "uppgifter-valid_from": "2027-01-01",
            "uppgifter-valid_until": "2028-06-30",
            "uppgifter-introduction": "Kommunen och polisen lovar.",
            "uppgifter-background": "Samarbetet började 2010.",
            "uppgifter-source_note": "",
        },
    )

    assert response.status_code == 302
    town_draft.refresh_from_db()
    assert (town_draft.title, town_draft.valid_until, town_draft.introduction, town_draft.background) == (
        "Medborgarlöfte 2027 i Granby",
        dt.date(2028, 6, 30),
        "Kommunen och polisen lovar.",
        "Samarbetet började 2010.",
    )


def test_a_signatory_is_added_edited_and_removed_on_the_page(
    login, town, town_coordinator, town_draft
) -> None:
    client: Client = login(town_coordinator)

    added = client.post(
        url(town_draft, "undertecknare/"),
        {
            "ny-undertecknare-name": "Eva Ek",
            "ny-undertecknare-role": "kommunstyrelsens ordförande",
            "ny-undertecknare-party": kommun(town).pk,
            "ny-undertecknare-signed_on": "2027-01-09",
        },
    )
    signatory = Signatory.objects.get(promise=town_draft)
    edited = client.post(
        url(town_draft, f"undertecknare/{signatory.pk}/"),
        {
            f"undertecknare-{signatory.pk}-name": "Eva Ek",
            f"undertecknare-{signatory.pk}-role": "kommunalråd",
            f"undertecknare-{signatory.pk}-party": kommun(town).pk,
            f"undertecknare-{signatory.pk}-signed_on": "2027-01-10",
        },
    )
    signatory.refresh_from_db()
    shown = client.get(url(town_draft)).content.decode()
    removed = client.post(url(town_draft, f"undertecknare/{signatory.pk}/ta-bort/"), {})

    assert (added.status_code, edited.status_code, removed.status_code) == (302, 302, 302)
    assert (signatory.role, signatory.signed_on) == ("kommunalråd", dt.date(2027, 1, 10))
    assert "<strong>Eva Ek</strong>, kommunalråd (Granby kommun)" in shown
    assert not Signatory.objects.exists()


def test_focus_areas_are_added_linked_to_the_problem_list_moved_and_removed(
    login, town_coordinator, town_draft
) -> None:
    problem = Problem.objects.create(slug="skadegorelse-test", name="Skadegörelse (test)")
    client: Client = login(town_coordinator)

    client.post(
        url(town_draft, "fokusomraden/"),
        {
            "nytt-fokusomrade-title": "Skadegörelse",
            "nytt-fokusomrade-description": "Skadegörelsen ökar.",
            "nytt-fokusomrade-problems": [problem.pk],
            "nytt-fokusomrade-evidence_note": "Trygghetsmätningen 2026: var femte ser skadegörelse som ett problem.",
        },
    )
    added = FocusArea.objects.get(promise=town_draft, title="Skadegörelse")
    linked = list(added.problems.all())
    client.post(url(town_draft, f"fokusomraden/{added.pk}/flytta/"), {"riktning": "upp"})
    order = list(
        FocusArea.objects.filter(promise=town_draft).order_by("order").values_list("title", flat=True)
    )
    removed = client.post(url(town_draft, f"fokusomraden/{added.pk}/ta-bort/"), {})

    assert linked == [problem]
    assert added.evidence_note.startswith("Trygghetsmätningen 2026")
    assert order == ["Klotter", "Skadegörelse", "Trafik"]
    assert removed.status_code == 302
    assert not FocusArea.objects.filter(pk=added.pk).exists()


def test_activities_are_added_reordered_and_removed(login, town, town_coordinator, town_draft) -> None:
    klotter = FocusArea.objects.get(promise=town_draft, slug="klotter")
    client: Client = login(town_coordinator)

    response = client.post(
        url(town_draft, f"fokusomraden/{klotter.pk}/aktiviteter/"),
        {
            f"ny-aktivitet-{klotter.pk}-focus_area": klotter.pk,
            f"ny-aktivitet-{klotter.pk}-text": "Kommunen sanerar klotter inom 48 timmar.",
            f"ny-aktivitet-{klotter.pk}-responsible_parties": [kommun(town).pk],
            f"ny-aktivitet-{klotter.pk}-per": "",
        },
    )
    added = Activity.objects.get(focus_area=klotter, text__startswith="Kommunen sanerar")
    client.post(url(town_draft, f"aktiviteter/{added.pk}/flytta/"), {"riktning": "upp"})
    order = list(klotter.activities.order_by("order").values_list("text", flat=True))
    client.post(url(town_draft, f"aktiviteter/{added.pk}/ta-bort/"), {})

    assert response["Location"] == url(town_draft) + f"#aktivitet-{added.pk}"
    assert [text[:16] for text in order] == ["Kommunen genomfö", "Kommunen sanerar", "Polisen ska fotp"]
    assert not Activity.objects.filter(pk=added.pk).exists()


def test_planned_dates_are_added_and_removed_from_the_editor(login, town_coordinator, town_draft) -> None:
    activity = patrol(town_draft)
    client: Client = login(town_coordinator)

    client.post(
        url(town_draft, f"aktiviteter/{activity.pk}/planerat/"), {f"plan-{activity.pk}-date": "2027-05-04"}
    )
    planned = PlannedDate.objects.get(activity=activity)
    shown = client.get(url(town_draft)).content.decode()
    client.post(url(town_draft, f"aktiviteter/{activity.pk}/planerat/{planned.pk}/ta-bort/"), {})

    assert planned.date == dt.date(2027, 5, 4)
    assert "4 maj 2027" in shown
    assert not PlannedDate.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_change_to_a_published_promise_needs_a_reason_and_shows_on_the_public_page(
    client, login, town_coordinator, town_published
) -> None:
    activity = patrol(town_published)
    staff: Client = login(town_coordinator)

    refused = staff.post(
        url(town_published, f"aktiviteter/{activity.pk}/"), activity_form(activity, quantity=10, per="year")
    )
    accepted = staff.post(
        url(town_published, f"aktiviteter/{activity.pk}/"),
        {
            **activity_form(activity, quantity=10, per="year", unit="pass"),
            f"aktivitet-{activity.pk}-reason": "Antalet föll bort när löftet skrevs in.",
        },
    )
    client.logout()
    public = client.get("/granby/2027/").content.decode()

    assert refused.status_code == 400
    assert "Skriv varför det ändras" in refused.content.decode()
    assert accepted.status_code == 302
    assert Correction.objects.count() == 1
    assert "Ändrad 2 mars 2027:" in public
    assert "Aktiviteten ”Polisen ska fotpatrullera i centrum.”: antal – → 10" in public
    assert "Antalet föll bort när löftet skrevs in." in public


def test_the_editor_offers_no_reordering_on_a_published_promise(
    login, town_coordinator, town_published
) -> None:
    page = login(town_coordinator).get(url(town_published)).content.decode()

    assert "Flytta upp" not in page
    assert "Varför ändras löftet?" in page


@pytest.mark.parametrize("user", ["town_crew", "town_officer"])
def test_other_staff_of_the_municipality_read_the_page_and_get_403_on_every_change(
    request, login, user, town, town_draft
) -> None:
    client: Client = login(request.getfixturevalue(user))
    activity = patrol(town_draft)
    klotter = activity.focus_area

    page = client.get(url(town_draft))
    posts = [
        url(town_draft, "uppgifter/"),
        url(town_draft, "undertecknare/"),
        url(town_draft, "fokusomraden/"),
        url(town_draft, f"fokusomraden/{klotter.pk}/"),
        url(town_draft, f"fokusomraden/{klotter.pk}/ta-bort/"),
        url(town_draft, f"fokusomraden/{klotter.pk}/flytta/"),
        url(town_draft, f"fokusomraden/{klotter.pk}/aktiviteter/"),
        url(town_draft, f"aktiviteter/{activity.pk}/"),
        url(town_draft, f"aktiviteter/{activity.pk}/ta-bort/"),
        url(town_draft, f"aktiviteter/{activity.pk}/flytta/"),
        url(town_draft, f"aktiviteter/{activity.pk}/planerat/"),
        url(town_draft, "publicera/"),
    ]

    assert page.status_code == 200
    assert "Ändra aktiviteten" not in page.content.decode()
    for address in posts:
        assert (
            client.post(address, {"riktning": "upp", **activity_form(activity, text="X")}).status_code == 403
        )
    assert client.get(url(town_draft, "nasta-ar/")).status_code == 403
    assert patrol(town_draft).text == "Polisen ska fotpatrullera i centrum."
    assert not AuditEntry.objects.exists()


def test_staff_of_another_municipality_get_404_on_every_page_and_change(login, stranger, town_draft) -> None:
    client: Client = login(stranger)
    activity = patrol(town_draft)

    assert client.get(url(town_draft)).status_code == 404
    assert client.get(url(town_draft, "nasta-ar/")).status_code == 404
    for tail in [
        "uppgifter/",
        "undertecknare/",
        f"aktiviteter/{activity.pk}/",
        f"aktiviteter/{activity.pk}/ta-bort/",
    ]:
        assert client.post(url(town_draft, tail), activity_form(activity, text="X")).status_code == 404
    assert patrol(town_draft).text == "Polisen ska fotpatrullera i centrum."


def test_an_activity_of_another_promise_is_not_found_through_this_one(
    login, town, town_coordinator, town_draft
) -> None:
    other = Promise.objects.create(
        municipality=town,
        slug="2028",
        title="2028",
        valid_from=dt.date(2028, 1, 1),
        valid_until=dt.date(2028, 12, 31),
    )
    foreign = ActivityFactory.create(focus_area=FocusArea.objects.create(promise=other, title="X", slug="x"))

    response = login(town_coordinator).post(
        url(town_draft, f"aktiviteter/{foreign.pk}/"), activity_form(foreign)
    )

    assert response.status_code == 404


def test_the_editors_query_count_does_not_grow_with_its_activities(
    login, town, town_coordinator, town_draft, django_assert_max_num_queries
) -> None:
    client: Client = login(town_coordinator)
    client.get(url(town_draft))  # the session and the first-request work, not counted
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Also with an activity's form open (the page the closed panels' links and editor.js ask for).
    opened = f"{url(town_draft)}?andra=aktivitet-{patrol(town_draft).pk}"
    with CaptureQueriesContext(connection) as small:
        client.get(url(town_draft))
    with CaptureQueriesContext(connection) as small_opened:
        client.get(opened)
    trafik = FocusArea.objects.get(promise=town_draft, slug="trafik")
    for number in range(12):
        ActivityFactory.create(
            focus_area=trafik, text=f"Polisen gör {number} kontroller.", responsible_parties=[police(town)]
        )
    FocusArea.objects.create(promise=town_draft, title="Fler", slug="fler", order=3)

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url(town_draft))
    with django_assert_max_num_queries(len(small_opened.captured_queries)):
        response_opened = client.get(opened)

    assert response.status_code == 200 and response_opened.status_code == 200
    assert f'id="formular-aktivitet-{patrol(town_draft).pk}"' in response_opened.content.decode()


def test_a_new_empty_promise_is_created_as_a_draft(login, town, town_coordinator) -> None:
    response = login(town_coordinator).post(
        "/personal/lofte/nytt/",
        {
            "municipality": town.pk,
            "title": "Medborgarlöfte 2028",
            "slug": "2028",
            "valid_from": "2028-01-01",
            "valid_until": "2028-12-31",
        },
    )

    promise = Promise.objects.get(municipality=town, slug="2028")
    assert response["Location"] == url(promise)
    assert promise.status == Promise.Status.DRAFT


def test_the_original_documents_address_is_kept_and_a_broken_one_refused_in_swedish_with_the_text_kept(
    login, town_coordinator, town_draft
) -> None:
    client: Client = login(town_coordinator)
    fields = {
        "uppgifter-title": town_draft.title,
        "uppgifter-slug": town_draft.slug,
        "uppgifter-valid_from": town_draft.valid_from.isoformat(),
        "uppgifter-valid_until": town_draft.valid_until.isoformat(),
        "uppgifter-introduction": "",
        "uppgifter-background": "",
        "uppgifter-source_note": "",
    }

    refused = client.post(
        url(town_draft, "uppgifter/"), {**fields, "uppgifter-source_url": "granby se/lofte"}
    )
    town_draft.refresh_from_db()
    assert town_draft.source_url == ""
    assert "Skriv en hel webbadress" in refused.content.decode()
    assert 'value="granby se/lofte"' in refused.content.decode()

    kept = client.post(
        url(town_draft, "uppgifter/"), {**fields, "uppgifter-source_url": "https://granby.se/medborgarlofte/"}
    )
    town_draft.refresh_from_db()
    assert kept.status_code == 302
    assert town_draft.source_url == "https://granby.se/medborgarlofte/"
