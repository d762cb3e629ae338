"""Example crime statistics, populations, dialogues and measures for the Ljungby demo.

Every figure here is invented (exempeldata) and labelled so on screen: the statistics are written with
`example_data=True`, the dialogues likewise. The municipalities and their SCB codes and county are real.
Running `load_evidence_demo` again changes nothing: the importer sees the same figures and writes nothing,
the rest is get-or-create.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from trygg.crimestats import importers
from trygg.crimestats.models import ComparisonGroup, ImportRun
from trygg.crimestats.services import crimestats_import, population_import
from trygg.evidence.models import Dialogue, DialogueProblem, EvidenceSnapshot, Measure
from trygg.evidence.services import evidence_freeze_for_publishing
from trygg.municipalities.models import Municipality, Party
from trygg.problems.models import Problem
from trygg.promises.models import Promise

SOURCE_NOTE = "Exempeldata – påhittade siffror, inte Brås statistik"
COUNTY = "Kronobergs län"

# (SCB code, name, slug, invented population in the latest year, invented crime level relative to Ljungby)
NEIGHBOURS = [
    ("0780", "Växjö kommun", "vaxjo", 97_000, 1.25),
    ("0764", "Alvesta kommun", "alvesta", 20_300, 0.9),
    ("0765", "Älmhults kommun", "almhult", 18_200, 0.8),
    ("0767", "Markaryds kommun", "markaryd", 10_300, 0.95),
]
LJUNGBY_POPULATION = 28_300
AREA_TOTALS = [("07", "Kronobergs län", 203_500, 1.05), ("00", "Riket", 10_590_000, 1.15)]
COMPARISON_GROUP = ["0764", "0765", "0767"]

# Invented rates per 100 000 inhabitants for Ljungby in the first year, and a yearly change factor.
CATEGORY_RATES: dict[str, tuple[float, float]] = {
    "skadegorelse": (850, 1.04),
    "klotter": (210, 1.14),
    "bostadsinbrott": (110, 0.93),
    "inbrott-fritidshus": (38, 1.0),
    "butiksstold": (290, 1.06),
    "stold": (1450, 0.97),
    "bedrageri": (1350, 1.05),
    "narkotikabrott": (420, 1.09),
    "misshandel": (330, 0.99),
    "olaga-hot": (380, 1.01),
    "trafikbrott": (690, 1.02),
    "rattfylleri": (160, 1.03),
}


def _wobble(*parts: object) -> float:
    """A fixed pseudo-random factor between 0.9 and 1.1, so that the example figures look less regular."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return 0.9 + digest[0] / 255 * 0.2


def _years(today: dt.date) -> list[int]:
    last = today.year - 1
    return list(range(last - 4, last + 1))


@dataclass(frozen=True)
class DemoDialogue:
    month: int
    day: int
    kind: str
    place: str
    participants: int
    raised: tuple[tuple[str, int, str], ...]


DIALOGUES = [
    DemoDialogue(
        3,
        14,
        "medborgardialog",
        "Stadsbiblioteket, centrum",
        42,
        (
            ("klotter", 14, "Klotter på busstationen och i gångtunnlarna."),
            ("otrygga-platser", 9, "Gångtunneln vid resecentrum."),
            ("belysning", 7, "Mörkt i parken på kvällen."),
        ),
    ),
    DemoDialogue(
        4,
        2,
        "hyresvardar",
        "Kommunhuset",
        8,
        (
            ("skadegorelse", 6, "Skadegörelse i tvättstugor och källare."),
            ("narkotika", 3, ""),
        ),
    ),
    DemoDialogue(
        5,
        20,
        "naringsliv",
        "Centrumföreningen",
        12,
        (
            ("stold-snatteri", 8, "Snatteri i butikerna på Storgatan."),
            ("klotter", 5, ""),
        ),
    ),
    DemoDialogue(
        9,
        10,
        "landsbygd",
        "Bygdegården i Lidhult",
        26,
        (
            ("inbrott-landsbygd", 11, "Stölder av båtmotorer och verktyg."),
            ("trafik", 9, "Fortkörning genom byn."),
        ),
    ),
    DemoDialogue(
        10,
        8,
        "skola",
        "Gymnasieskolan",
        31,
        (
            ("narkotika", 7, "Elever oroar sig för langning."),
            ("ungdomar-som-stor", 5, ""),
            ("klotter", 3, ""),
        ),
    ),
    DemoDialogue(
        11,
        22,
        "medarbetardialog",
        "Polisstationen",
        15,
        (
            ("narkotika", 5, ""),
            ("trafik", 4, ""),
            ("vald", 3, "Misshandel i centrum helgnätter."),
        ),
    ),
]

MEASURES = [
    ("Sanera anmält klotter inom två arbetsdagar på kommunens fastigheter.", True, ("klotter",)),
    (
        "Gemensam trygghetsvandring med polis och fastighetsägare i centrum under hösten.",
        True,
        ("otrygga-platser", "belysning"),
    ),
    (
        "Kartlägga platser där narkotika säljs i samverkan med skolan och socialtjänsten.",
        False,
        ("narkotika",),
    ),
    ("Informationsmöten om inbrottsskydd för landsbygdsbor.", True, ("inbrott-landsbygd",)),
]


def _crime_csv(municipalities: list[tuple[str, str, int, float]], years: list[int]) -> bytes:
    lines = ["kommunkod,kommun,brottskategori,period,antal"]
    first = years[0]
    for code, name, population, level in municipalities:
        for category, (rate, factor) in CATEGORY_RATES.items():
            for year in years:
                local_factor = factor if code == "0781" else 1 + (factor - 1) / 3
                value = rate * level * local_factor ** (year - first) * _wobble(code, category, year)
                count = round(value * population / 100_000)
                lines.append(f"{code},{name.removesuffix(' kommun')},{category},{year},{count}")
    return ("\n".join(lines) + "\n").encode()


def _population_csv(municipalities: list[tuple[str, str, int, float]], years: list[int]) -> bytes:
    lines = ["kommunkod,kommun,år,folkmängd"]
    for code, name, population, _level in municipalities:
        for offset, year in enumerate(reversed(years)):
            lines.append(
                f"{code},{name.removesuffix(' kommun')},{year},{round(population * (1 - 0.003 * offset))}"
            )
    return ("\n".join(lines) + "\n").encode()


@transaction.atomic
def load_evidence_demo(municipality: Municipality, *, today: dt.date | None = None) -> None:
    """Give Ljungby (and four Kronoberg neighbours for comparison) example statistics, dialogues and measures."""
    today = today or timezone.localdate()
    years = _years(today)
    for code, name, slug, _population, _level in NEIGHBOURS:
        # update_or_create: a demo loaded before the names were right gets the official names too.
        Municipality.objects.update_or_create(
            scb_code=code, defaults={"name": name, "slug": slug, "county": COUNTY}
        )
    if not municipality.county:
        municipality.county = COUNTY
        municipality.save(update_fields=["county"])
    all_municipalities = [(municipality.scb_code, municipality.name, LJUNGBY_POPULATION, 1.0)] + [
        (code, name, population, level) for code, name, _slug, population, level in NEIGHBOURS
    ]
    # The county's and the country's totals as the source gives them: only 5 of Kronoberg's 8 kommuner are in
    # the demo, and a comparison area is never the sum of the kommuner that happen to be loaded.
    all_municipalities += AREA_TOTALS
    population_import(
        source=_population_csv(all_municipalities, years),
        file_name="exempel-folkmangd.csv",
        by=None,
        example_data=True,
    )
    crimestats_import(
        source=_crime_csv(all_municipalities, years),
        file_name="exempel-anmalda-brott.csv",
        by=None,
        example_data=True,
        source_note=SOURCE_NOTE,
        mapping=importers.DEFAULT_MAPPING,
    )
    group, _created = ComparisonGroup.objects.get_or_create(
        municipality=municipality,
        defaults={
            "name": "Liknande kommuner i länet",
            "note": "Exempel: kommuner av liknande storlek i Kronoberg",
        },
    )
    group.members.set(Municipality.objects.filter(scb_code__in=COMPARISON_GROUP))

    problems = {problem.slug: problem for problem in Problem.objects.all()}
    last_year = years[-1]
    for demo in DIALOGUES:
        dialogue, _created = Dialogue.objects.get_or_create(
            municipality=municipality,
            date=dt.date(last_year, demo.month, demo.day),
            kind=demo.kind,
            place=demo.place,
            defaults={"participants": demo.participants, "example_data": True},
        )
        for slug, raised_by, notes in demo.raised:
            DialogueProblem.objects.get_or_create(
                dialogue=dialogue, problem=problems[slug], defaults={"raised_by": raised_by, "notes": notes}
            )

    owner = Party.objects.filter(municipality=municipality, kind=Party.Kind.MUNICIPALITY).first()
    police = Party.objects.filter(kind=Party.Kind.POLICE, police_area__municipalities=municipality).first()
    for order, (text, is_public, slugs) in enumerate(MEASURES, start=1):
        party = police if (order % 2 == 0 and police) else owner
        if party is None:
            continue
        measure, _created = Measure.objects.get_or_create(
            municipality=municipality,
            year=last_year + 1,
            text=text,
            defaults={"owner": party, "is_public": is_public, "order": order},
        )
        measure.problems.set([problems[slug] for slug in slugs])


@transaction.atomic
def load_evidence_snapshots_demo(promise: Promise) -> None:
    """Freeze the evidence of the current promise's focus areas as on the day it was published, as publishing
    does (idempotent: a focus area that has a snapshot keeps it). The figures are the example statistics."""
    if EvidenceSnapshot.objects.filter(focus_area__promise=promise).exists():
        return
    taken_on = promise.published_on or promise.valid_from
    # The example statistics were just imported; in the demo's story they were there a week before the promise
    # was published, so that no source in its snapshot is dated after the snapshot itself.
    before = timezone.make_aware(dt.datetime.combine(taken_on - dt.timedelta(days=7), dt.time(9)))
    ImportRun.objects.filter(example_data=True, imported_at__gt=before).update(imported_at=before)
    evidence_freeze_for_publishing(promise=promise, today=taken_on)
