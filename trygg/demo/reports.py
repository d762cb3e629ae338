"""Example residents' reports around Ljungby, in every state. Invented: labelled "Exempeldata" on screen.

`load_reports_demo(municipality)` is idempotent: the categories, the gazetteer entries and the reports
are keyed by stable slugs, names and submission ids, so running it again changes and duplicates nothing.
Dates are relative to the day it first runs, so the example looks fresh.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from trygg.municipalities.models import Municipality, Party
from trygg.promises.models import Activity
from trygg.reports import geo
from trygg.reports.management.commands.import_gazetteer import read_rows
from trygg.reports.models import Place, Report, ReportCategory, ReportEvent
from trygg.reports.services import PlaceRow, places_import, report_categories_ensure_defaults, report_due_at

_NAMESPACE = uuid.UUID("6d1c2a4e-7b1f-4f0e-9c55-0e7a4b7d2f11")

# Central Ljungby's streets, squares and places: real names at approximate points, written by the project.
GAZETTEER = Path(__file__).parent / "data" / "ljungby_gazetteer.csv"


def gazetteer_rows() -> list[PlaceRow]:
    rows, errors = read_rows(GAZETTEER.read_text(encoding="utf-8"), str(GAZETTEER))
    if errors:
        raise ValueError("\n".join(errors))
    return rows


@dataclass(frozen=True)
class DemoReport:
    key: str
    category: str
    place: str
    offset: tuple[float, float]  # degrees added to the place's point
    days_ago: int
    description: str
    state: str
    note: str = ""
    police_report_number: str = ""
    offensive: bool = False
    days_to_close: int = 3


S = Report.State
REPORTS: tuple[DemoReport, ...] = (
    DemoReport(
        "k1", "klotter", "Ljungbyporten", (0.0002, 0.0001), 1, "Klotter på fasaden vid entrén.", S.NEW
    ),
    DemoReport(
        "k2",
        "klotter",
        "Ljungbyporten",
        (-0.0003, 0.0004),
        2,
        "Kränkande text sprayad på skylten.",
        S.RECEIVED,
        offensive=True,
    ),
    DemoReport(
        "k3",
        "klotter",
        "Resecentrum",
        (0.0001, -0.0002),
        12,
        "Tags på busskuren.",
        S.RESOLVED,
        "Klottret är borttaget.",
        days_to_close=4,
    ),
    DemoReport(
        "k4",
        "klotter",
        "Storgatan",
        (0.0003, 0.0002),
        40,
        "Klotter på elskåpet.",
        S.RESOLVED,
        "Sanerat.",
        days_to_close=6,
    ),
    DemoReport(
        "s1",
        "skadegorelse",
        "Ljungbyporten",
        (0.0004, -0.0003),
        3,
        "Krossad glasruta i cykelgaraget.",
        S.POLICE_REPORTED,
        "Skadegörelsen är polisanmäld.",
        police_report_number="5000-K123456-24",
    ),
    DemoReport(
        "s2",
        "skadegorelse",
        "Salvesbacken",
        (0.0, 0.0003),
        35,
        "Sönderslagen parkbänk.",
        S.RESOLVED,
        "Bänken är lagad.",
        police_report_number="5000-K654321-24",
        days_to_close=8,
    ),
    DemoReport(
        "s3",
        "skadegorelse",
        "Lagavallen",
        (0.0002, 0.0002),
        8,
        "Trasigt staket vid läktaren.",
        S.NOT_RESPONSIBLE,
        "Staketet ägs av idrottsföreningen; vi har meddelat dem.",
    ),
    DemoReport(
        "b1",
        "belysning",
        "Lagaån, gångvägen",
        (0.0001, 0.0001),
        5,
        "Tre lampor längs gångvägen är släckta.",
        S.RECEIVED,
    ),
    DemoReport(
        "b2",
        "belysning",
        "Drottninggatan",
        (-0.0002, 0.0),
        20,
        "Gatlampa blinkar.",
        S.RESOLVED,
        "Armaturen är utbytt.",
        days_to_close=9,
    ),
    DemoReport(
        "n1", "nedskrapning", "Stora torget", (0.0001, -0.0001), 0, "Papperskorgarna är fulla.", S.NEW
    ),
    DemoReport(
        "n2",
        "nedskrapning",
        "Ljungbyporten",
        (0.0005, 0.0002),
        15,
        "Dumpade sopsäckar bakom butikerna.",
        S.NOT_RESOLVED,
        "Marken är privat; fastighetsägaren ansvarar.",
    ),
    DemoReport(
        "o1",
        "otrygg-plats",
        "Lagaån, gångvägen",
        (-0.0003, 0.0002),
        10,
        "Mörkt och buskigt, känns otryggt på kvällen.",
        S.RECEIVED,
        "Tas upp vid nästa trygghetsvandring.",
    ),
    DemoReport(
        "v1",
        "ovrigt",
        "Resecentrum",
        (0.0002, 0.0003),
        6,
        "Skylten med tidtabellen har ramlat ned.",
        S.NOT_RESPONSIBLE,
        "Länstrafiken ansvarar för skylten.",
    ),
)


def _link_activities(municipality: Municipality, categories: dict[str, ReportCategory]) -> None:
    activities = Activity.objects.filter(focus_area__promise__municipality=municipality)
    for activity in activities:
        text = activity.text.lower()
        if "polisen" in text and "skadegörelse" in text:
            categories["skadegorelse"].activities.add(activity)
        elif "klotter" in text and "skadegörelse" in text:
            categories["klotter"].activities.add(activity)
            categories["skadegorelse"].activities.add(activity)


@transaction.atomic
def load_reports_demo(municipality: Municipality, *, now: dt.datetime | None = None) -> int:
    """Create the example categories, places and reports; returns how many reports were new."""
    report_categories_ensure_defaults(municipality=municipality)
    categories = {
        category.slug: category for category in ReportCategory.objects.filter(municipality=municipality)
    }
    _link_activities(municipality, categories)
    places_import(municipality=municipality, rows=gazetteer_rows(), audited=False)
    places = {place.name: place for place in Place.objects.filter(municipality=municipality, locality="")}
    crew = Party.objects.filter(municipality=municipality, kind=Party.Kind.MUNICIPALITY).first()
    # Anchor the demo at 09:00 on a day far enough back that a report's last event (up to a day after it came
    # in) is never later than now, whatever the time of day the demo is loaded.
    now = now or timezone.now()
    today = (now - dt.timedelta(days=1, hours=9)).replace(hour=9, minute=0, second=0, microsecond=0)
    created = 0
    for demo in REPORTS:
        submission_id = uuid.uuid5(_NAMESPACE, f"{municipality.slug}:{demo.key}")
        if Report.objects.filter(submission_id=submission_id).exists():
            continue
        place = places[demo.place]
        latitude, longitude = place.latitude + demo.offset[0], place.longitude + demo.offset[1]
        public_latitude, public_longitude = geo.snap_to_grid(latitude, longitude)
        category = categories[demo.category]
        created_at = today - dt.timedelta(days=demo.days_ago)
        closed = demo.state in S.final_states()
        closed_at = created_at + dt.timedelta(days=demo.days_to_close) if closed else None
        report = Report.objects.create(
            municipality=municipality,
            category=category,
            reference=f"EX-{municipality.slug[:3].upper()}-{demo.key.upper()}",
            description=demo.description,
            offensive=demo.offensive,
            place_name=place.name,
            latitude=latitude,
            longitude=longitude,
            public_latitude=public_latitude,
            public_longitude=public_longitude,
            state=demo.state,
            public_reason=demo.note if demo.state in S.needs_reason() else "",
            police_report_number=demo.police_report_number,
            assigned_party=crew if demo.state != S.NEW else None,
            submission_id=submission_id,
            source=Report.Source.DEMO,
            is_example=True,
            created_at=created_at,
            due_at=report_due_at(category=category, offensive=demo.offensive, start=created_at),
            received_at=created_at + dt.timedelta(hours=5) if demo.state != S.NEW else None,
            police_reported_at=created_at + dt.timedelta(days=1) if demo.police_report_number else None,
            resolved_at=closed_at,
        )
        ReportEvent.objects.create(report=report, at=created_at, state_to=S.NEW, note="Felanmälan inkom.")
        if demo.state != S.NEW:
            ReportEvent.objects.create(
                report=report,
                at=created_at + dt.timedelta(hours=5),
                state_from=S.NEW,
                state_to=S.RECEIVED,
                note="",
            )
        if demo.police_report_number:
            ReportEvent.objects.create(
                report=report,
                at=created_at + dt.timedelta(days=1),
                state_from=S.RECEIVED,
                state_to=S.POLICE_REPORTED,
                note="Skadegörelsen är polisanmäld." if demo.state != S.POLICE_REPORTED else demo.note,
            )
        if closed_at is not None:
            before = S.POLICE_REPORTED if demo.police_report_number else S.RECEIVED
            ReportEvent.objects.create(
                report=report, at=closed_at, state_from=before, state_to=demo.state, note=demo.note
            )
        elif demo.note and demo.state == S.RECEIVED:
            ReportEvent.objects.create(report=report, at=created_at + dt.timedelta(days=1), note=demo.note)
        created += 1
    return created
