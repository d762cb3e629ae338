"""Example meetings, safety walks, a neighbourhood-watch area and wastewater measurements for Ljungby 2023.

Invented details (times, places, participants, observations, measured values) are example data
(``is_example=True``) and labelled "Exempeldata" on screen. `load_meetings_demo` is idempotent: rows are
found by their natural keys before they are created. Each held meeting, walk and sampling date is linked
to the Execution of its activity; the executions use the same activity, date and description as the
follow-up demo (`trygg.demo.followup`), so whichever loads first creates them and the other finds them:
nothing is counted twice.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from trygg.followup.models import Execution, PlannedDate
from trygg.indicators.models import Indicator, Measurement, SamplingExecution
from trygg.meetings.models import (
    Meeting,
    MeetingActivity,
    NeighbourhoodWatch,
    Observation,
    RaisedProblem,
    SafetyWalk,
    Task,
    WalkActivity,
)
from trygg.meetings.services import CATEGORY_PROBLEMS
from trygg.municipalities.models import Area, Municipality, Party
from trygg.problems.models import Problem
from trygg.promises.models import Activity, Promise

from . import ljungby

TZ = ZoneInfo("Europe/Stockholm")
_NAMESPACE = uuid.UUID("3f1f7c1e-52f4-4c52-9a0e-6b7f0f3c1a21")


@dataclass(frozen=True)
class DemoMeeting:
    title: str
    kind: str
    starts: str  # ISO date and time, local
    hours: float
    place: str
    area: str | None
    organisers: tuple[str, ...]
    invited: str
    activity_words: str
    execution_description: str
    participants: int
    is_public: bool
    minutes: str
    problems: dict[str, int] = field(default_factory=dict)
    watch: str | None = None


K = Meeting.Kind
MEETINGS: tuple[DemoMeeting, ...] = (
    DemoMeeting(
        "Dialogmöte med hyresvärdarna",
        K.DIALOGUE,
        "2023-04-19T15:00",
        2,
        "Stadshuset, sammanträdesrum Lagan",
        "Centrum",
        (ljungby.KOMMUN, ljungby.POLIS),
        "Hyresvärdar i kommunen",
        "hyresvärdarna",
        "Dialogmöte med fem hyresvärdar i stadshuset.",
        11,
        False,
        "Hyresvärdarna beskrev oro i trapphus och källare. Polisen berättade om läget i centrum.",
        {"drogpaverkade-offentlig-miljo": 6, "narkotika": 4, "otrygga-platser": 3},
    ),
    DemoMeeting(
        "Dialogmöte med Centrumföreningen",
        K.DIALOGUE,
        "2023-05-16T08:00",
        1.5,
        "Polisstationen i Ljungby",
        "Centrum",
        (ljungby.POLIS,),
        "Centrumföreningens medlemmar",
        "Centrumföreningen",
        "Dialogmöte med Centrumföreningen om tryggheten i centrum.",
        9,
        False,
        "Handlarna tog upp klotter på fasader och ungdomar som samlas vid torget på kvällarna.",
        {"klotter": 5, "ungdomar-som-stor": 3, "drogpaverkade-offentlig-miljo": 2},
    ),
    DemoMeeting(
        "Dialogmöte på landsbygden: Lidhult",
        K.CITIZEN_DIALOGUE,
        "2023-03-14T18:30",
        2,
        "Lidhults bygdegård",
        "Landsbygd",
        (ljungby.KOMMUN, ljungby.POLIS),
        "Alla som bor i Lidhult med omnejd",
        "dialogmöten 2 gånger",
        "Dialogmöte i Lidhult bygdegård.",
        34,
        True,
        "Många oroade sig för inbrott i fritidshus och förråd. Polisen tipsade om grannsamverkan.",
        {"inbrott-landsbygd": 19, "bostadsinbrott": 7, "trafik": 5},
    ),
    DemoMeeting(
        "Dialogmöte på landsbygden: Agunnaryd",
        K.CITIZEN_DIALOGUE,
        "2023-10-10T18:30",
        2,
        "Agunnaryds församlingshem",
        "Landsbygd",
        (ljungby.KOMMUN, ljungby.POLIS),
        "Alla som bor i Agunnaryd med omnejd",
        "dialogmöten 2 gånger",
        "Dialogmöte i Agunnaryd.",
        21,
        True,
        "Samtalet handlade om stölder av diesel och verktyg, och om fortkörning genom byn.",
        {"inbrott-landsbygd": 12, "trafik": 6},
    ),
    DemoMeeting(
        "Grannsamverkansmöte i Vittaryd",
        K.NEIGHBOURHOOD_WATCH,
        "2023-02-28T19:00",
        1.5,
        "Vittaryds bygdegård",
        "Landsbygd",
        (ljungby.POLIS, ljungby.KOMMUN),
        "Hushåll i Vittaryd",
        "grannsamverkansmöte",
        "Grannsamverkansmöte i Vittaryd.",
        26,
        True,
        "Polisen gick igenom hur grannsamverkan fungerar. Kontaktombud utsågs för byns tre delar.",
        {"inbrott-landsbygd": 9, "bostadsinbrott": 6},
        watch="Vittaryd",
    ),
    DemoMeeting(
        "Samverkansträff på Ljungbyporten",
        K.COLLABORATION,
        "2023-10-05T08:30",
        1.5,
        "Ljungbyporten, konferensrummet",
        "Ljungbyporten",
        (ljungby.POLIS, ljungby.KOMMUN),
        "Butiker och företag på handelsplatsen",
        "samverkansträff",
        "Samverkansträff med butikerna på handelsplatsen.",
        18,
        False,
        "Butikerna delar nu information om stölder i en gemensam grupp. Polisen ökar fotpatrullerna före helger.",
        {"stold-snatteri": 14},
    ),
)


@dataclass(frozen=True)
class DemoObservation:
    key: str
    place: str
    category: str
    note: str
    point: tuple[float, float] | None  # (latitude, longitude)
    owner: str
    state: str
    outcome: str = ""


@dataclass(frozen=True)
class DemoWalk:
    title: str
    date: str
    area: str
    activity_words: str
    execution_description: str | None  # as in the follow-up demo, when it has one for this date
    participants: int
    groups: str
    route: tuple[tuple[float, float], ...]  # (longitude, latitude), as GeoJSON
    stops: tuple[tuple[str, float, float], ...]  # (name, latitude, longitude)
    observations: tuple[DemoObservation, ...]


C = Observation.Category
T = Task.State
WALKS: tuple[DemoWalk, ...] = (
    DemoWalk(
        "Trygghetsvandring i Ryssby",
        "2023-09-20",
        "Landsbygd",
        "trygghetsvandringar",
        "Trygghetsvandring i Ryssby.",
        14,
        "boende, kommunen, polisen, hyresvärden",
        ((14.0130, 56.8590), (14.0165, 56.8602), (14.0198, 56.8611), (14.0231, 56.8604)),
        (
            ("Skolan", 56.8590, 14.0130),
            ("Busshållplatsen", 56.8602, 14.0165),
            ("Idrottsplatsen", 56.8604, 14.0231),
        ),
        (
            DemoObservation(
                "ryssby-1",
                "Gång- och cykelvägen bakom skolan",
                C.LIGHTING,
                "Två gatlampor är trasiga; mörkt på kvällen.",
                (56.8593, 14.0141),
                ljungby.KOMMUN,
                T.DONE,
                "Lamporna byttes den 28 september.",
            ),
            DemoObservation(
                "ryssby-2",
                "Busshållplatsen",
                C.VEGETATION,
                "Buskarna skymmer sikten mot vägen.",
                (56.8602, 14.0165),
                ljungby.KOMMUN,
                T.DONE,
                "Buskarna klipptes ner i oktober.",
            ),
            DemoObservation(
                "ryssby-3",
                "Förrådsbyggnad vid idrottsplatsen",
                C.GRAFFITI,
                "Klotter på väggen mot parkeringen.",
                (56.8606, 14.0226),
                ljungby.KOMMUN,
                T.NOT_OURS,
                "Byggnaden ägs av idrottsföreningen, som har fått veta och sanerar själv.",
            ),
        ),
    ),
    DemoWalk(
        "Trygghetsvandring i Lagan",
        "2023-10-18",
        "Landsbygd",
        "trygghetsvandringar",
        None,
        11,
        "boende, kommunen, polisen",
        ((13.9840, 56.9170), (13.9871, 56.9182), (13.9902, 56.9190)),
        (("Torget", 56.9170, 13.9840), ("Stationen", 56.9190, 13.9902)),
        (
            DemoObservation(
                "lagan-1",
                "Gångtunneln under järnvägen",
                C.UNSAFE_PASSAGE,
                "Smal och mörk tunnel som många undviker.",
                (56.9184, 13.9878),
                ljungby.KOMMUN,
                T.OPEN,
            ),
            DemoObservation(
                "lagan-2",
                "Parkeringen vid stationen",
                C.LITTER,
                "Mycket skräp och en trasig papperskorg.",
                None,
                ljungby.KOMMUN,
                T.DONE,
                "Papperskorgen byttes och platsen städades.",
            ),
        ),
    ),
)

WATCHES: tuple[tuple[str, str, str], ...] = (
    # (name, area, signed up on)
    ("Vittaryd", "Landsbygd", "2023-02-28"),
    ("Torpa", "Landsbygd", "2022-05-10"),
)

WASTEWATER_DATES = ("2023-03-14", "2023-06-13", "2023-09-12", "2023-11-21")
WASTEWATER_DESCRIPTION = "Prov taget vid reningsverket under en vecka."
# Invented values, mg per 1000 invånare och dygn, per sampling date.
WASTEWATER_VALUES: dict[str, tuple[str, str, str, str]] = {
    Measurement.Substance.AMPHETAMINE: ("21.4", "18.9", "24.2", "19.7"),
    Measurement.Substance.COCAINE: ("9.8", "12.1", "10.6", "13.3"),
    Measurement.Substance.CANNABIS: ("31.0", "28.4", "35.2", "30.1"),
}
WASTEWATER_CAVEATS = (
    "Siffrorna visar hur mycket av ett ämne som fanns i avloppsvattnet under provveckan, räknat per 1000 "
    "invånare. De säger ingenting om hur många som använder droger: några få personer som använder mycket "
    "ger samma siffra som många som använder lite.\n\n"
    "Ett enskilt prov kan påverkas av till exempel helger, evenemang och regn. Titta på hur siffrorna "
    "utvecklas över flera prov, och jämför bara med andra orter om proven är tagna och analyserade på samma sätt."
)


def _activity(activities: list[Activity], words: str) -> Activity:
    found = [activity for activity in activities if words.lower() in activity.text.lower()]
    if len(found) != 1:
        raise LookupError(f"expected one activity with {words!r}, found {len(found)}")
    return found[0]


def _execution(
    activity: Activity, day: dt.date, description: str, participants: int | None, link_note: str
) -> Execution:
    # The key (activity, date, description) is the follow-up demo's: one of the two loaders creates it.
    execution, _created = Execution.objects.get_or_create(
        activity=activity,
        done_on=day,
        description=description,
        defaults={"count": 1, "participants": participants, "is_example": True, "link_note": link_note},
    )
    return execution


def _load_meetings(
    municipality: Municipality,
    activities: list[Activity],
    parties: dict[str, Party],
    areas: dict[str, Area],
    problems: dict[str, Problem],
    watches: dict[str, NeighbourhoodWatch],
) -> None:
    for demo in MEETINGS:
        starts_at = dt.datetime.fromisoformat(demo.starts).replace(tzinfo=TZ)
        meeting, _created = Meeting.objects.update_or_create(
            municipality=municipality,
            title=demo.title,
            starts_at=starts_at,
            defaults={
                "kind": demo.kind,
                "ends_at": starts_at + dt.timedelta(hours=demo.hours),
                "place": demo.place,
                "area": areas.get(demo.area) if demo.area else None,
                "invited_groups": demo.invited,
                "is_public": demo.is_public,
                "status": Meeting.Status.HELD,
                "participants": demo.participants,
                "minutes": demo.minutes,
                "neighbourhood_watch": watches.get(demo.watch) if demo.watch else None,
                "is_example": True,
            },
        )
        meeting.organisers.set([parties[name] for name in demo.organisers])
        activity = _activity(activities, demo.activity_words)
        execution = _execution(
            activity, starts_at.date(), demo.execution_description, demo.participants, demo.title
        )
        MeetingActivity.objects.update_or_create(
            meeting=meeting, activity=activity, defaults={"execution": execution}
        )
        for slug, mentions in demo.problems.items():
            RaisedProblem.objects.update_or_create(
                meeting=meeting, problem=problems[slug], defaults={"mentions": mentions}
            )


def _load_walks(
    municipality: Municipality,
    activities: list[Activity],
    parties: dict[str, Party],
    areas: dict[str, Area],
    problems: dict[str, Problem],
) -> None:
    for demo in WALKS:
        day = dt.date.fromisoformat(demo.date)
        walk, _created = SafetyWalk.objects.update_or_create(
            municipality=municipality,
            title=demo.title,
            date=day,
            defaults={
                "area": areas.get(demo.area),
                "route": {"type": "LineString", "coordinates": [list(point) for point in demo.route]},
                "stops": [{"name": name, "latitude": lat, "longitude": lon} for name, lat, lon in demo.stops],
                "participants": demo.participants,
                "participant_groups": demo.groups,
                "status": SafetyWalk.Status.HELD,
                "is_public": True,
                "is_example": True,
            },
        )
        walk.organisers.set([parties[ljungby.KOMMUN], parties[ljungby.POLIS]])
        activity = _activity(activities, demo.activity_words)
        description = demo.execution_description or f"{demo.title}."
        execution = _execution(activity, day, description, demo.participants, demo.title)
        WalkActivity.objects.update_or_create(walk=walk, activity=activity, defaults={"execution": execution})
        for observation_demo in demo.observations:
            slug = CATEGORY_PROBLEMS.get(observation_demo.category)
            observation, _created = Observation.objects.update_or_create(
                submission_id=uuid.uuid5(_NAMESPACE, observation_demo.key),
                defaults={
                    "walk": walk,
                    "place": observation_demo.place,
                    "category": observation_demo.category,
                    "note": observation_demo.note,
                    "latitude": observation_demo.point[0] if observation_demo.point else None,
                    "longitude": observation_demo.point[1] if observation_demo.point else None,
                    "problem": problems.get(slug) if slug else None,
                    "is_example": True,
                },
            )
            closed = observation_demo.state != Task.State.OPEN
            Task.objects.update_or_create(
                observation=observation,
                defaults={
                    "owner_party": parties[observation_demo.owner],
                    "due_on": day + dt.timedelta(days=30),
                    "state": observation_demo.state,
                    "outcome": observation_demo.outcome,
                    "closed_on": day + dt.timedelta(days=14) if closed else None,
                },
            )


def _wastewater_indicator(municipality: Municipality) -> Indicator:
    indicator, _created = Indicator.objects.update_or_create(
        municipality=municipality,
        slug="avloppsvatten",
        defaults={
            "name": "Narkotika i avloppsvattnet",
            "kind": Indicator.Kind.WASTEWATER,
            "unit": "mg per 1000 invånare och dygn",
            "description": "Kommunen låter analysera avloppsvattnet vid reningsverket fyra gånger om året.",
            "caveats": WASTEWATER_CAVEATS,
            "is_public": True,
            "is_example": True,
        },
    )
    return indicator


def _load_wastewater(municipality: Municipality, activities: list[Activity]) -> None:
    indicator = _wastewater_indicator(municipality)
    activity = _activity(activities, "avloppsvattnet")
    indicator.activities.add(activity)
    for index, day_text in enumerate(WASTEWATER_DATES):
        day = dt.date.fromisoformat(day_text)
        for substance, values in WASTEWATER_VALUES.items():
            Measurement.objects.update_or_create(
                indicator=indicator,
                sampled_on=day,
                substance=substance,
                defaults={"value": Decimal(values[index]), "lab": "Exempellaboratoriet", "is_example": True},
            )
        execution = _execution(
            activity, day, WASTEWATER_DESCRIPTION, None, f"{indicator.name} {day.isoformat()}"
        )
        SamplingExecution.objects.update_or_create(
            indicator=indicator, sampled_on=day, activity=activity, defaults={"execution": execution}
        )


@transaction.atomic
def load_meetings_demo(municipality: Municipality, promise: Promise) -> None:
    """Add the example meetings, walks, neighbourhood watch and wastewater figures (idempotent)."""
    activities = list(Activity.objects.filter(focus_area__promise=promise))
    parties = {
        ljungby.KOMMUN: Party.objects.get(municipality=municipality, name=ljungby.KOMMUN),
        ljungby.POLIS: Party.objects.filter(
            name=ljungby.POLIS, police_area__municipalities=municipality
        ).first()
        or Party.objects.get(name=ljungby.POLIS, municipality=None),
    }
    areas = {area.name: area for area in Area.objects.filter(municipality=municipality)}
    problems = {problem.slug: problem for problem in Problem.objects.all()}
    watches = {}
    for name, area, signed_up_on in WATCHES:
        watches[name], _created = NeighbourhoodWatch.objects.update_or_create(
            municipality=municipality,
            name=name,
            defaults={
                "area": areas.get(area),
                "signed_up_on": dt.date.fromisoformat(signed_up_on),
                "contact_name": "Exempel Kontaktombud",
                "contact_phone": "0372-00 00 00",
                "is_example": True,
            },
        )
    _load_meetings(municipality, activities, parties, areas, problems, watches)
    _load_walks(municipality, activities, parties, areas, problems)
    _load_wastewater(municipality, activities)


# The current year's samples, as days after 1 January (one a quarter); only those that have come are taken.
CURRENT_WASTEWATER_DAYS = (70, 161, 252, 322)


@transaction.atomic
def load_current_meetings_demo(municipality: Municipality, promise: Promise, *, today: dt.date) -> None:
    """The current promise's wastewater samples so far: each counts toward the current year's activity, the
    one whose period holds its date; the samples still to come are planned dates (idempotent)."""
    activity = _activity(list(Activity.objects.filter(focus_area__promise=promise)), "avloppsvattnet")
    indicator = _wastewater_indicator(municipality)
    indicator.activities.add(activity)
    for index, offset in enumerate(CURRENT_WASTEWATER_DAYS):
        day = promise.valid_from + dt.timedelta(days=offset)
        if day > promise.valid_until:
            continue
        if day > today:
            PlannedDate.objects.get_or_create(
                activity=activity,
                date=day,
                defaults={"note": "Provtagning vid reningsverket", "is_example": True},
            )
            continue
        for substance, values in WASTEWATER_VALUES.items():
            # The same invented levels as in 2023, a little lower: the example shows a change over time.
            value = (Decimal(values[index]) * Decimal("0.92")).quantize(Decimal("0.1"))
            Measurement.objects.update_or_create(
                indicator=indicator,
                sampled_on=day,
                substance=substance,
                defaults={"value": value, "lab": "Exempellaboratoriet", "is_example": True},
            )
        execution = _execution(
            activity, day, WASTEWATER_DESCRIPTION, None, f"{indicator.name} {day.isoformat()}"
        )
        SamplingExecution.objects.update_or_create(
            indicator=indicator, sampled_on=day, activity=activity, defaults={"execution": execution}
        )
