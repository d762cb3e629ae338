import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from trygg.municipalities.models import Area, Membership, Municipality, Party, PoliceArea
from trygg.national import journal
from trygg.problems.models import Problem
from trygg.problems.services import problems_ensure_defaults
from trygg.promises.models import Activity, FocusArea, Promise, Signatory

from . import ljungby

STAFF_GROUP = "Demo: samordnare"


@dataclass(frozen=True)
class DemoResult:
    municipality: Municipality
    #: The 2023 promise: ended, with its final report.
    promise: Promise
    staff_created: list[str]
    #: The promise of the running year, built on the 2024 continuation (see `ljungby.current_promise`).
    current_promise: Promise | None = None


def _parties(municipality: Municipality, police_area: PoliceArea) -> dict[str, Party]:
    police, _ = Party.objects.get_or_create(
        name=ljungby.POLIS, kind=Party.Kind.POLICE, municipality=None, police_area=police_area
    )
    parties = {ljungby.POLIS: police}
    for name, kind in [
        (ljungby.KOMMUN, Party.Kind.MUNICIPALITY),
        (ljungby.CIVIL_SOCIETY, Party.Kind.OTHER),
        (ljungby.COUNTY_BOARD, Party.Kind.OTHER),
        (ljungby.INTEREST_GROUPS, Party.Kind.OTHER),
    ]:
        parties[name], _ = Party.objects.update_or_create(
            municipality=municipality, name=name, defaults={"kind": kind}
        )
    return parties


def _focus_area_fields(demo_area: ljungby.DemoFocusArea, order: int) -> dict[str, object]:
    return {"title": demo_area.title, "description": demo_area.description, "order": order}


def _activity_fields(demo: ljungby.DemoActivity, areas: dict[str, Area]) -> dict[str, object]:
    return {
        "text": demo.text,
        "quantity": demo.quantity,
        "at_least": demo.at_least,
        "unit": demo.unit,
        "per": demo.per,
        "target_group": demo.target_group,
        "place": demo.place,
        "area": areas[demo.area] if demo.area else None,
    }


def _focus_areas(
    promise: Promise,
    parties: dict[str, Party],
    areas: dict[str, Area],
    focus_areas: tuple[ljungby.DemoFocusArea, ...] = ljungby.FOCUS_AREAS,
) -> None:
    problems = {problem.slug: problem for problem in Problem.objects.all()}
    if not FocusArea.objects.filter(promise=promise).exists():
        _new_focus_areas(promise, parties, areas, focus_areas, problems)
        return
    for order, demo_area in enumerate(focus_areas, start=1):
        focus_area, _ = FocusArea.objects.update_or_create(
            promise=promise, slug=demo_area.slug, defaults=_focus_area_fields(demo_area, order)
        )
        focus_area.problems.set([problems[slug] for slug in demo_area.problems])
        for activity_order, demo in enumerate(demo_area.activities, start=1):
            activity, _ = Activity.objects.update_or_create(
                focus_area=focus_area, order=activity_order, defaults=_activity_fields(demo, areas)
            )
            activity.responsible_parties.set([parties[name] for name in demo.parties])
            activity.partners.set([parties[name] for name in demo.partners])


def _new_focus_areas(
    promise: Promise,
    parties: dict[str, Party],
    areas: dict[str, Area],
    focus_areas: tuple[ljungby.DemoFocusArea, ...],
    problems: dict[str, Problem],
) -> None:
    """The rows `_focus_areas` makes, written at once for a promise that has none yet (the first load, and every
    test that loads the demo): a few statements instead of one or more for each row and relation. The national
    journal is told, as its signals would have told it."""
    made = FocusArea.objects.bulk_create(
        FocusArea(promise=promise, slug=demo_area.slug, **_focus_area_fields(demo_area, order))
        for order, demo_area in enumerate(focus_areas, start=1)
    )
    FocusArea.problems.through.objects.bulk_create(
        FocusArea.problems.through(focusarea=focus_area, problem=problems[slug])
        for focus_area, demo_area in zip(made, focus_areas, strict=True)
        for slug in demo_area.problems
    )
    planned = [
        (demo, Activity(focus_area=focus_area, order=activity_order, **_activity_fields(demo, areas)))
        for focus_area, demo_area in zip(made, focus_areas, strict=True)
        for activity_order, demo in enumerate(demo_area.activities, start=1)
    ]
    activities = Activity.objects.bulk_create(activity for _demo, activity in planned)
    for relation, names in (("responsible_parties", "parties"), ("partners", "partners")):
        through = getattr(Activity, relation).through
        through.objects.bulk_create(
            through(activity=activity, party=parties[name])
            for (demo, _planned), activity in zip(planned, activities, strict=True)
            for name in getattr(demo, names)
        )
    journal.note_many(journal.FOCUS_AREA, [(focus_area.pk, promise.pk) for focus_area in made])
    journal.note_many(journal.ACTIVITY, [(activity.pk, promise.pk) for activity in activities])


def _staff(municipality: Municipality, parties: dict[str, Party]) -> list[str]:
    user_model = get_user_model()
    group, _ = Group.objects.get_or_create(name=STAFF_GROUP)
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=[
                "promises",
                "municipalities",
                "problems",
                "surveys",
                "followup",
                "reports",
            ]
        )
    )
    created = []
    for username, first_name, last_name, party_name, role in ljungby.DEMO_STAFF:
        user, was_created = user_model.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first_name,
                "last_name": last_name,
                "is_staff": True,
                "email": ljungby.demo_email(username),
            },
        )
        if was_created:
            user.set_password(ljungby.DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created.append(username)
        elif not user.email:
            user.email = ljungby.demo_email(username)
            user.save(update_fields=["email"])
        user.groups.add(group)
        TOTPDevice.objects.get_or_create(
            user=user, name="Demo", defaults={"key": ljungby.DEMO_TOTP_KEY, "confirmed": True}
        )
        Membership.objects.get_or_create(
            user=user, municipality=municipality, party=parties[party_name], role=role
        )
    return created


def _operator() -> str | None:
    """The demo's platform operator: a superuser with the demo's password and second factor."""
    username, first_name, last_name = ljungby.DEMO_OPERATOR
    user_model = get_user_model()
    user, was_created = user_model.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "email": ljungby.demo_email(username),
            "is_staff": True,
            "is_superuser": True,
        },
    )
    if was_created:
        user.set_password(ljungby.DEMO_PASSWORD)
        user.save(update_fields=["password"])
    TOTPDevice.objects.get_or_create(
        user=user, name="Demo", defaults={"key": ljungby.DEMO_TOTP_KEY, "confirmed": True}
    )
    return username if was_created else None


def _example_data(municipality: Municipality, promise: Promise, current: Promise, now: dt.datetime) -> None:
    """The invented example data of the other apps, each labelled "exempeldata" on screen."""
    from .evidence import load_evidence_demo, load_evidence_snapshots_demo
    from .followup import load_current_followup_demo, load_followup_demo, settle_recorded_dates
    from .meetings import load_current_meetings_demo, load_meetings_demo
    from .reports import load_reports_demo
    from .surveys import load_surveys_demo

    today = timezone.localdate(now)
    load_followup_demo(promise)
    load_meetings_demo(municipality, promise)
    load_current_followup_demo(current, today=today)
    load_current_meetings_demo(municipality, current, today=today)
    load_surveys_demo(municipality)
    load_reports_demo(municipality, now=now)
    link_report_categories(municipality, current)
    load_evidence_demo(municipality, today=today)
    load_evidence_snapshots_demo(current)
    settle_recorded_dates(municipality, now=now)


def link_report_categories(municipality: Municipality, current: Promise) -> None:
    """Residents' reports of graffiti and vandalism illustrate the current promise's sanering, not 2023's:
    the example reports are from the last weeks."""
    from trygg.reports.models import ReportCategory

    cleaning = Activity.objects.filter(focus_area__promise=current, text__icontains="sanerar klotter").first()
    for category in ReportCategory.objects.filter(
        municipality=municipality, slug__in=["klotter", "skadegorelse"]
    ):
        category.activities.remove(*category.activities.exclude(focus_area__promise=current))
        if cleaning is not None:
            category.activities.add(cleaning)


def _current_promise(
    municipality: Municipality, parties: dict[str, Party], areas: dict[str, Area], today: dt.date
) -> Promise:
    year = max(today.year, ljungby.CONTINUATION_FIRST_YEAR)
    fields = ljungby.current_promise(year)
    valid_from = fields["valid_from"]
    assert isinstance(valid_from, dt.date)
    promise, _ = Promise.objects.update_or_create(
        municipality=municipality,
        slug=fields["slug"],
        defaults={
            **fields,
            "status": Promise.Status.PUBLISHED,
            # Published a couple of weeks before it began, as promises usually are.
            "published_on": valid_from - dt.timedelta(days=14),
        },
    )
    for order, (name, role, party_name) in enumerate(ljungby.SIGNATORIES, start=1):
        Signatory.objects.update_or_create(
            promise=promise, order=order, defaults={"name": name, "role": role, "party": parties[party_name]}
        )
    _focus_areas(promise, parties, areas, ljungby.CURRENT_FOCUS_AREAS)
    return promise


@transaction.atomic
def demo_load(*, with_examples: bool = False, now: dt.datetime | None = None) -> DemoResult:
    """Create or refresh the Ljungby demo; running it again changes nothing and duplicates nothing.

    `with_examples` adds the other apps' invented example data (surveys, reports, executions …); tests leave
    it out unless they need it, since it takes seconds. `now` is the clock (default: the real one): the
    current promise runs over its year and every example row falls inside the period it illustrates.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    problems_ensure_defaults()
    police_area, _ = PoliceArea.objects.get_or_create(name=ljungby.POLICE_AREA)
    municipality, _ = Municipality.objects.update_or_create(
        slug=ljungby.MUNICIPALITY["slug"], defaults=ljungby.MUNICIPALITY
    )
    municipality.police_areas.add(police_area)
    areas = {
        name: Area.objects.get_or_create(municipality=municipality, name=name)[0] for name in ljungby.AREAS
    }
    parties = _parties(municipality, police_area)
    promise, _ = Promise.objects.update_or_create(
        municipality=municipality,
        slug=ljungby.PROMISE["slug"],
        defaults={**ljungby.PROMISE, "status": Promise.Status.PUBLISHED},
    )
    for order, (name, role, party_name) in enumerate(ljungby.SIGNATORIES, start=1):
        Signatory.objects.update_or_create(
            promise=promise, order=order, defaults={"name": name, "role": role, "party": parties[party_name]}
        )
    _focus_areas(promise, parties, areas)
    current = _current_promise(municipality, parties, areas, today)
    staff_created = _staff(municipality, parties)
    operator_created = _operator()
    if operator_created:
        staff_created.append(operator_created)
    if with_examples:
        _example_data(municipality, promise, current, now)
    return DemoResult(
        municipality=municipality, promise=promise, staff_created=staff_created, current_promise=current
    )
