import datetime as dt
from dataclasses import dataclass

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.browser.conftest import axe_violations, only_this_server, staff_login
from trygg.demo.services import demo_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC_PATHS = [
    "/",
    "/ljungby/",
    "/ljungby/2023/",
    "/ljungby/2023/narkotika/",
    "/tillganglighet/",
    "/om/",
    "/en/ljungby/2023/",
    "/ljungby/1999/",
    # follow-up
    "/uppfoljning/",
    "/ljungby/2023/tidslinje/",
    "/ljungby/2023/rapport/",
    "/ljungby/jamfor/2023/2024/",
    # residents' reports
    "/ljungby/felanmalan/",
    "/ljungby/felanmalan/karta/",
    "/ljungby/felanmalan/karta/?status=open",
    "/ljungby/felanmalan/EX-LJU-S1/",
    # surveys
    "/ljungby/trygghetsmatning/oppen/",
    "/ljungby/trygghetsmatning/exempel-2024/",
    "/ljungby/trygghetsmatning/exempel-2024/resultat/",
    "/ljungby/trygghetsmatning/exempel-2024/resultat/landsbygd/",
    # comments, statistics, lägesbild, meetings, indicators
    "/ljungby/2023/kommentarer/",
    "/ljungby/brottsstatistik/",
    "/ljungby/lagesbild/2024/",
    "/ljungby/moten/",
    "/ljungby/trygghetsvandringar/",
    "/ljungby/grannsamverkan/",
    "/ljungby/matningar/",
    "/ljungby/matningar/avloppsvatten/",
    # a few in English
    "/en/uppfoljning/",
    "/en/om/",
    "/en/ljungby/felanmalan/",
    "/en/ljungby/moten/",
    "/en/ljungby/trygghetsmatning/exempel-2024/resultat/",
    "/en/ljungby/",
    "/en/ljungby/lagesbild/2024/",
    "/nationellt/",
]


def _object_paths() -> list[str]:
    """Pages whose address holds a database id."""
    from trygg.meetings.models import Meeting, SafetyWalk
    from trygg.promises.models import Activity

    activity = Activity.objects.filter(focus_area__promise__slug="2023").order_by("pk").first()
    assert activity is not None
    held = Meeting.objects.public().filter(status=Meeting.Status.HELD).order_by("pk").first()
    walk = SafetyWalk.objects.order_by("pk").first()
    assert held is not None and walk is not None
    upcoming = Meeting.objects.get(title="Dialogmöte om centrum")
    return [
        f"/ljungby/2023/aktivitet/{activity.pk}/",
        held.get_absolute_url(),
        upcoming.get_absolute_url(),
        walk.get_absolute_url(),
    ]


@dataclass(frozen=True)
class Demo:
    url: str
    survey_code: str


def _extras(municipality) -> str:
    """What the demo lacks for a complete tour: a later promise to compare, an open survey, a coming meeting."""
    from django.contrib.auth import get_user_model

    from trygg.meetings.models import Meeting
    from trygg.promises.models import Promise
    from trygg.surveys import services as survey_services
    from trygg.surveys.models import Survey

    earlier = Promise.objects.get(municipality=municipality, slug="2023")
    Promise.objects.create(
        municipality=municipality,
        slug="2024",
        title="Medborgarlöfte 2024",
        valid_from=dt.date(2024, 1, 1),
        valid_until=dt.date(2024, 12, 31),
        introduction=earlier.introduction,
        status=Promise.Status.PUBLISHED,
    )
    builder = get_user_model().objects.create_user(username="bygger", is_superuser=True)
    survey = survey_services.survey_create(
        municipality=municipality,
        year=2025,
        title="Trygghetsmätning 2025",
        slug="oppen",
        mode=Survey.Mode.INVITATION,
        k=10,
        languages=["en"],
        areas=["Centrum", "Landsbygd"],
        by=builder,
    )
    survey_services.survey_set_status(survey=survey, status=Survey.Status.OPEN, by=builder)
    [code] = survey_services.invitation_codes_generate(survey=survey, count=1, by=builder)
    Meeting.objects.create(
        municipality=municipality,
        kind=Meeting.Kind.DIALOGUE,
        title="Dialogmöte om centrum",
        starts_at=timezone.now() + dt.timedelta(days=10),
        place="Stadshuset",
        is_public=True,
        capacity=20,
    )
    return code


@pytest.fixture
def demo(live_server, settings, tmp_path, page):
    # No map tiles are fetched, and nothing off this server is asked for.
    settings.MAP_TILES_URL = ""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RATE_LIMITS_ENABLED = False
    result = demo_load(with_examples=True)
    code = _extras(result.municipality)
    only_this_server(page, live_server.url)
    return Demo(url=live_server.url, survey_code=code)


def test_the_promise_page_shows_the_focus_areas_in_chromium(demo, page) -> None:
    page.goto(f"{demo.url}/ljungby/2023/")

    headings = page.locator("section.focus-area h2").all_inner_texts()
    assert headings == [
        "Klotter och skadegörelse",
        "Förekomst av narkotika",
        "Drogpåverkade personer i offentlig miljö",
        "Bedrägeri",
        "Handelsplats Ljungbyporten",
        "Oro för inbrott på landsbygden",
        "Våld i samhället",
    ]
    assert page.locator("ul.activity-rows > li").count() == 19


# One test per width, so that the suite's workers can share the three.
@pytest.mark.appearance
@pytest.mark.parametrize("width", [320, 375, 1280])
def test_item_30_every_public_page_has_no_wcag_21_a_or_aa_violations_at_each_width(
    demo, browser, axe, width
) -> None:
    found = {}
    paths = [*PUBLIC_PATHS, *_object_paths()]
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="sv-SE")
    page = context.new_page()
    only_this_server(page, demo.url)
    try:
        for path in paths:
            response = page.goto(f"{demo.url}{path}")
            if path != "/ljungby/1999/" and (
                response is None or response.status != 200 or page.url != f"{demo.url}{path}"
            ):
                found[f"{path} at {width} px"] = (
                    f"answered {response.status if response else None} at {page.url}"
                )
                continue
            violations = axe_violations(axe, page)
            if violations:
                found[f"{path} at {width} px"] = violations
    finally:
        context.close()

    assert found == {}


def test_the_accessibility_check_runs_axe_core_4_14_or_newer(page, axe) -> None:
    page.set_content("<html lang='sv'><body><main><p>Text</p></main></body></html>")
    axe_violations(axe, page)

    version = page.evaluate("axe.version")

    assert tuple(int(part) for part in version.split(".")[:2]) >= (4, 14), version


def test_the_accessibility_check_finds_a_link_told_apart_by_colour_alone(page, axe) -> None:
    page.set_content(
        "<html lang='sv'><body style='color:#222'><main><p>Läs mer i "
        "<a href='/om/' style='color:#2a2a2a;text-decoration:none'>vår rapport</a> om trygghet i kommunen.</p>"
        "</main></body></html>"
    )

    ids = {violation["id"] for violation in axe_violations(axe, page)}

    assert "link-in-text-block" in ids


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(demo, page) -> None:
    page.goto(f"{demo.url}/ljungby/2023/")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Hoppa till innehållet"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


@pytest.mark.appearance
def test_item_33_every_public_page_fits_320_pixels_says_its_language_and_describes_its_photos(
    demo, browser
) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="sv-SE")
    narrow = context.new_page()
    found: dict[str, object] = {}
    for path in [*PUBLIC_PATHS, *_object_paths()]:
        narrow.goto(f"{demo.url}{path}")
        page_facts = narrow.evaluate(
            """() => ({
                overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
                lang: document.documentElement.lang,
                unnamed: Array.from(document.images).filter(img => !img.hasAttribute('alt')).length,
                photos: Array.from(document.querySelectorAll('.photos img')).map(img => img.alt.trim()),
            })"""
        )
        problems = []
        if page_facts["overflow"] > 0:
            problems.append(f"{page_facts['overflow']} px sideways scroll")
        if page_facts["lang"] != ("en" if path.startswith("/en/") else "sv"):
            problems.append(f"lang={page_facts['lang']!r}")
        if page_facts["unnamed"] or "" in page_facts["photos"]:
            problems.append("an image without alt text")
        if problems:
            found[path] = problems
    context.close()

    assert found == {}


def test_the_accessibility_check_itself_reports_a_broken_page(page, axe) -> None:
    page.set_content("<html><body><img src='x.png'><a href='#'></a></body></html>")

    ids = {violation["id"] for violation in axe_violations(axe, page)}

    assert {"image-alt", "html-has-lang", "link-name"} <= ids


# Each public form: where it is, the form, what to type (wrong on purpose), the submit button, and the field
# whose input must come back after the server has answered with errors.
PUBLIC_FORMS = {
    "login": ("/personal/logga-in/", "form:has(#id_username)", {"#id_username": "nobody"}, "#id_username"),
    # The comment and subscription forms are on the promise's comment page, behind "Kommentera".
    "comment": (
        "COMMENT",
        ".comment-form",
        {"#id_kommentar-author_name": "Eva", "#id_kommentar-text": "   "},
        "#id_kommentar-author_name",
    ),
    "subscription": (
        "COMMENT",
        "form:has(#id_prenumeration-email)",
        {"#id_prenumeration-email": "inte-en-adress"},
        "#id_prenumeration-email",
    ),
    "report": (
        "/ljungby/felanmalan/",
        "form:has(#id_description)",
        {"#id_description": "Lampan är trasig.", "#id_reporter_name": "Eva"},
        "#id_description",
    ),
    "survey code": (
        "/ljungby/trygghetsmatning/oppen/",
        "form:has(#id_code)",
        {"#id_code": "FEL-KOD"},
        "#id_code",
    ),
    "report follow": (
        "/ljungby/felanmalan/EX-LJU-S1/",
        "form:has(#id_email)",
        {"#id_email": "inte-en-adress"},
        "#id_email",
    ),
    "meeting sign-up": (
        "MEETING",
        "form:has(#id_count)",
        {"#id_name": "Eva", "#id_email": "inte-en-adress"},
        "#id_name",
    ),
}


def _submit_with_errors(page, form: str, fills: dict[str, str], submit: str = "[type=submit]") -> None:
    for selector, value in fills.items():
        page.fill(selector, value)
    # Skip the browser's own checks: the server's answer is what is tested.
    page.locator(form).evaluate("form => { form.noValidate = true; }")
    with page.expect_navigation():
        page.locator(f"{form} {submit}").first.click()


# Each error in the summary links to its field, and the field is described by its error message.
_UNDESCRIBED_FIELDS = """() => {
    const links = Array.from(document.querySelectorAll('.error-summary a[href^="#"]'));
    if (!links.length) return ['the error summary links to no field'];
    return links.map(link => {
        const field = document.getElementById(link.getAttribute('href').slice(1));
        if (!field) return 'no field for ' + link.getAttribute('href');
        const described = (field.getAttribute('aria-describedby') || '').split(/\\s+/)
            .map(id => document.getElementById(id)).filter(Boolean)
            .map(element => element.textContent.trim()).join(' ');
        return described ? null : '#' + field.id + ' is not described by its error';
    }).filter(Boolean);
}"""


def _error_page_problems(page, axe, kept: str | None, value: str | None) -> list[object]:
    problems: list[object] = []
    if not page.title().startswith("Fel:"):
        problems.append(f"title {page.title()!r}")
    # autofocus moves focus to the error summary once the page has rendered. (wait_for_function would
    # evaluate a string, which the page's Content-Security-Policy forbids.)
    for _attempt in range(50):
        if page.evaluate("document.activeElement.classList.contains('error-summary')"):
            break
        page.wait_for_timeout(100)
    else:
        problems.append(f"focus on {page.evaluate('document.activeElement.outerHTML.slice(0, 80)')}")
    if kept is not None and page.input_value(kept) != value:
        problems.append(f"{kept} lost its input")
    problems.extend(axe_violations(axe, page))
    return problems


@pytest.mark.appearance
def test_item_30_32_every_public_form_empty_and_with_errors_is_axe_clean_and_leads_to_each_field(
    demo, page, axe
) -> None:
    from trygg.meetings.models import Meeting
    from trygg.promises.models import Promise

    promise = Promise.objects.get(municipality__slug="ljungby", slug="2023")
    placeholders = {
        "MEETING": Meeting.objects.get(title="Dialogmöte om centrum").get_absolute_url(),
        "COMMENT": reverse("comments:create", kwargs={"kind": "lofte", "pk": promise.pk}),
    }
    found: dict[str, object] = {}
    for name, (path, form, fills, kept) in PUBLIC_FORMS.items():
        page.goto(f"{demo.url}{placeholders.get(path, path)}")
        if empty := axe_violations(axe, page):
            found[f"{name} (empty)"] = empty
        _submit_with_errors(page, form, fills)
        if problems := _error_page_problems(page, axe, kept, fills[kept]):
            found[name] = problems

    # A page of the questionnaire: a valid code first, then the first page sent without the required area.
    page.goto(f"{demo.url}/ljungby/trygghetsmatning/oppen/")
    page.fill("#id_code", demo.survey_code)
    with page.expect_navigation():
        page.click("form:has(#id_code) [type=submit]")
    if empty := axe_violations(axe, page):
        found["survey page (empty)"] = empty
    _submit_with_errors(page, "form:has([name=next])", {}, submit="[name=next]")
    if problems := _error_page_problems(page, axe, None, None):
        found["survey page"] = problems

    assert found == {}


def test_item_32_each_field_with_an_error_is_described_by_it(demo, page) -> None:
    page.goto(f"{demo.url}/ljungby/felanmalan/")
    _submit_with_errors(page, "form:has(#id_description)", {"#id_description": "Lampan är trasig."})

    assert page.evaluate(_UNDESCRIBED_FIELDS) == []


@pytest.mark.appearance
def test_item_30_key_staff_pages_have_no_serious_or_critical_violations(demo, page, axe) -> None:
    from trygg.promises.models import Activity, Promise
    from trygg.reports.models import Report

    staff_login(page, demo.url)
    promise = Promise.objects.get(municipality__slug="ljungby", slug="2023")
    activity = Activity.objects.filter(focus_area__promise=promise).order_by("pk").first()
    assert activity is not None
    report = Report.objects.get(reference="EX-LJU-S1")
    paths = [
        "/personal/",
        "/personal/aktiviteter/",
        f"/personal/aktiviteter/{activity.pk}/",  # recording what was done
        f"/personal/lofte/{promise.pk}/",
        "/personal/lofte/importera/",
        "/personal/felanmalan/",
        f"/personal/felanmalan/{report.pk}/",
        "/personal/kommentarer/",
        "/personal/trygghetsmatning/",
        "/personal/lagesbild/ljungby/2024/",
        "/personal/moten/",
        "/personal/matningar/",
        "/personal/api-nycklar/",
    ]
    found: dict[str, object] = {}
    for path in paths:
        response = page.goto(f"{demo.url}{path}")
        if response is None or response.status != 200 or page.url != f"{demo.url}{path}":
            found[path] = f"answered {response.status if response else None} at {page.url}"
        elif violations := axe_violations(axe, page, impacts={"serious", "critical"}):
            found[path] = violations

    assert found == {}
