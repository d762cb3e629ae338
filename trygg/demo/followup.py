"""Invented follow-up for the Ljungby demo: the 2023 promise with its final report, and the current promise.

The 2023 promise ended long ago: its executions fall inside 2023, the assessments made during the year are
followed by the final assessments staff gave in January 2024, and a few activities are left without one, so
the final report shows every ending (genomförd, delvis, ej genomförd, ej slutbedömd, inställd). The current
promise's follow-up is dated relative to the day the demo is loaded and never after it, so its statuses are
those of a running year whatever the date.

Everything here is example data (``is_example=True``) and is labelled "Exempeldata" on screen. Running it
again changes nothing and duplicates nothing: rows are found by activity and date before they are created.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from trygg.followup.models import Assessment, Cancellation, Execution, PlannedDate
from trygg.municipalities.models import Municipality
from trygg.promises.models import Activity, Promise

D = dt.date.fromisoformat

# (words that identify the activity's text, [(date, what was done, count, participants)])
EXECUTIONS: list[tuple[str, list[tuple[str, str, int, int | None]]]] = [
    (
        "avloppsvattnet",
        [
            ("2023-03-14", "Prov taget vid reningsverket under en vecka.", 1, None),
            ("2023-06-13", "Prov taget vid reningsverket under en vecka.", 1, None),
            ("2023-09-12", "Prov taget vid reningsverket under en vecka.", 1, None),
            ("2023-11-21", "Prov taget vid reningsverket under en vecka.", 1, None),
        ],
    ),
    ("hyresvärdarna", [("2023-04-19", "Dialogmöte med fem hyresvärdar i stadshuset.", 1, 11)]),
    (
        "samverkansträff",
        [("2023-10-05", "Samverkansträff med butikerna på handelsplatsen.", 1, 18)],
    ),
    (
        "dialogmöten 2 gånger",
        [
            ("2023-03-14", "Dialogmöte i Lidhult bygdegård.", 1, 34),
            ("2023-10-10", "Dialogmöte i Agunnaryd.", 1, 21),
        ],
    ),
    ("trygghetsvandringar", [("2023-09-20", "Trygghetsvandring i Ryssby.", 1, 14)]),
    (
        "grannsamverkansmöte",
        [
            ("2023-02-28", "Grannsamverkansmöte i Vittaryd.", 1, 26),
            ("2023-11-08", "Grannsamverkansmöte i Torpa.", 1, 19),
        ],
    ),
    (
        "tar bort klotter",
        [
            ("2023-05-03", "Klotter sanerat på tre fasader i centrum.", 3, None),
            ("2023-08-22", "Skadegörelse lagad vid busshållplats.", 1, None),
        ],
    ),
    (
        "årskurs 8",
        [("2023-04-25", "Föreläsning för elever i årskurs 8 på två skolor.", 2, 180)],
    ),
    ("patrullerar till fots", [("2023-12-20", "Fotpatrull på handelsplatsen i julhandeln.", 1, None)]),
]

# (words of the activity, assessed status, reason)
ASSESSMENTS: list[tuple[str, str, str]] = [
    ("tar bort klotter", "done", "Anmält klotter har sanerats inom en vecka under hela året."),
    ("årskurs 8", "done", "Informationen gavs på alla skolor med årskurs 8 och på ett föräldramöte."),
    (
        "slumpvisa drogtester",
        "partly_done",
        "Testerna gäller alla årskurser från hösten, men färre tester än planerat.",
    ),
    ("kameraövervakning", "on_track", "Kameror är uppsatta vid två av fyra skolor; resten under våren."),
    ("socialtjänstlots", "delayed", "Informationsträffarna sköts upp när lotsen byttes ut."),
    ("Håll dig på benen", "not_started", "Arbetet är planerat men har inte börjat."),
    ("informationsinsatser", "not_done", "Inga gemensamma informationsinsatser blev av under året."),
    ("patrullerar till fots", "on_track", "Fotpatrullering sker när resurser finns, oftast före helger."),
    ("fri från våld", "on_track", "Cheferna utbildas först; verksamheterna följer efter."),
]

# The final assessments given after 2023 ended (words of the activity, status, reason). "fri från våld",
# "All skadegörelse anmäls" and "snabba och riktade insatser" get none: they stay ej slutbedömda.
FINAL_ASSESSMENTS: list[tuple[str, str, str]] = [
    (
        "kameraövervakning",
        "partly_done",
        "Kamerorna kom upp vid två av fyra skolor under 2023; de två andra flyttades till nästa år.",
    ),
    ("socialtjänstlots", "partly_done", "Två av de fyra planerade informationsträffarna hölls under hösten."),
    ("Håll dig på benen", "not_done", "Arbetet kom aldrig i gång under 2023."),
    (
        "patrullerar till fots",
        "done",
        "Polisen patrullerade till fots på handelsplatsen under hela året, oftast före helger.",
    ),
]
FINALLY_ASSESSED_ON = D("2024-01-17")

CANCELLATIONS: list[tuple[str, str, str]] = [
    (
        "gårdsvandring",
        "2023-09-01",
        "Länsstyrelsen kunde inte delta under 2023; vandringen flyttas till nästa års löfte.",
    ),
]

PLANNED: list[tuple[str, str, str]] = [
    ("dialogmöten 2 gånger", "2023-03-14", "Dialogmöte i Lidhult"),
    ("trygghetsvandringar", "2023-09-20", "Trygghetsvandring i Ryssby"),
    ("trygghetsvandringar", "2023-10-18", "Trygghetsvandring i Lagan"),
    ("Centrumföreningen", "2023-05-16", "Dialogmöte med Centrumföreningen"),
]

ASSESSED_ON = D("2023-12-15")


def _activity(activities: list[Activity], words: str) -> Activity:
    found = [activity for activity in activities if words.lower() in activity.text.lower()]
    if len(found) != 1:
        raise LookupError(f"expected one activity with {words!r}, found {len(found)}")
    return found[0]


@transaction.atomic
def load_followup_demo(promise: Promise) -> None:
    """Add the example follow-up to the Ljungby 2023 demo promise (idempotent)."""
    activities = list(Activity.objects.filter(focus_area__promise=promise))
    for words, rows in EXECUTIONS:
        activity = _activity(activities, words)
        for day, description, count, participants in rows:
            Execution.objects.get_or_create(
                activity=activity,
                done_on=D(day),
                description=description,
                defaults={"count": count, "participants": participants, "is_example": True},
            )
    for words, status, reason in ASSESSMENTS:
        activity = _activity(activities, words)
        if activity.quantity is None and activity.quantity_max is None:
            Assessment.objects.get_or_create(
                activity=activity,
                assessed_on=ASSESSED_ON,
                defaults={"status": status, "reason": reason, "is_example": True},
            )
    for words, status, reason in FINAL_ASSESSMENTS:
        activity = _activity(activities, words)
        Assessment.objects.get_or_create(
            activity=activity,
            assessed_on=FINALLY_ASSESSED_ON,
            defaults={"status": status, "reason": reason, "is_example": True},
        )
    for words, day, reason in CANCELLATIONS:
        Cancellation.objects.get_or_create(
            activity=_activity(activities, words),
            cancelled_on=D(day),
            defaults={"reason": reason, "is_example": True},
        )
    for words, day, note in PLANNED:
        PlannedDate.objects.get_or_create(
            activity=_activity(activities, words), date=D(day), defaults={"note": note, "is_example": True}
        )


# The current promise: (words of the activity, days after 1 January, status, reason), each given only once
# that day has come. Assessments of activities without a count, as staff would give them during the year.
CURRENT_ASSESSMENTS: list[tuple[str, int, str, str]] = [
    ("sanerar klotter", 40, "on_track", "Anmält klotter på kommunens fastigheter saneras inom en vecka."),
    ("förebyggande åtgärder mot klotter", 75, "not_started", "Genomgången börjar efter sommaren."),
    ("årskurs 8", 60, "on_track", "Två av fem skolor har fått informationen; resten under hösten."),
    ("slumpvisa drogtester", 50, "on_track", "Testerna fortsätter som förra året."),
    (
        "kartlägga och lagföra",
        90,
        "delayed",
        "Arbetet har fått vänta på grund av andra prioriterade ärenden.",
    ),
    ("tidiga brottsförebyggande", 30, "on_track", "Gemensamma träffar med skolorna är i gång."),
]


@transaction.atomic
def load_current_followup_demo(promise: Promise, *, today: dt.date) -> None:
    """Assessments for the current promise's activities, dated inside its year and never after ``today``."""
    activities = list(Activity.objects.filter(focus_area__promise=promise))
    for words, offset, status, reason in CURRENT_ASSESSMENTS:
        day = promise.valid_from + dt.timedelta(days=offset)
        if day > min(today, promise.valid_until):
            continue
        Assessment.objects.get_or_create(
            activity=_activity(activities, words),
            assessed_on=day,
            defaults={"status": status, "reason": reason, "is_example": True},
        )


def settle_recorded_dates(municipality: Municipality, *, now: dt.datetime) -> None:
    """Give the example executions the day after they were done as the day they were recorded (never after
    now): the timeline dates a status change by when it became known, and a demo loaded today must not look
    as if everything was recorded today."""
    executions = Execution.objects.filter(
        is_example=True, activity__focus_area__promise__municipality=municipality
    )
    for execution in executions.only("pk", "done_on", "recorded_at"):
        recorded = timezone.make_aware(
            dt.datetime.combine(execution.done_on + dt.timedelta(days=1), dt.time(10))
        )
        recorded = min(recorded, now)
        if execution.recorded_at != recorded:
            Execution.objects.filter(pk=execution.pk).update(recorded_at=recorded)
