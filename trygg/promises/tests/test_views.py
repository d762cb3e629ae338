import html5lib
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from trygg.demo.services import demo_load
from trygg.promises.models import Promise
from trygg.promises.tests.factories import ActivityFactory, FocusAreaFactory, PromiseFactory

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


@pytest.fixture
def demo_promise() -> Promise:
    return demo_load().promise


def _parse(content: bytes) -> object:
    # html5lib in strict mode raises on any parse error: the page is well-formed HTML5.
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(content)


def test_the_promise_page_shows_every_focus_area_and_activity(client: Client, demo_promise: Promise) -> None:
    response = client.get(demo_promise.get_absolute_url())

    assert response.status_code == 200
    page = response.content.decode()
    for focus_area in demo_promise.focus_areas.all():
        assert f'id="{focus_area.slug}"' in page
        for activity in focus_area.activities.all():
            assert f'id="aktivitet-{activity.pk}"' in page
    assert page.count('<li id="aktivitet-') == 19
    # What is promised, in numbers, is among the full facts on the focus area and activity pages.
    areas = "".join(
        client.get(area.get_absolute_url()).content.decode() for area in demo_promise.focus_areas.all()
    )
    assert "4 mätningar under året" in areas and "4 mätningar under året" not in page
    assert "minst 1 grannsamverkansmöte under året" in areas
    assert "Magnus Gunnarsson" in page


def test_the_promise_page_is_valid_html_with_one_h1_landmarks_and_a_skip_link(
    client: Client, demo_promise: Promise
) -> None:
    response = client.get(demo_promise.get_absolute_url())
    document = _parse(response.content)

    assert document.get("lang") == "sv"  # type: ignore[attr-defined]
    assert len(document.findall(".//h1")) == 1  # type: ignore[attr-defined]
    assert document.find(".//main[@id='main']") is not None  # type: ignore[attr-defined]
    assert document.find(".//header") is not None  # type: ignore[attr-defined]
    assert document.find(".//footer") is not None  # type: ignore[attr-defined]
    skip = document.find(".//body/a")  # type: ignore[attr-defined]
    assert skip.get("href") == "#main"
    footer_text = "".join(document.find(".//footer").itertext())  # type: ignore[attr-defined]
    assert "112" in footer_text and "114 14" in footer_text
    assert document.find(".//footer//a[@href='/tillganglighet/']") is not None  # type: ignore[attr-defined]


def test_the_promise_pages_query_count_does_not_grow_with_its_activities(
    client: Client, demo_promise: Promise
) -> None:
    url = demo_promise.get_absolute_url()
    # A first request fills what Django keeps per process after one lookup (a query later requests skip).
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    focus_area = demo_promise.focus_areas.first()
    assert focus_area is not None
    ActivityFactory.create_batch(
        30, focus_area=focus_area, responsible_parties=list(demo_promise.municipality.parties.all()[:2])
    )
    FocusAreaFactory.create_batch(3, promise=demo_promise)

    with CaptureQueriesContext(connection) as after:
        response = client.get(url)

    assert response.content.decode().count('<li id="aktivitet-') == 49
    assert len(after) == len(before)


def test_the_promise_page_needs_few_queries(
    client: Client, demo_promise: Promise, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    with django_assert_max_num_queries(14):
        client.get(demo_promise.get_absolute_url())


def test_a_focus_area_and_an_activity_each_have_their_own_page(client: Client, demo_promise: Promise) -> None:
    focus_area = demo_promise.focus_areas.get(slug="narkotika")
    activity = focus_area.activities.get(text__contains="avloppsvattnet")

    focus_page = client.get(focus_area.get_absolute_url())
    activity_page = client.get(activity.get_absolute_url())

    assert focus_page.status_code == 200
    assert "Förekomst av narkotika" in focus_page.content.decode()
    assert activity_page.status_code == 200
    assert "4 mätningar under året" in activity_page.content.decode()
    _parse(focus_page.content)
    _parse(activity_page.content)


def test_an_activity_of_another_promise_is_not_found_under_this_one(
    client: Client, demo_promise: Promise
) -> None:
    other = ActivityFactory.create()
    url = reverse(
        "promises:activity",
        kwargs={"municipality": "ljungby", "promise": demo_promise.slug, "activity": other.pk},
    )

    assert client.get(url).status_code == 404


def test_a_draft_promise_is_hidden_from_the_public(client: Client, demo_promise: Promise) -> None:
    draft = PromiseFactory.create(
        municipality=demo_promise.municipality, slug="2024", title="Utkast 2024", status=Promise.Status.DRAFT
    )
    focus_area = FocusAreaFactory.create(promise=draft)

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(focus_area.get_absolute_url()).status_code == 404
    assert "Utkast 2024" not in client.get("/ljungby/").content.decode()


def test_the_page_for_a_missing_year_is_a_proper_404_page(client: Client, demo_promise: Promise) -> None:
    response = client.get("/ljungby/1999/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "Sidan finns inte" in page
    assert 'href="#main"' in page
    _parse(response.content)


def test_the_municipality_page_lists_earlier_promises(client: Client, demo_promise: Promise) -> None:
    response = client.get("/ljungby/")

    assert response.status_code == 200
    assert demo_promise.get_absolute_url() in response.content.decode()


def test_the_home_page_lists_municipalities(client: Client, demo_promise: Promise) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert 'href="/ljungby/"' in response.content.decode()


def test_the_english_page_has_lang_en_and_english_chrome(client: Client, demo_promise: Promise) -> None:
    response = client.get("/en" + demo_promise.get_absolute_url())

    assert response.status_code == 200
    document = _parse(response.content)
    assert document.get("lang") == "en"  # type: ignore[attr-defined]
    assert "Skip to content" in response.content.decode()


def test_the_accessibility_statement_and_about_pages_exist(client: Client) -> None:
    assert client.get("/tillganglighet/").status_code == 200
    about = client.get("/om/")
    assert about.status_code == 200
    assert "allmänna handlingar" in about.content.decode()


def test_the_theme_stylesheet_carries_the_municipalitys_accent_colour(
    client: Client, demo_promise: Promise
) -> None:
    response = client.get("/ljungby/tema.css")

    assert response["Content-Type"].startswith("text/css")
    assert "--accent: #005a8c" in response.content.decode()


def test_the_municipality_page_leads_to_every_public_part_of_the_site(
    client: Client, demo_promise: Promise
) -> None:
    from trygg.demo.surveys import load_surveys_demo

    load_surveys_demo(demo_promise.municipality)

    page = client.get("/ljungby/").content.decode()

    for path in (
        "felanmalan/",
        "felanmalan/karta/",
        "moten/",
        "trygghetsvandringar/",
        "matningar/",
        "brottsstatistik/",
    ):
        assert f'href="/ljungby/{path}"' in page
    assert "/ljungby/trygghetsmatning/" in page and "Exempeldata" in page


def test_english_promise_pages_mark_the_swedish_text_people_wrote_and_swedish_pages_do_not(
    client: Client, demo_promise: Promise
) -> None:
    focus_area = demo_promise.focus_areas.exclude(description="").first()
    assert focus_area is not None
    activity = focus_area.activities.first()
    assert activity is not None

    promise_url, area_url, activity_url = (
        demo_promise.get_absolute_url(),
        focus_area.get_absolute_url(),
        activity.get_absolute_url(),
    )

    english = client.get("/en" + promise_url)
    swedish = client.get(promise_url).content.decode()
    english_area = client.get("/en" + area_url).content.decode()
    english_activity = client.get("/en" + activity_url).content.decode()

    _parse(english.content)
    page = english.content.decode()
    assert f'<h1><span lang="sv">{demo_promise.title}</span></h1>' in page
    assert '<div class="introduction"><div lang="sv"><p>' in page
    assert f'<h1><span lang="sv">{focus_area.title}</span></h1>' in english_area
    assert '<div class="description"><div lang="sv"><p>' in english_area
    assert f'<h1 class="activity-title"><span lang="sv">{activity.text}</span></h1>' in english_activity
    assert 'lang="sv"' not in swedish.split("<main", 1)[1]
    assert f"<h1>{demo_promise.title}</h1>" in swedish


@pytest.mark.django_db
def test_the_promise_page_links_the_original_document_and_names_its_site(client: Client) -> None:
    original = "https://www.granby.se/trygghet/medborgarlofte-2023/"
    linked = PromiseFactory.create(source_url=original)
    unlinked = PromiseFactory.create(municipality=linked.municipality)

    page = client.get(linked.get_absolute_url()).content.decode()
    without = client.get(unlinked.get_absolute_url()).content.decode()

    assert f'<a href="{original}" rel="external">Läs löftet som det publicerades</a>' in page
    assert "(granby.se)" in page
    assert "Läs löftet som det publicerades" not in without
