import re
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import html5lib
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.municipalities.models import Municipality, Party
from trygg.promises import importing
from trygg.promises.models import Activity, Promise

pytestmark = pytest.mark.django_db

URL = "/personal/lofte/importera/"
SAVE_URL = "/personal/lofte/importera/spara/"
SEEDS = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"
SEED = SEEDS / "000_c1297d98e49f98ef.txt"
PASTED = """Medborgarlöfte 2024 för Ljungby kommun

# Trygg skolväg

Många elever känner sig otrygga på väg till skolan.

- Ljungby kommun ska genomföra 3 trygghetsvandringar under året.
- Polisen ska arbeta för ökad närvaro vid skolorna.

# Klotter

- Ljungby kommun ska sanera klotter inom 48 timmar.
"""


def parse_html(content: bytes) -> Element:
    # html5lib in strict mode raises on any parse error: the page is well-formed HTML5.
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(content)


def form_data(content: bytes) -> dict[str, Any]:
    """What a browser would send from the review form, unchanged."""
    form = next(f for f in parse_html(content).iter("form") if f.get("action", "").endswith("/spara/"))
    data: dict[str, Any] = {}
    for element in form.iter():
        name = element.get("name")
        if not name:
            continue
        if element.tag == "input" and element.get("type") == "checkbox":
            if element.get("checked") is not None:
                value = element.get("value", "on")
                # A group of checkboxes sends one value per ticked box, as a browser does.
                data[name] = [*data[name], value] if isinstance(data.get(name), list) else [value]
        elif element.tag == "input":
            data[name] = element.get("value", "")
        elif element.tag == "textarea":
            data[name] = (element.text or "").removeprefix("\n")
        elif element.tag == "select":
            options = element.findall("option")
            chosen = [option for option in options if option.get("selected") is not None] or options[:1]
            data[name] = chosen[0].get("value", "") if chosen else ""
    return data


def activity_index(data: dict[str, Any], start: str) -> int:
    [index] = [
        int(key.split("-")[1])
        for key, value in data.items()
        if key.startswith("activity-") and key.endswith("-text") and value.startswith(start)
    ]
    return index


@pytest.fixture
def seed_bytes() -> bytes:
    if not SEED.exists():
        pytest.skip(f"the shared seed folder is absent ({SEEDS})")
    return SEED.read_bytes()


def upload(client: Client, municipality: Municipality, name: str, content: bytes) -> Any:
    return client.post(
        URL, {"municipality": municipality.pk, "file": SimpleUploadedFile(name, content), "text": ""}
    )


def test_a_coordinator_sees_the_import_page_with_only_their_municipalities(
    login, coordinator: User, outsider: User
) -> None:
    response = login(coordinator).get(URL)

    assert response.status_code == 200
    parse_html(response.content)
    page = response.content.decode()
    assert "Ljungby kommun" in page
    assert "Annanstad kommun" not in page


def test_uploading_the_seed_shows_the_parsed_draft_beside_the_source_text(
    login, coordinator: User, home_municipality: Municipality, seed_bytes: bytes
) -> None:
    kommun = Party.objects.get(municipality=home_municipality, kind=Party.Kind.MUNICIPALITY)
    police = Party.objects.get(kind=Party.Kind.POLICE, police_area__municipalities=home_municipality)

    response = upload(login(coordinator), home_municipality, "ljungby.txt", seed_bytes)

    assert response.status_code == 200
    parse_html(response.content)
    page = response.content.decode()
    assert page.count('class="import-activity"') == 19
    assert "Förekomst av narkotika" in page
    assert "Inget antal: det går inte att följa upp hur mycket som ska göras." in page
    assert "Ingen ansvarig: aktiviteten säger inte vem som ska göra den." in page
    assert 'name="source_text"' in page and "Kommentera" in page  # the whole source text comes along
    data = form_data(response.content)
    assert data["slug"] == "2023"
    assert data["valid_from"] == "2023-01-01"
    landlords = activity_index(data, "Ljungby kommun och Polisen bjuder in hyresvärdar")
    assert data[f"activity-{landlords}-parties"] == [str(kommun.pk), str(police.pk)]
    assert data[f"activity-{landlords}-per"] == "year"


def test_the_reviewed_and_edited_draft_is_saved_and_opens_the_staff_promise_page(
    login, coordinator: User, home_municipality: Municipality, seed_bytes: bytes
) -> None:
    client: Client = login(coordinator)
    data = form_data(upload(client, home_municipality, "ljungby.txt", seed_bytes).content)
    data["slug"] = "2023-granskat"
    patrol = activity_index(data, "Polisen ska fotpatrullera")
    data[f"activity-{patrol}-quantity"] = "10"
    data[f"activity-{patrol}-unit"] = "pass"
    data[f"activity-{patrol}-per"] = "month"
    vandalism = activity_index(data, "All skadegörelse ska polisanmälas")
    data[f"activity-{vandalism}-parties"] = [
        str(Party.objects.get(municipality=home_municipality, kind=Party.Kind.MUNICIPALITY).pk)
    ]
    data["activity-0-DELETE"] = "on"

    response = client.post(SAVE_URL, data)

    promise = Promise.objects.get(municipality=home_municipality, slug="2023-granskat")
    assert response.status_code == 302
    assert response["Location"] == f"/personal/lofte/{promise.pk}/"
    assert promise.status == Promise.Status.DRAFT
    assert promise.focus_areas.count() == 7
    assert Activity.objects.filter(focus_area__promise=promise).count() == 18
    patrol_activity = Activity.objects.get(
        focus_area__promise=promise, text__startswith="Polisen ska fotpatrullera"
    )
    assert (patrol_activity.quantity, patrol_activity.unit, patrol_activity.per) == (10, "pass", "month")
    vandalism_activity = Activity.objects.get(
        focus_area__promise=promise, text__startswith="All skadegörelse"
    )
    assert [party.name for party in vandalism_activity.responsible_parties.all()] == ["Ljungby kommun"]
    entry = AuditEntry.objects.get(model="promises.promise", object_id=str(promise.pk))
    assert entry.actor == coordinator
    assert entry.reason == "Importerad från fil ljungby.txt"
    assert client.get(response["Location"]).status_code == 200


def test_the_review_pages_query_count_does_not_grow_with_its_activities(
    login,
    coordinator: User,
    home_municipality: Municipality,
    seed_bytes: bytes,
    django_assert_max_num_queries,
) -> None:
    client: Client = login(coordinator)
    with CaptureQueriesContext(connection) as small:
        client.post(URL, {"municipality": home_municipality.pk, "text": PASTED})

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = upload(client, home_municipality, "ljungby.txt", seed_bytes)

    assert response.status_code == 200


def test_pasted_text_is_previewed_and_saved(
    login, coordinator: User, home_municipality: Municipality
) -> None:
    client: Client = login(coordinator)

    preview = client.post(URL, {"municipality": home_municipality.pk, "text": PASTED})

    assert preview.status_code == 200
    parse_html(preview.content)
    page = preview.content.decode()
    assert page.count('class="import-activity"') == 3
    assert "Vag formulering" in page
    data = form_data(preview.content)
    assert data["slug"] == "2024"
    saved = client.post(SAVE_URL, data)
    assert saved.status_code == 302
    promise = Promise.objects.get(municipality=home_municipality, slug="2024")
    assert [area.title for area in promise.focus_areas.all()] == ["Trygg skolväg", "Klotter"]
    assert AuditEntry.objects.get(model="promises.promise", object_id=str(promise.pk)).reason == (
        "Importerad från inklistrad text"
    )


def test_a_police_page_names_its_kommun_by_its_title_and_only_another_kommun_is_noted(
    login, coordinator: User, home_municipality: Municipality
) -> None:
    client: Client = login(coordinator)
    kommun = Party.objects.get(municipality=home_municipality, kind=Party.Kind.MUNICIPALITY)
    promises = "\n\nLöften\n\n1. Att kommunen och polisen ska genomföra två trygghetsvandringar under 2025.\n"

    own = client.post(
        URL, {"municipality": home_municipality.pk, "text": "Ljungby – medborgarlöften" + promises}
    )
    other = client.post(
        URL, {"municipality": home_municipality.pk, "text": "Markaryd – medborgarlöften" + promises}
    )

    assert own.status_code == other.status_code == 200
    assert "Texten nämner" not in own.content.decode()
    data = form_data(own.content)
    assert data[f"activity-{activity_index(data, 'Att kommunen och polisen')}-parties"][0] == str(kommun.pk)
    assert "Texten nämner Markaryds kommun, men utkastet sparas för Ljungby kommun." in " ".join(
        other.content.decode().split()
    )


def test_text_without_activities_is_an_error_that_keeps_the_pasted_text(
    login, coordinator: User, home_municipality: Municipality
) -> None:
    pasted = "Välkommen till kommunens webbplats.\n\nHär finns nyheter om trygghet."

    response = login(coordinator).post(URL, {"municipality": home_municipality.pk, "text": pasted})

    assert response.status_code == 400
    parse_html(response.content)
    page = response.content.decode()
    assert "error-summary" in page
    assert "Inga aktiviteter hittades i texten" in page
    assert "Här finns nyheter om trygghet." in page
    assert not Promise.objects.filter(status=Promise.Status.DRAFT).exists()


def test_an_unreadable_file_is_an_error_on_the_form(
    login, coordinator: User, home_municipality: Municipality
) -> None:
    response = upload(login(coordinator), home_municipality, "lofte.pdf", b"not a pdf at all")

    assert response.status_code == 400
    assert "PDF-filen kunde inte läsas" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "english"),
    [
        ("lofte.pdf", b"not a pdf at all", "The PDF file could not be read ("),
        ("lofte.txt", b"\x00\x01binary", "The file looks binary, not like text."),
        ("lofte.docx", b"PK\x03\x04 and then nothing", "The Word file could not be read. Save it as .docx"),
    ],
)
def test_an_unreadable_file_is_explained_in_english_on_the_english_page(
    login, coordinator: User, home_municipality: Municipality, name: str, content: bytes, english: str
) -> None:
    response = login(coordinator).post(
        f"/en{URL}",
        {"municipality": home_municipality.pk, "file": SimpleUploadedFile(name, content), "text": ""},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert english in page
    assert "kunde inte läsas" not in page and "binär" not in page


def test_a_file_of_the_wrong_kind_or_too_large_is_refused(
    login, coordinator: User, home_municipality: Municipality, monkeypatch: pytest.MonkeyPatch
) -> None:
    client: Client = login(coordinator)

    wrong_kind = upload(client, home_municipality, "lofte.exe", b"MZ")
    monkeypatch.setattr(importing, "MAX_UPLOAD_BYTES", 10)
    too_large = upload(client, home_municipality, "lofte.txt", PASTED.encode())

    assert wrong_kind.status_code == 400
    assert "Filtypen .exe stöds inte" in wrong_kind.content.decode()
    assert too_large.status_code == 400
    assert "Filen är för stor" in too_large.content.decode()


def test_an_uploaded_file_without_activities_puts_its_text_in_the_text_box(
    login, coordinator: User, home_municipality: Municipality
) -> None:
    response = upload(login(coordinator), home_municipality, "nyhet.txt", b"En nyhet om trygghet i parken.")

    assert response.status_code == 400
    assert "En nyhet om trygghet i parken." in response.content.decode()


def test_invalid_edits_come_back_with_the_error_summary_and_the_edited_values(
    login, coordinator: User, home_municipality: Municipality
) -> None:
    client: Client = login(coordinator)
    data = form_data(client.post(URL, {"municipality": home_municipality.pk, "text": PASTED}).content)
    data["title"] = ""
    data["activity-0-text"] = "Ljungby kommun ska genomföra 5 trygghetsvandringar, rättat av mig."
    data["activity-0-quantity"] = "5"
    data["activity-0-quantity_max"] = "2"
    data["activity-1-quantity"] = "4"
    data["activity-1-per"] = ""

    response = client.post(SAVE_URL, data)

    assert response.status_code == 400
    parse_html(response.content)
    page = response.content.decode()
    assert "error-summary" in page
    assert "Rubrik: Detta fält måste fyllas i." in page or 'href="#id_title"' in page
    assert "”Högst” kan inte vara mindre än antalet." in page
    assert "Ange vad antalet räknas per" in page
    assert "rättat av mig." in page
    assert "Många elever känner sig otrygga" in page  # the source text is still there
    assert not Promise.objects.filter(status=Promise.Status.DRAFT).exists()


def test_saving_over_the_published_promise_is_refused_on_the_slug_field(
    login, coordinator: User, home_municipality: Municipality
) -> None:
    client: Client = login(coordinator)
    data = form_data(client.post(URL, {"municipality": home_municipality.pk, "text": PASTED}).content)
    data["slug"] = "2023"

    response = client.post(SAVE_URL, data)

    assert response.status_code == 400
    assert "skrivs aldrig över" in response.content.decode()
    assert Promise.objects.get(municipality=home_municipality, slug="2023").status == Promise.Status.PUBLISHED


def test_a_crew_member_gets_403_and_nothing_is_created(
    login, crew_member: User, home_municipality: Municipality
) -> None:
    client: Client = login(crew_member)
    promises_before = Promise.objects.count()

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"municipality": home_municipality.pk, "text": PASTED}).status_code == 403
    assert client.post(SAVE_URL, {"municipality": home_municipality.pk}).status_code == 403
    assert Promise.objects.count() == promises_before


def test_staff_of_another_municipality_get_404_for_its_import(
    login, coordinator: User, outsider: User, home_municipality: Municipality
) -> None:
    data = form_data(
        login(coordinator).post(URL, {"municipality": home_municipality.pk, "text": PASTED}).content
    )
    client: Client = login(outsider)
    promises_before = Promise.objects.count()

    assert client.post(URL, {"municipality": home_municipality.pk, "text": PASTED}).status_code == 404
    assert client.post(SAVE_URL, data).status_code == 404
    assert client.post(URL, {"municipality": "x", "text": PASTED}).status_code == 404
    assert Promise.objects.count() == promises_before


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    response = client.get(URL)

    assert response.status_code == 302
    assert "/login" in response["Location"] or "logga-in" in response["Location"]


def test_the_dashboard_links_to_the_import_page(login, coordinator: User) -> None:
    assert URL in login(coordinator).get("/personal/").content.decode()


def test_an_html_page_can_be_uploaded_too(login, coordinator: User, home_municipality: Municipality) -> None:
    page = (Path(__file__).resolve().parent / "corpus" / "06_tallmo_nested.html").read_bytes()

    response = upload(login(coordinator), home_municipality, "tallmo.html", page)

    assert response.status_code == 200
    assert 'class="import-activity"' in response.content.decode()
    assert "Texten nämner" in response.content.decode()  # the page is another kommun's promise


DOUBTFUL = """Medborgarlöfte 2024 för Ljungby kommun

Polisen och kommunen lovar att:
- genomföra 4 trygghetsvandringar under året
- Skyltar ska sättas upp vid skolorna.

Trafik

Polisen ska göra hastighetskontroller varje vecka. Kommunen ska bygga farthinder.
"""


def test_the_review_page_lists_the_least_certain_parts_first_with_links_to_them(
    login, coordinator: User, home_municipality: Municipality
) -> None:
    response = login(coordinator).post(URL, {"municipality": home_municipality.pk, "text": DOUBTFUL})

    assert response.status_code == 200
    page = parse_html(response.content)
    listing = next(
        section for section in page.iter("section") if section.get("class") == "import-doubtful-list"
    )
    links = [link for link in listing.iter("a")]
    assert links, "the doubtful parts are listed"
    confidences = [
        int(re.search(r"(\d+) %", "".join(item.itertext())).group(1))  # type: ignore[union-attr]
        for item in listing.iter("li")
    ]
    assert confidences == sorted(confidences)
    targets = {element.get("id"): element for element in page.iter() if element.get("id")}
    for link in links:
        target = targets[(link.get("href") or "").removeprefix("#")]
        assert target.get("data-confidence") == "low"
    # The prose sentences under "Trafik" and the area named after the document are the doubtful ones.
    texts = " ".join("".join(link.itertext()) for link in links)
    assert "Polisen ska göra hastighetskontroller varje vecka." in texts


def test_the_review_page_shows_the_source_line_beside_the_fields(
    login, coordinator: User, home_municipality: Municipality
) -> None:
    response = login(coordinator).post(URL, {"municipality": home_municipality.pk, "text": DOUBTFUL})

    page = response.content.decode()
    assert "Texten lästes på rad 4:" in page
    assert "Parterna lästes på rad 3:" in page
    assert "<q>Polisen och kommunen lovar att:</q>" in page
    assert "Perioden lästes på rad 1:" in page
    assert "Rubriken lästes på rad 7:" in page
    assert "Antal, enhet, period, målgrupp och plats lästes på rad 4." in page


def test_an_edited_activity_text_loses_its_reading_but_the_page_still_renders(
    login, coordinator: User, home_municipality: Municipality
) -> None:
    client: Client = login(coordinator)
    data = form_data(client.post(URL, {"municipality": home_municipality.pk, "text": DOUBTFUL}).content)
    data["activity-0-text"] = "Helt omskriven aktivitet"
    data["slug"] = ""  # an error brings the review page back

    response = client.post(SAVE_URL, data)

    assert response.status_code == 400
    parse_html(response.content)
    assert "Helt omskriven aktivitet" in response.content.decode()
    assert 'id="import-activity-1"' in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bomb.docx", "billion_laughs", "otillåten XML"),
        ("bomb.docx", "zip_bomb", "för stor uppackad"),
        ("trasig.docx", "truncated", "Word-filen kunde inte läsas"),
        ("trasig.html", "deep", "för många element"),
    ],
)
def test_a_hostile_or_broken_upload_is_a_form_error_and_never_a_server_error(
    login, coordinator: User, home_municipality: Municipality, name: str, content: str, message: str
) -> None:
    from trygg.promises.tests.test_readers import BILLION_LAUGHS, docx_bytes

    files = {
        "billion_laughs": docx_bytes(BILLION_LAUGHS),
        "zip_bomb": docx_bytes(b"<w:document>" + b" " * (25 * 1024 * 1024) + b"</w:document>"),
        "truncated": b"PK\x03\x04 and then nothing",
        "deep": b"<b>x</b>" * 120_000,
    }

    promises_before = Promise.objects.filter(municipality=home_municipality).count()

    response = upload(login(coordinator), home_municipality, name, files[content])

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Promise.objects.filter(municipality=home_municipality).count() == promises_before


def test_the_review_page_proposes_the_matching_party_and_keeps_intro_background_and_signatories(
    login, coordinator: User, home_municipality: Municipality, seed_bytes: bytes
) -> None:
    client: Client = login(coordinator)
    parties_before = Party.objects.count()

    response = upload(client, home_municipality, "ljungby.txt", seed_bytes)

    page = response.content.decode()
    assert "”Ljungby kommun” i texten: förslag Ljungby kommun" in page
    assert "”Polisen” i texten: förslag Polisen (Lokalpolisområde Ljungby)" in page
    assert "”civilsamhället” i texten är ingen part: sparas som samarbetspartner" in page
    data = form_data(response.content)
    assert data["introduction"].startswith("I arbetet för en trygg kommun")
    assert data["background"].startswith("I Ljungby kommun har vi sedan 2005")
    assert (data["signatory-0-name"], data["signatory-0-role"]) == (
        "Magnus Gunnarsson",
        "kommunstyrelsens ordförande",
    )
    fraud = activity_index(data, "Ljungby kommuns socialtjänstlots")
    assert data[f"activity-{fraud}-other_partners"] == "civilsamhället"
    assert f"activity-{fraud}-partners" not in data
    data["slug"] = "2023-granskat"
    data["signatory-2-name"] = "Anna Andersson"
    data["signatory-2-role"] = "kommundirektör"
    data["signatory-2-signed_on"] = "2023-02-01"

    saved = client.post(SAVE_URL, data)

    assert saved.status_code == 302
    promise = Promise.objects.get(municipality=home_municipality, slug="2023-granskat")
    assert [signatory.name for signatory in promise.signatories.all()] == [
        "Magnus Gunnarsson",
        "Roger Olsson",
        "Anna Andersson",
    ]
    assert promise.background.startswith("I Ljungby kommun har vi sedan 2005")
    assert Party.objects.count() == parties_before
