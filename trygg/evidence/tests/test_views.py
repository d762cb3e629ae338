import datetime as dt
from typing import Any

import html5lib
import pytest
from django.template import Context, Template
from django.test import Client
from django.utils.html import escape

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.demo.evidence import load_evidence_demo
from trygg.evidence import selectors
from trygg.evidence.models import Dialogue, FocusAreaEvidence, Measure
from trygg.municipalities.models import Municipality
from trygg.problems.models import Problem
from trygg.promises.models import Activity, FocusArea, Promise
from trygg.promises.tests.factories import FocusAreaFactory, PromiseFactory

pytestmark = pytest.mark.django_db

# The example statistics cover the five years before the day they are loaded: a fixed day, whatever the clock.
LOADED_ON = dt.date(2026, 12, 6)
YEAR = LOADED_ON.year - 1


def _parse(content: bytes) -> Any:
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(content)


@pytest.fixture
def ljungby(home_municipality: Municipality) -> Municipality:
    load_evidence_demo(home_municipality, today=LOADED_ON)
    return home_municipality


@pytest.fixture
def draft(ljungby: Municipality) -> Promise:
    return PromiseFactory.create(municipality=ljungby, slug="utkast", status=Promise.Status.DRAFT)


@pytest.mark.date_sensitive
def test_the_demo_is_idempotent(ljungby: Municipality) -> None:
    counts = (Dialogue.objects.count(), Measure.objects.count(), FocusAreaEvidence.objects.count())
    from trygg.crimestats.models import ImportRun, ReportedCrime

    figures = ReportedCrime.objects.count(), ImportRun.objects.count()

    load_evidence_demo(ljungby, today=LOADED_ON)

    assert (Dialogue.objects.count(), Measure.objects.count(), FocusAreaEvidence.objects.count()) == counts
    assert (ReportedCrime.objects.count(), ImportRun.objects.count()) == figures


@pytest.mark.date_sensitive
def test_the_ranking_uses_crime_and_dialogues_and_says_the_survey_is_missing(ljungby: Municipality) -> None:
    ranked = selectors.ranking_for(municipality=ljungby, year=YEAR)

    assert ranked.sources["crime"].available and ranked.sources["dialogue"].available
    klotter = ranked.problem("klotter")
    assert klotter is not None and klotter.score > 0
    assert sum(part.points for part in klotter.parts) == klotter.score
    # The survey app may or may not provide indices yet; when it does not, the part says so.
    if not ranked.sources["survey"].available:
        assert all(part.is_missing for part in klotter.parts if part.source.key == "survey")


def test_the_ranking_page_shows_every_part_and_marks_example_data(
    login,
    coordinator: User,
    ljungby: Municipality,
) -> None:
    response = login(coordinator).get(f"/personal/lagesbild/ljungby/{YEAR}/")

    assert response.status_code == 200
    page = response.content.decode()
    _parse(response.content)
    assert '<span class="example-data">Exempeldata</span>' in page
    assert "Anmälda brott: nivå" in page and "Dialoger" in page


@pytest.mark.date_sensitive
def test_the_public_lagesbild_shows_only_public_measures_and_the_staff_version_all(
    client: Client,
    login,
    coordinator: User,
    ljungby: Municipality,
) -> None:
    Measure.objects.update(year=YEAR)
    internal = Measure.objects.filter(is_public=False).first()
    assert internal is not None

    public = client.get(f"/ljungby/lagesbild/{YEAR}/")
    staff = login(coordinator).get(f"/personal/lagesbild/ljungby/{YEAR}/dokument/")

    assert public.status_code == 200 and staff.status_code == 200
    document = _parse(public.content)
    assert len(document.findall(".//h1")) == 1
    assert internal.text not in public.content.decode()
    assert internal.text in staff.content.decode()
    assert '<span class="example-data">Exempeldata</span>' in public.content.decode()
    # The weights name the parts as the tables do, not by their codes.
    assert "Anmälda brott: nivå 2,0" in staff.content.decode() and "crime_level" not in staff.content.decode()


def _outside_details(document: Any) -> str:
    """The page's main text that a resident sees without opening "Så räknar vi"."""
    main = document.find(".//main")
    for details in main.findall(".//details"):
        details.clear()
    return " ".join(main.itertext())


def test_the_public_lagesbild_says_what_we_see_why_and_from_which_sources_with_the_scoring_folded_away(
    client: Client, ljungby: Municipality
) -> None:
    response = client.get(f"/ljungby/lagesbild/{YEAR}/")

    document = _parse(response.content)
    headings = [" ".join(heading.itertext()).strip() for heading in document.findall(".//main//h2")]
    assert headings[:5] == [
        "Det här ser vi",
        "Därför valde vi detta",
        "Det här gör vi",
        "Källor",
        "Så räknar vi",
    ]
    shown = _outside_details(_parse(response.content))
    assert "Vikt × signal" not in shown and "Vikter:" not in shown
    details = document.find(".//main//details")
    assert details is not None
    assert "Vikt × signal" in " ".join(details.itertext())
    # The five problems that scored highest, each with what it is seen in, in words.
    seen = document.findall(".//main//ol[@class='seen-list']/li")
    assert len(seen) == 5
    for item in seen:
        name = item.find("strong").text
        assert len(" ".join(item.itertext()).strip()) > len(name) + 10, name
    # Each source with its date.
    crime_date = selectors.ranking_for(municipality=ljungby, year=YEAR).sources["crime"].date
    assert crime_date is not None
    assert f"Anmälda brott, {crime_date.day} " in " ".join(shown.split()).replace(" ,", ",")


def test_the_municipality_and_promise_pages_link_to_todays_lagesbild(
    client: Client, ljungby: Municipality
) -> None:
    pages = [client.get("/ljungby/"), client.get("/ljungby/2023/")]

    assert all('href="/ljungby/lagesbild/"' in page.content.decode() for page in pages)
    assert client.get("/ljungby/lagesbild/").status_code == 302


def test_todays_lagesbild_of_a_municipality_without_data_says_so_instead_of_a_broken_link(
    client: Client,
) -> None:
    from trygg.municipalities.tests.factories import MunicipalityFactory

    empty = MunicipalityFactory.create()

    response = client.get(f"/{empty.slug}/lagesbild/")

    assert response.status_code == 200
    assert "Det finns ingen lägesbild här ännu" in response.content.decode()


def test_the_lagesbild_pdf_is_a_pdf(client: Client, ljungby: Municipality) -> None:
    response = client.get(f"/ljungby/lagesbild/{YEAR}.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_lagesbild_pdf_is_tagged_pdf_ua_with_its_tables(client: Client, ljungby: Municipality) -> None:
    from trygg.core.tests.formats import assert_pdf_ua

    response = client.get(f"/ljungby/lagesbild/{YEAR}.pdf")

    assert_pdf_ua(response.content, title=f"Lägesbild {YEAR}")


@pytest.mark.date_sensitive
def test_a_focus_area_created_from_the_ranking_keeps_its_evidence_and_renders_it(
    login,
    coordinator: User,
    ljungby: Municipality,
    draft: Promise,
) -> None:
    response = login(coordinator).post(
        f"/personal/lagesbild/ljungby/{YEAR}/fokusomrade/",
        {"problem": "klotter", "promise": draft.pk, "title": ""},
    )

    assert response.status_code == 302
    focus_area = FocusArea.objects.get(promise=draft)
    assert list(focus_area.problems.values_list("slug", flat=True)) == ["klotter"]
    evidence = list(FocusAreaEvidence.objects.filter(focus_area=focus_area))
    ranked = selectors.ranking_for(municipality=ljungby, year=YEAR).problem("klotter")
    assert ranked is not None
    assert sum(item.points for item in evidence) == ranked.score
    assert all(item.score == ranked.score for item in evidence)
    assert AuditEntry.objects.filter(model="promises.focusarea", object_id=str(focus_area.pk)).exists()

    # The include the promise pages will carry: one line, and one query for all focus areas of the promise.
    focus_area = FocusArea.objects.select_related("promise").get(pk=focus_area.pk)
    html = Template("{% load evidence_tags %}{% why_prioritised focus_area level=2 %}").render(
        Context({"focus_area": focus_area})
    )
    assert "Därför prioriterar vi detta" in html
    assert "Anmälda brott: nivå" in html and "Exempeldata" in html
    assert "Källor som saknades" in html or all(item.status != "missing" for item in evidence)


def test_the_why_prioritised_include_is_empty_for_a_focus_area_without_evidence(
    ljungby: Municipality,
) -> None:
    focus_area = FocusAreaFactory.create(promise=PromiseFactory.create(municipality=ljungby))

    html = Template("{% load evidence_tags %}{% why_prioritised focus_area %}").render(
        Context({"focus_area": focus_area})
    )

    assert html.strip() == ""


def test_a_published_promise_refuses_new_focus_areas_from_the_ranking(
    login,
    coordinator: User,
    ljungby: Municipality,
) -> None:
    published = Promise.objects.get(municipality=ljungby, slug="2023")
    before = published.focus_areas.count()

    response = login(coordinator).post(
        f"/personal/lagesbild/ljungby/{YEAR}/fokusomrade/", {"problem": "klotter", "promise": published.pk}
    )

    assert response.status_code == 400
    assert published.focus_areas.count() == before


def test_a_public_measure_is_published_as_an_activity_without_typing_it_again(
    login,
    coordinator: User,
    ljungby: Municipality,
    draft: Promise,
) -> None:
    focus_area = FocusAreaFactory.create(promise=draft)
    measure = Measure.objects.filter(municipality=ljungby, is_public=True).first()
    assert measure is not None

    response = login(coordinator).post(
        f"/personal/lagesbild/ljungby/atgarder/{measure.pk}/publicera/", {"focus_area": focus_area.pk}
    )

    assert response.status_code == 302
    measure.refresh_from_db()
    activity = Activity.objects.get(focus_area=focus_area)
    assert measure.activity == activity
    assert activity.text == measure.text
    assert list(activity.responsible_parties.all()) == [measure.owner]


def test_an_internal_measure_cannot_be_published(
    login,
    coordinator: User,
    ljungby: Municipality,
    draft: Promise,
) -> None:
    focus_area = FocusAreaFactory.create(promise=draft)
    measure = Measure.objects.get(municipality=ljungby, is_public=False)

    response = login(coordinator).post(
        f"/personal/lagesbild/ljungby/atgarder/{measure.pk}/publicera/", {"focus_area": focus_area.pk}
    )

    assert response.status_code == 400
    assert not Activity.objects.filter(focus_area=focus_area).exists()


def test_a_police_officer_records_a_dialogue_with_the_problems_raised(
    login,
    police_officer: User,
    ljungby: Municipality,
) -> None:
    klotter = Problem.objects.get(slug="klotter")
    form = {
        "date": f"{YEAR}-06-01",
        "kind": "medborgardialog",
        "place": "Torget",
        "participants": "20",
        "notes": "",
        "problem-TOTAL_FORMS": "2",
        "problem-INITIAL_FORMS": "0",
        "problem-MIN_NUM_FORMS": "0",
        "problem-MAX_NUM_FORMS": "1000",
        "problem-0-problem": str(klotter.pk),
        "problem-0-raised_by": "4",
        "problem-0-notes": "Tunneln",
        "problem-1-problem": "",
        "problem-1-raised_by": "",
        "problem-1-notes": "",
    }

    response = login(police_officer).post("/personal/lagesbild/ljungby/dialoger/ny/", form)

    assert response.status_code == 302
    dialogue = Dialogue.objects.get(place="Torget")
    assert [(row.problem.slug, row.raised_by) for row in dialogue.problems_raised.all()] == [("klotter", 4)]
    assert AuditEntry.objects.filter(model="evidence.dialogue", object_id=str(dialogue.pk)).exists()


def test_the_dialogue_form_page_is_valid_html(login, coordinator: User, ljungby: Municipality) -> None:
    response = login(coordinator).get("/personal/lagesbild/ljungby/dialoger/ny/")

    assert response.status_code == 200
    _parse(response.content)


@pytest.mark.parametrize(
    "path",
    [
        f"/personal/lagesbild/ljungby/{YEAR}/",
        f"/personal/lagesbild/ljungby/{YEAR}/dokument/",
        "/personal/lagesbild/ljungby/dialoger/",
        "/personal/lagesbild/ljungby/atgarder/",
    ],
)
def test_staff_of_another_municipality_get_404(
    login, outsider: User, ljungby: Municipality, path: str
) -> None:
    assert login(outsider).get(path).status_code == 404


def test_staff_of_another_municipality_cannot_touch_its_dialogues_or_measures(
    login,
    outsider: User,
    ljungby: Municipality,
) -> None:
    dialogue = Dialogue.objects.filter(municipality=ljungby).first()
    measure = Measure.objects.filter(municipality=ljungby).first()
    assert dialogue is not None and measure is not None
    client = login(outsider)

    assert client.get(f"/personal/lagesbild/ljungby/dialoger/{dialogue.pk}/").status_code == 404
    assert (
        client.post(f"/personal/lagesbild/annanstad/atgarder/{measure.pk}/", {"text": "x"}).status_code == 404
    )


def test_a_crew_member_may_read_but_not_record_or_plan(
    login,
    crew_member: User,
    ljungby: Municipality,
    draft: Promise,
) -> None:
    client = login(crew_member)
    dialogues = Dialogue.objects.count()
    measures = Measure.objects.count()

    assert client.get("/personal/lagesbild/ljungby/dialoger/").status_code == 200
    assert client.post("/personal/lagesbild/ljungby/dialoger/ny/", {"date": "2024-01-01"}).status_code == 403
    assert client.post("/personal/lagesbild/ljungby/atgarder/ny/", {"text": "x"}).status_code == 403
    assert (
        client.post(
            f"/personal/lagesbild/ljungby/{YEAR}/fokusomrade/", {"problem": "klotter", "promise": draft.pk}
        ).status_code
        == 403
    )
    assert Dialogue.objects.count() == dialogues and Measure.objects.count() == measures
    assert not FocusArea.objects.filter(promise=draft).exists()


def test_the_evidence_command_prints_every_part_and_the_missing_sources(ljungby: Municipality) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("evidence", "--municipality", "ljungby", "--year", str(YEAR), "--top", "3", stdout=out)

    text = out.getvalue()
    assert text.startswith(f"Lägesbild {YEAR}: Ljungby kommun")
    assert " 1. " in text and "Anmälda brott: nivå" in text
    assert "Dialoger: finns" in text


@pytest.mark.django_db
@pytest.mark.date_sensitive
def test_the_ranking_finds_the_survey_and_report_sources_of_the_demo() -> None:
    from trygg.demo.services import demo_load
    from trygg.evidence.sources import report_counts, survey_indices

    municipality = demo_load(with_examples=True).municipality

    surveyed = survey_indices(municipality=municipality, year=2024)
    assert surveyed.available and "klotter" in surveyed.indices
    assert report_counts(municipality=municipality, year=dt.date.today().year).available


@pytest.mark.django_db
def test_problems_raised_at_held_meetings_count_as_dialogue_input() -> None:
    from trygg.demo.services import demo_load
    from trygg.evidence.selectors import ranking_for
    from trygg.meetings.models import Meeting, RaisedProblem
    from trygg.problems.models import Problem

    municipality = demo_load().municipality
    meeting = Meeting.objects.create(
        municipality=municipality,
        kind="dialogmote",
        title="Dialogmöte på landsbygden",
        starts_at=dt.datetime(2023, 3, 14, 18, tzinfo=dt.UTC),
        place="Bygdegården",
        status=Meeting.Status.HELD,
    )
    RaisedProblem.objects.create(
        meeting=meeting, problem=Problem.objects.get(slug="inbrott-landsbygd"), mentions=7
    )

    ranked = ranking_for(municipality=municipality, year=2023)

    assert ranked.sources["dialogue"].available
    part = next(p for p in ranked.problem("inbrott-landsbygd").parts if p.code == "dialogue")  # type: ignore[union-attr]
    assert part.status == "ok" and part.points > 0


def test_the_english_lagesbild_marks_the_swedish_names_and_translates_trygg_s_own_words(
    client: Client, ljungby: Municipality
) -> None:
    english = client.get(f"/en/ljungby/lagesbild/{YEAR}/").content.decode()
    swedish = client.get(f"/ljungby/lagesbild/{YEAR}/").content.decode()

    top = selectors.ranking_for(municipality=ljungby, year=YEAR).problems[0]
    assert f'<strong><span lang="sv">{top.name}</span></strong>' in english
    assert "What we see" in english and "How we count" in english
    assert 'lang="sv"' not in swedish.split("<main", 1)[1]
    # The crime import's own note is people's Swedish text; Trygg's own notes are translated.
    from trygg.demo.evidence import SOURCE_NOTE

    assert f'<span lang="sv">{escape(SOURCE_NOTE)}</span>' in english
    assert escape(SOURCE_NOTE) in swedish


def test_every_source_of_the_staff_document_says_what_it_is_after_its_label(
    login, coordinator: User, ljungby: Municipality
) -> None:
    response = login(coordinator).get(f"/personal/lagesbild/ljungby/{YEAR}/dokument/")

    document = _parse(response.content)
    heading = next(
        element
        for element in document.iter()
        if element.tag in ("h2", "h3") and "".join(element.itertext()).strip() == "Källor"
    )
    items = [" ".join(" ".join(item.itertext()).split()) for item in _following_list(document, heading)]
    assert {item.split(":")[0] for item in items} >= {"Anmälda brott", "Felanmälningar", "Dialoger"}
    for item in items:
        said = item.split(":", 1)[1].strip()
        assert said and not said.startswith(","), item
    assert f"Felanmälningar: gjorda av invånare i Trygg under {YEAR}" in items


def _following_list(document: Any, heading: Any) -> list[Any]:
    """The items of the first list after ``heading`` in document order."""
    seen = False
    for element in document.iter():
        if element is heading:
            seen = True
        elif seen and element.tag == "ul":
            return element.findall("li")
    return []


def test_a_source_with_only_a_date_gives_the_date_and_one_with_nothing_says_it_is_there() -> None:
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    from trygg.evidence.ranking import Source

    ranking = SimpleNamespace(
        municipality=SimpleNamespace(name="Ekby kommun"),
        year=YEAR,
        problems=[],
        weights={},
        sources={
            "survey": Source("survey", "Trygghetsmätning", True, date=dt.date(YEAR, 11, 3)),
            "reports": Source("reports", "Felanmälningar", True),
            "dialogue": Source("dialogue", "Dialoger", False),
        },
    )
    html = render_to_string("evidence/_ranking.html", {"ranking": ranking, "level": 3, "form_slot": ""})

    fragment = html5lib.parseFragment(html, namespaceHTMLElements=False)
    items = [" ".join(" ".join(item.itertext()).split()) for item in fragment.findall(".//li")]
    assert items == [
        f"Trygghetsmätning: 3 november {YEAR}",
        "Felanmälningar: finns",
        "Dialoger: källa saknas",
    ]
