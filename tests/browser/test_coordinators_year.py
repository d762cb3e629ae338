"""The coordinator's year in Trygg's own staff pages, never an /admin/ address: import the promise, fix findings in
place, add a signatory, publish, record what was done as each party, read the report card, make next year's draft
with one activity dropped and one added, and compare the two years."""

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import axe_violations, staff_login
from trygg.followup.models import Execution
from trygg.promises.models import Activity, Correction, Promise

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED = Path(__file__).resolve().parents[2].parent / "shared" / "seeds" / "000_c1297d98e49f98ef.txt"


@pytest.fixture
def ljungby_without_its_promise(live_server: Any) -> Any:
    """The demo municipality, its parties and staff, before its 2023 promise is in Trygg."""
    from trygg.demo.services import demo_load

    if not SEED.exists():
        pytest.skip(f"the shared seed folder is absent ({SEED.parent})")
    municipality = demo_load().municipality
    Promise.objects.filter(municipality=municipality).delete()
    return live_server


def activity_block(page: Any, text: str) -> Any:
    return page.locator("article.editor-activity", has_text=text)


def test_the_coordinators_year_with_no_admin_address(ljungby_without_its_promise, browser, page, axe) -> None:
    base = ljungby_without_its_promise.url
    visited: list[str] = []
    # The clock runs free: the browser keeps the session cookie only if the server's dates are today's. Every date
    # the test types is in 2023, so the outcome is the same on any day after that year.
    page.on("framenavigated", lambda frame: visited.append(frame.url))

    # Import the promise text from the dashboard's link.
    staff_login(page, base, "samordnare")
    page.get_by_role("link", name="Läs in ett medborgarlöfte från en fil eller text").click()
    page.fill("#id_text", SEED.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Läs in och granska").click()
    assert "I arbetet för en trygg kommun" in page.locator("#id_introduction").input_value()
    assert page.locator("#id_signatory-0-name").input_value() == "Magnus Gunnarsson"
    assert "”civilsamhället” i texten är ingen part" in page.content()
    assert axe_violations(axe, page) == []
    page.get_by_role("button", name="Spara som utkast").click()
    page.wait_for_url("**/personal/lofte/*/")
    promise = Promise.objects.get(slug="2023")
    assert Activity.objects.filter(focus_area__promise=promise).count() == 19
    assert axe_violations(axe, page) == []

    # Fix two findings in place: an amount through the finding's own link, a responsible party in the folded form.
    patrol = activity_block(page, "Polisen ska fotpatrullera på handelsplatsen.")
    patrol.get_by_role("link", name="Rätta").first.click()
    patrol = activity_block(page, "Polisen ska fotpatrullera på handelsplatsen.")
    patrol.locator("[name$='-quantity']").fill("10")
    patrol.locator("[name$='-unit']").fill("pass")
    patrol.locator("[name$='-per']").select_option("month")
    patrol.get_by_role("button", name="Spara aktiviteten").click()
    patrol = activity_block(page, "Polisen ska fotpatrullera på handelsplatsen.")
    assert "10 pass per månad" in patrol.inner_text()
    assert "Inget antal" not in patrol.inner_text()

    reporting = activity_block(page, "All skadegörelse ska polisanmälas och rapporteras")
    assert "Ingen ansvarig" in reporting.inner_text()
    reporting.locator("summary", has_text="Ändra aktiviteten").click()
    reporting.get_by_role("group", name="Ansvariga parter").get_by_label("Ljungby kommun").check()
    reporting.get_by_role("button", name="Spara aktiviteten").click()
    reporting = activity_block(page, "All skadegörelse ska polisanmälas och rapporteras")
    assert "Ingen ansvarig" not in reporting.inner_text()

    # Add a signatory.
    page.locator("summary", has_text="Lägg till en undertecknare").click()
    page.fill("#id_ny-undertecknare-name", "Anna Andersson")
    page.fill("#id_ny-undertecknare-role", "kommundirektör")
    page.select_option("#id_ny-undertecknare-party", label="Ljungby kommun")
    page.fill("#id_ny-undertecknare-signed_on", "2023-01-20")
    page.get_by_role("button", name="Lägg till undertecknaren").click()
    assert "Anna Andersson" in page.locator("#undertecknare").inner_text()

    # Publish, confirming the findings that remain.
    page.get_by_label("Jag har läst anmärkningarna och vill publicera löftet ändå.").check()
    page.get_by_role("button", name="Publicera löftet").click()
    page.wait_for_url(f"{base}/ljungby/2023/")
    public = page.locator("main").inner_text()
    assert "Magnus Gunnarsson" in public and "Anna Andersson" in public
    assert "I Ljungby kommun har vi sedan 2005" in public
    promise.refresh_from_db()
    assert promise.status == Promise.Status.PUBLISHED

    # Record what was done: the coordinator for the kommun, the police officer for the police.
    page.goto(f"{base}/personal/lofte/{promise.pk}/")
    activity_block(page, "4 mätningar av förekomst av droger i avloppsvattnet").get_by_role(
        "link", name="Uppföljning"
    ).click()
    page.fill("#id_done_on", "2023-03-14")
    page.fill("#id_description", "Prov taget vid reningsverket.")
    page.get_by_role("button", name="Registrera").click()
    assert "Prov taget vid reningsverket." in page.locator("main").inner_text()

    police_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    police_page = police_context.new_page()
    police_page.on("framenavigated", lambda frame: visited.append(frame.url))
    staff_login(police_page, base, "kommunpolis")
    police_page.get_by_role("link", name=promise.title).click()
    assert (
        "Ändra aktiviteten" not in police_page.content()
    )  # the police read the promise, the kommun edits it
    activity_block(police_page, "Polisen ska fotpatrullera på handelsplatsen.").get_by_role(
        "link", name="Uppföljning"
    ).click()
    police_page.fill("#id_done_on", "2023-04-02")
    police_page.fill("#id_description", "Fotpatrull vid Ljungbyporten.")
    police_page.get_by_role("button", name="Registrera").click()
    assert "Fotpatrull vid Ljungbyporten." in police_page.locator("main").inner_text()
    police_context.close()
    assert Execution.objects.filter(activity__focus_area__promise=promise).count() == 2

    # The report card shows both.
    page.goto(f"{base}/ljungby/2023/")
    page.get_by_role("link", name="Uppföljningsrapport").click()
    report = page.locator("main").inner_text()
    assert "1 av 4" in report or "1 av 4 mätningar" in report
    assert "Polisen ska fotpatrullera på handelsplatsen." in report

    # Next year's draft: every activity carried but the cameras, and one new activity.
    page.goto(f"{base}/personal/lofte/{promise.pk}/")
    page.get_by_role("link", name="Skapa nästa års löfte").click()
    page.get_by_role("link", name="Markera alla aktiviteter som ”Ta med”").click()
    page.get_by_role("group", name="Ljungby kommun ska införa kameraövervakning på skolor").get_by_label(
        "Ta inte med"
    ).check()
    assert axe_violations(axe, page) == []
    page.get_by_role("button", name="Skapa utkastet").click()
    page.wait_for_url("**/personal/lofte/*/")
    draft = Promise.objects.get(slug="2024")
    assert (draft.status, draft.previous) == (Promise.Status.DRAFT, promise)
    area = page.locator(
        "section.editor-area", has=page.get_by_role("heading", name="Klotter och skadegörelse", exact=True)
    )
    area.locator("summary", has_text="Lägg till en aktivitet").click()
    area.locator("[name$='-text']").last.fill(
        "Ljungby kommun ser över de förebyggande åtgärderna mot klotter."
    )
    area.locator("fieldset", has_text="Ansvariga parter").last.get_by_label("Ljungby kommun").check()
    area.get_by_role("button", name="Lägg till aktiviteten").click()
    assert Activity.objects.filter(focus_area__promise=draft).count() == 19

    # Compare the two years from next year's draft.
    page.get_by_role("link", name=f"Jämför med {promise.title}").click()
    table = page.locator("table.compare")
    assert "Ny" in table.locator("tr", has_text="ser över de förebyggande åtgärderna").inner_text()
    assert "Togs inte med" in table.locator("tr", has_text="kameraövervakning på skolor").inner_text()
    assert "Förd vidare" in table.locator("tr", has_text="4 mätningar av förekomst av droger").inner_text()
    assert axe_violations(axe, page) == []

    assert not Correction.objects.exists()
    assert visited and not [url for url in visited if "/admin/" in url]


def test_a_rattelse_of_the_published_promise_asks_why_and_shows_on_the_public_page(
    live_server, page, axe
) -> None:
    from trygg.demo.services import demo_load

    demo_load()
    base = live_server.url
    promise = Promise.objects.get(slug="2023")
    staff_login(page, base, "samordnare")
    page.goto(f"{base}/personal/lofte/{promise.pk}/")

    patrol = activity_block(page, "patrullerar till fots")
    patrol.locator("summary", has_text="Ändra aktiviteten").click()
    patrol.locator("[name$='-quantity']").fill("12")
    patrol.locator("[name$='-per']").select_option("year")
    patrol.get_by_role("button", name="Spara aktiviteten").click()

    summary = page.locator(".error-summary")
    assert "Skriv varför det ändras" in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert axe_violations(axe, page) == []
    summary.get_by_role("link").first.click()
    page.keyboard.type("Antalet pass föll bort när löftet skrevs in.")
    patrol = activity_block(page, "patrullerar till fots")
    assert patrol.locator("[name$='-quantity']").input_value() == "12"  # nothing typed was lost
    patrol.get_by_role("button", name="Spara aktiviteten").click()
    page.goto(f"{base}/ljungby/2023/")

    corrections = page.locator(".corrections").inner_text()
    assert "Ändrad" in corrections and "antal – → 12" in corrections
    assert "Antalet pass föll bort när löftet skrevs in." in corrections
    assert axe_violations(axe, page) == []
    assert Correction.objects.get().reason == "Antalet pass föll bort när löftet skrevs in."
