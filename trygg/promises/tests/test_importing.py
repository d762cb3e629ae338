import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from trygg.audit.models import AuditEntry
from trygg.municipalities.models import Municipality, Party, PoliceArea
from trygg.municipalities.tests.factories import MunicipalityFactory
from trygg.promises import importing
from trygg.promises.importing import ActivityDraft, FocusAreaDraft, PromiseDraft
from trygg.promises.models import Activity, FocusArea, Promise
from trygg.promises.parsing import parse_promise_text
from trygg.promises.readers import read_document

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parents[3].parent / "shared" / "seeds"
SEED = SEEDS / "000_c1297d98e49f98ef.txt"


@pytest.fixture
def seed_text() -> str:
    if not SEED.exists():
        pytest.skip(f"the shared seed folder is absent ({SEEDS})")
    return read_document(SEED)


def seed_draft(municipality: Municipality, text: str, slug: str = "2023-fil") -> PromiseDraft:
    return importing.draft_from_parsed(parsed=parse_promise_text(text), municipality=municipality, slug=slug)


def activity_starting(promise: Promise, start: str) -> Activity:
    return Activity.objects.get(focus_area__promise=promise, text__startswith=start)


def names(parties: Any) -> set[str]:
    return {party.name for party in parties.all()}


def test_the_seed_becomes_a_draft_with_seven_focus_areas_and_nineteen_activities(
    home_municipality: Municipality, seed_text: str
) -> None:
    promise = importing.promise_import(
        municipality=home_municipality,
        draft=seed_draft(home_municipality, seed_text),
        actor=None,
        reason="test",
    )

    assert promise.status == Promise.Status.DRAFT
    assert (promise.valid_from, promise.valid_until) == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert promise.title == "Medborgarlöfte 2023 i Ljungby kommun"
    assert [area.title for area in promise.focus_areas.all()][:2] == [
        "Klotter och skadegörelse",
        "Förekomst av narkotika",
    ]
    assert promise.focus_areas.count() == 7
    assert Activity.objects.filter(focus_area__promise=promise).count() == 19
    wastewater = activity_starting(promise, "Ljungby kommun ska under året genomföra 4 mätningar")
    assert (wastewater.quantity, wastewater.per, wastewater.unit) == (4, "year", "mätningar")


def test_party_names_map_to_the_municipalitys_parties(
    home_municipality: Municipality, seed_text: str
) -> None:
    kommun = Party.objects.get(municipality=home_municipality, kind=Party.Kind.MUNICIPALITY)
    police = Party.objects.get(kind=Party.Kind.POLICE, police_area__municipalities=home_municipality)
    parties_before = Party.objects.count()

    promise = importing.promise_import(
        municipality=home_municipality,
        draft=seed_draft(home_municipality, seed_text),
        actor=None,
        reason="test",
    )

    wastewater = activity_starting(promise, "Ljungby kommun ska under året genomföra 4 mätningar")
    assert list(wastewater.responsible_parties.all()) == [kommun]
    landlords = activity_starting(promise, "Ljungby kommun och Polisen bjuder in hyresvärdar")
    assert set(landlords.responsible_parties.all()) == {kommun, police}
    vandalism = activity_starting(promise, "All skadegörelse ska polisanmälas")
    assert not vandalism.responsible_parties.exists()
    footpatrol = activity_starting(promise, "Polisen ska tillsammans med Ljungby kommun")
    assert list(footpatrol.responsible_parties.all()) == [police]
    assert list(footpatrol.partners.all()) == [kommun]
    fraud = activity_starting(promise, "Ljungby kommuns socialtjänstlots")
    assert not fraud.partners.exists()
    assert fraud.other_partners == "civilsamhället"
    # The kommun and the police were found; no actor of the text became a new party.
    assert Party.objects.count() == parties_before
    assert not AuditEntry.objects.filter(model="municipalities.party").exists()


def test_an_existing_party_is_found_whatever_the_case_of_its_name(home_municipality: Municipality) -> None:
    existing = Party.objects.create(municipality=home_municipality, name="Räddningstjänsten", kind="other")
    draft = PromiseDraft(
        title="Test",
        slug="test",
        valid_from=dt.date(2024, 1, 1),
        valid_until=dt.date(2024, 12, 31),
        focus_areas=[
            FocusAreaDraft(
                title="Brand",
                activities=[ActivityDraft(text="Räddningstjänsten ska öva.", parties=["räddningstjänsten"])],
            )
        ],
    )

    promise = importing.promise_import(municipality=home_municipality, draft=draft, actor=None, reason="test")

    assert list(activity_starting(promise, "Räddningstjänsten").responsible_parties.all()) == [existing]


def test_a_municipality_without_parties_gets_its_own_and_a_police_party_for_its_police_area(
    seed_text: str,
) -> None:
    police_area = PoliceArea.objects.create(name="Lokalpolisområde Ljungby")
    municipality = MunicipalityFactory.create(name="Ljungby kommun", slug="ljungby")
    municipality.police_areas.add(police_area)

    promise = importing.promise_import(
        municipality=municipality, draft=seed_draft(municipality, seed_text), actor=None, reason="test"
    )

    landlords = activity_starting(promise, "Ljungby kommun och Polisen bjuder in hyresvärdar")
    kommun, police = sorted(landlords.responsible_parties.all(), key=lambda party: party.kind)
    assert (kommun.name, kommun.kind, kommun.municipality) == ("Ljungby kommun", "municipality", municipality)
    assert (police.name, police.kind, police.police_area) == ("Polisen", "police", police_area)


def test_kommunen_in_a_text_that_names_no_municipality_is_the_chosen_municipality(
    home_municipality: Municipality,
) -> None:
    parsed = parse_promise_text(
        "Medborgarlöfte 2024\n\n# Trygg skolväg\n\n- Kommunen ska genomföra 3 trygghetsvandringar under året.\n"
    )

    draft = importing.draft_from_parsed(parsed=parsed, municipality=home_municipality)

    assert draft.slug == "2024"
    assert draft.focus_areas[0].activities[0].parties == ["Ljungby kommun"]


def test_a_published_promise_is_never_overwritten(home_municipality: Municipality, seed_text: str) -> None:
    published = Promise.objects.get(municipality=home_municipality, slug="2023")
    focus_areas_before = list(published.focus_areas.values_list("pk", flat=True))

    with pytest.raises(ValidationError) as refused:
        importing.promise_import(
            municipality=home_municipality,
            draft=seed_draft(home_municipality, seed_text, slug="2023"),
            actor=None,
            reason="test",
            replace_draft=True,
        )

    assert refused.value.error_dict["slug"]
    published.refresh_from_db()
    assert published.status == Promise.Status.PUBLISHED
    assert list(published.focus_areas.values_list("pk", flat=True)) == focus_areas_before


def test_an_error_in_the_middle_of_an_import_leaves_nothing_behind(
    home_municipality: Municipality, seed_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts_before = (
        Promise.objects.count(),
        FocusArea.objects.count(),
        Activity.objects.count(),
        Party.objects.count(),
        AuditEntry.objects.count(),
    )
    create = importing._focus_area_create
    calls: list[dict[str, Any]] = []

    def fail_after_the_first(**kwargs: Any) -> FocusArea:
        if calls:
            raise RuntimeError("the database went away")
        calls.append(kwargs)
        return create(**kwargs)

    monkeypatch.setattr(importing, "_focus_area_create", fail_after_the_first)

    with pytest.raises(RuntimeError):
        importing.promise_import(
            municipality=home_municipality,
            draft=seed_draft(home_municipality, seed_text),
            actor=None,
            reason="test",
        )

    assert calls, "the first focus area was written before the failure"
    assert (
        Promise.objects.count(),
        FocusArea.objects.count(),
        Activity.objects.count(),
        Party.objects.count(),
        AuditEntry.objects.count(),
    ) == counts_before


def test_an_invalid_activity_is_refused_with_its_place_named(home_municipality: Municipality) -> None:
    draft = PromiseDraft(
        title="Test",
        slug="test",
        valid_from=dt.date(2024, 1, 1),
        valid_until=dt.date(2024, 12, 31),
        focus_areas=[
            FocusAreaDraft(title="Ett", activities=[ActivityDraft(text="Kommunen ska göra något.")]),
            FocusAreaDraft(
                title="Två", activities=[ActivityDraft(text="Kommunen ska göra 3 saker.", quantity=3)]
            ),
        ],
    )

    with pytest.raises(ValidationError, match="Fokusområde 2, aktivitet 1"):
        importing.promise_import(municipality=home_municipality, draft=draft, actor=None, reason="test")

    assert not Promise.objects.filter(slug="test").exists()


def test_focus_area_slugs_are_unique_and_never_reserved(home_municipality: Municipality) -> None:
    activity = ActivityDraft(text="Kommunen ska göra 3 saker.", quantity=3, per="year")
    draft = PromiseDraft(
        title="Test",
        slug="test",
        valid_from=dt.date(2024, 1, 1),
        valid_until=dt.date(2024, 12, 31),
        focus_areas=[
            FocusAreaDraft(title="Öppen droghandel", activities=[activity]),
            FocusAreaDraft(title="Öppen droghandel", activities=[activity]),
            FocusAreaDraft(title="Aktivitet", activities=[activity]),
        ],
    )

    promise = importing.promise_import(municipality=home_municipality, draft=draft, actor=None, reason="test")

    assert [area.slug for area in promise.focus_areas.all()] == [
        "oppen-droghandel",
        "oppen-droghandel-2",
        "aktivitet-omrade",
    ]


def test_the_import_keeps_the_introduction_the_background_and_the_signatories(
    home_municipality: Municipality, seed_text: str
) -> None:
    kommun = Party.objects.get(municipality=home_municipality, kind=Party.Kind.MUNICIPALITY)
    police = Party.objects.get(kind=Party.Kind.POLICE, police_area__municipalities=home_municipality)

    promise = importing.promise_import(
        municipality=home_municipality,
        draft=importing.draft_from_parsed(
            parsed=parse_promise_text(seed_text),
            municipality=home_municipality,
            text=seed_text,
            slug="2023-fil",
        ),
        actor=None,
        reason="test",
    )

    assert promise.introduction.startswith("I arbetet för en trygg kommun samverkar kommun och polis.")
    assert "Medborgarlöftet för år 2023 innehåller aktiviteter inom flera områden" in promise.introduction
    assert "Klotter och skadegörelse i offentlig miljö har ökat" not in promise.introduction
    assert promise.background.startswith("I Ljungby kommun har vi sedan 2005 haft ett etablerat samarbete")
    assert "södra Sveriges tryggaste kommuner" in promise.background
    assert "Kommentera" not in promise.background
    assert [(s.name, s.role, s.party) for s in promise.signatories.all()] == [
        ("Magnus Gunnarsson", "kommunstyrelsens ordförande", kommun),
        ("Roger Olsson", "lokalpolisområdeschef", police),
    ]


def test_actors_who_are_not_parties_are_named_partners_and_never_new_parties(
    home_municipality: Municipality, seed_text: str
) -> None:
    parties_before = set(Party.objects.values_list("pk", flat=True))

    promise = importing.promise_import(
        municipality=home_municipality,
        draft=seed_draft(home_municipality, seed_text),
        actor=None,
        reason="test",
    )

    farm_walk = activity_starting(promise, "Polisen genomför brottsförebyggande gårdsvandring")
    assert farm_walk.other_partners == "företrädare för Länsstyrelsen, intresseorganisationer"
    assert not farm_walk.partners.exists()
    assert set(Party.objects.values_list("pk", flat=True)) == parties_before


def test_a_responsible_actor_that_is_no_party_becomes_a_named_partner_with_its_finding(
    home_municipality: Municipality,
) -> None:
    draft = PromiseDraft(
        title="Test",
        slug="test",
        valid_from=dt.date(2024, 1, 1),
        valid_until=dt.date(2024, 12, 31),
        focus_areas=[
            FocusAreaDraft(
                title="Föreningar",
                activities=[
                    ActivityDraft(text="Föreningarna ska nattvandra 10 gånger.", parties=["föreningar"])
                ],
            )
        ],
    )

    promise = importing.promise_import(municipality=home_municipality, draft=draft, actor=None, reason="test")

    activity = activity_starting(promise, "Föreningarna")
    assert not activity.responsible_parties.exists()
    assert activity.other_partners == "föreningar"
    assert not Party.objects.filter(name__iexact="föreningar").exists()
