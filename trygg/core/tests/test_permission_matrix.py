"""The role × endpoint matrix: every URL pattern, asked by every persona.

Each named URL pattern must be listed in KWARGS (how to fill its arguments with the demo's objects) or be a
pattern without arguments; a new pattern that is not listed fails `test_every_url_pattern_is_in_the_matrix`.
What must hold, for every pattern and persona:
- no answer is a server error;
- staff pages (/personal/…) send anonymous visitors to the login page;
- staff of another municipality never get the page of an object of this one (404, never 200 or 403);
- a persona without the right gets 403 inside their own municipality, never a 500 or another tenant's data;
- an empty POST to any staff page by an anonymous visitor or an outsider writes nothing (rows, audit, states);
- the crew member's POST to an action the apps' rules deny answers 403 and writes nothing;
- the admin shows an outsider none of this municipality's objects, in lists or change pages.
"""

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.text import slugify

from trygg.accounts.models import User
from trygg.municipalities.models import Membership, Municipality
from trygg.promises.models import Activity, Promise

pytestmark = pytest.mark.django_db

Context = dict[str, Any]

HOME = "ljungby"
NOTHING = 999_999  # an id no object can have


def _home(**kwargs: Any) -> Callable[[Context], dict[str, Any]]:
    """Arguments of a public page: the home municipality's slug and what `kwargs` pick from the context."""
    return lambda c: {"municipality": HOME, **{key: pick(c) for key, pick in kwargs.items()}}


def _pk(key: str) -> Callable[[Context], dict[str, Any]]:
    return lambda c: {"pk": c[key].pk}


# How to fill each URL pattern's arguments with objects of the home municipality (the Ljungby demo with its
# example data, built by the `matrix` fixture below).
KWARGS: dict[str, Callable[[Context], dict[str, Any]]] = {
    "promises:municipality": _home(),
    "promises:theme_css": _home(),
    "promises:detail": _home(promise=lambda c: "2023"),
    "promises:focus_area": _home(promise=lambda c: "2023", focus_area=lambda c: "narkotika"),
    "promises:activity": _home(promise=lambda c: "2023", activity=lambda c: c["activity"].pk),
    "promises:staff_detail": _pk("promise"),
    "promises:staff_publish": _pk("promise"),
    "promises:staff_details": _pk("promise"),
    "promises:signatory_add": _pk("promise"),
    "promises:signatory_update": lambda c: {"pk": c["promise"].pk, "signatory": c["signatory"].pk},
    "promises:signatory_remove": lambda c: {"pk": c["promise"].pk, "signatory": c["signatory"].pk},
    "promises:focus_area_add": _pk("promise"),
    "promises:focus_area_update": lambda c: {
        "pk": c["promise"].pk,
        "focus_area": c["activity"].focus_area_id,
    },
    "promises:focus_area_remove": lambda c: {
        "pk": c["promise"].pk,
        "focus_area": c["activity"].focus_area_id,
    },
    "promises:focus_area_move": lambda c: {"pk": c["promise"].pk, "focus_area": c["activity"].focus_area_id},
    "promises:activity_add": lambda c: {"pk": c["promise"].pk, "focus_area": c["activity"].focus_area_id},
    "promises:activity_update": lambda c: {"pk": c["promise"].pk, "activity": c["activity"].pk},
    "promises:activity_remove": lambda c: {"pk": c["promise"].pk, "activity": c["activity"].pk},
    "promises:activity_move": lambda c: {"pk": c["promise"].pk, "activity": c["activity"].pk},
    "promises:planned_date_add": lambda c: {"pk": c["promise"].pk, "activity": c["activity"].pk},
    "promises:planned_date_remove": lambda c: {
        "pk": c["promise"].pk,
        "activity": c["planned"].activity_id,
        "planned": c["planned"].pk,
    },
    "promises:next_year": _pk("promise"),
    "promises:staff_compare": lambda c: {"pk": c["promise"].pk, "other": c["later_promise"].pk},
    "accounts:api_token_revoke": lambda c: {"pk": NOTHING},  # the personas hold no tokens of their own
    "accounts:personal_data": lambda c: {"municipality_pk": c["municipality"].pk},
    "accounts:people": lambda c: {"municipality": HOME},
    "accounts:person_action": lambda c: {"municipality": HOME, "pk": c["demo_police_officer"].pk},
    "accounts:membership_remove": lambda c: {"municipality": HOME, "pk": c["demo_police_membership"].pk},
    "accounts:invitation_revoke": lambda c: {"municipality": HOME, "pk": c["invitation"].pk},
    "accounts:invitation_accept": lambda c: {"token": c["invitation_token"]},
    "municipalities:profile": lambda c: {"municipality": HOME},
    "followup:reminder_log": lambda c: {"municipality": HOME},
    # followup
    "followup:staff_activity": _pk("activity"),
    "followup:record": _pk("activity"),
    "followup:plan": _pk("activity"),
    "followup:assess": _pk("activity"),
    "followup:cancel": _pk("activity"),
    "followup:correct": _pk("execution"),
    "followup:attachment": _pk("execution"),
    "followup:compare": _home(earlier=lambda c: "2023", later=lambda c: c["later_promise"].slug),
    "followup:timeline": _home(promise=lambda c: "2023"),
    "followup:feed": _home(promise=lambda c: "2023"),
    "followup:calendar": _home(promise=lambda c: "2023"),
    "followup:report": _home(promise=lambda c: "2023"),
    "followup:report_pdf": _home(promise=lambda c: "2023"),
    "followup:report_chart": _home(promise=lambda c: "2023"),
    "followup:export_activities": _home(promise=lambda c: "2023"),
    "followup:export_executions": _home(promise=lambda c: "2023"),
    "followup:export_json": _home(promise=lambda c: "2023"),
    # reports
    "reports:staff_metrics": _pk("activity"),
    "reports:staff_detail": _pk("report"),
    "reports:staff_change": _pk("report"),
    "reports:staff_assign": _pk("report"),
    "reports:staff_contact": _pk("report"),
    "reports:staff_category": _pk("report_category"),
    "reports:staff_category_new": lambda c: {"municipality_pk": c["municipality"].pk},
    "open311:discovery": lambda c: {"fmt": "json"},
    "open311:discovery_v2": lambda c: {"fmt": "xml"},
    "open311:services": lambda c: {"fmt": "json"},
    "open311:service": lambda c: {"code": c["report"].category.slug, "fmt": "xml"},
    "open311:requests": lambda c: {"fmt": "json"},
    "open311:request": lambda c: {"reference": c["report"].reference, "fmt": "json"},
    "open311:token": lambda c: {"token": str(c["report"].submission_id), "fmt": "json"},
    "open311:updates": lambda c: {"fmt": "xml"},
    "open311:not_found": lambda c: {"rest": "v2/finns-inte.json"},
    "reports:staff_visibility": _pk("report"),
    "reports:follow_confirm": lambda c: {"token": c["follow_token"]},
    "reports:unsubscribe": lambda c: {"token": c["unsubscribe_token"]},
    "reports:flag": _home(reference=lambda c: c["report"].reference),
    "reports:create": _home(),
    "reports:map": _home(),
    "reports:geojson": _home(),
    "reports:photo": _home(name=lambda c: c["photo"].name),
    "reports:photo_thumbnail": _home(name=lambda c: c["photo"].name.removesuffix(".jpg")),
    "reports:detail": _home(reference=lambda c: c["report"].reference),
    "reports:thanks": _home(reference=lambda c: c["report"].reference),
    "reports:follow": _home(reference=lambda c: c["report"].reference),
    "reports:follow_sent": _home(reference=lambda c: c["report"].reference),
    "reports:place_near": _home(),
    # surveys
    "surveys:staff_detail": _pk("survey"),
    "surveys:staff_questions": _pk("survey"),
    "surveys:staff_custom": _pk("survey"),
    "surveys:staff_translation": _pk("survey"),
    "surveys:staff_status": _pk("survey"),
    "surveys:staff_settings": _pk("survey"),
    "surveys:staff_codes": _pk("survey"),
    "surveys:staff_preview": _pk("survey"),
    "surveys:staff_import": _pk("survey"),
    "surveys:staff_mapping": _pk("survey"),
    "surveys:staff_results": _pk("survey"),
    "surveys:answer": _home(survey=lambda c: c["survey"].slug),
    "surveys:step": _home(survey=lambda c: c["survey"].slug, step=lambda c: 1),
    "surveys:thanks": _home(survey=lambda c: c["survey"].slug),
    # The results patterns come twice, for the whole municipality and for one area: the area is walked.
    "surveys:results": _home(survey=lambda c: c["survey"].slug, area=lambda c: c["survey_area"]),
    "surveys:results_csv": _home(survey=lambda c: c["survey"].slug, area=lambda c: c["survey_area"]),
    "surveys:results_chart": _home(
        survey=lambda c: c["survey"].slug, area=lambda c: c["survey_area"], kind=lambda c: "andelar"
    ),
    # comments
    "comments:create": lambda c: {"kind": "lofte", "pk": c["promise"].pk},
    "comments:report": _pk("comment"),
    "comments:subscribe": lambda c: {"kind": "lofte", "pk": c["promise"].pk},
    "comments:subscription_confirm": lambda c: {"token": c["subscription_token"]},
    "comments:unsubscribe": lambda c: {"token": c["subscription"].unsubscribe_token},
    "comments:staff_detail": _pk("comment"),
    "comments:staff_approve": _pk("comment"),
    "comments:staff_reject": _pk("comment"),
    "comments:staff_hide": _pk("comment"),
    "comments:staff_edit_out": _pk("comment"),
    "comments:staff_reply": _pk("comment"),
    "comments:staff_unanswered": _pk("promise"),
    "comments:staff_names": lambda c: {"municipality_pk": c["municipality"].pk},
    "comments:staff_settings": lambda c: {"municipality_pk": c["municipality"].pk},
    "comments:promise_comments": _home(promise=lambda c: "2023"),
    "comments:promise_feed": _home(promise=lambda c: "2023"),
    "comments:promise_csv": _home(promise=lambda c: "2023"),
    # crimestats
    "crimestats:staff_import": _pk("import_run"),
    "crimestats:staff_comparison_group": _home(),
    "crimestats:statistics": _home(),
    "crimestats:chart": _home(category=lambda c: c["crime_category"].code),
    # evidence
    "evidence:staff_overview": _home(),
    "evidence:staff_ranking": _home(year=lambda c: c["year"]),
    "evidence:staff_focus_area_create": _home(year=lambda c: c["year"]),
    "evidence:staff_document": _home(year=lambda c: c["year"]),
    "evidence:staff_document_pdf": _home(year=lambda c: c["year"]),
    "evidence:staff_dialogues": _home(),
    "evidence:staff_dialogue_new": _home(),
    "evidence:staff_dialogue": _home(pk=lambda c: c["dialogue"].pk),
    "evidence:staff_measures": _home(),
    "evidence:staff_measure_new": _home(),
    "evidence:staff_measure": _home(pk=lambda c: c["measure"].pk),
    "evidence:staff_measure_publish": _home(pk=lambda c: c["measure"].pk),
    "evidence:current": _home(),
    "evidence:document": _home(year=lambda c: c["year"]),
    "evidence:document_pdf": _home(year=lambda c: c["year"]),
    # meetings
    "meetings:staff_meeting": _pk("meeting"),
    "meetings:staff_meeting_record": _pk("meeting"),
    "meetings:staff_meeting_cancel": _pk("meeting"),
    "meetings:staff_meeting_new": lambda c: {"municipality": HOME},
    "meetings:staff_walk": _pk("walk"),
    "meetings:staff_walk_record": _pk("walk"),
    "meetings:staff_observation": _pk("walk"),
    "meetings:staff_walk_new": lambda c: {"municipality": HOME},
    "meetings:staff_task": _pk("task"),
    "meetings:staff_observation_photo": lambda c: {"pk": c["task"].observation_id},
    "meetings:staff_watch": _pk("watch"),
    "meetings:staff_watch_new": lambda c: {"municipality": HOME},
    "meetings:signup_confirm": lambda c: {"token": "ogiltig"},
    "meetings:calendar": _home(),
    "meetings:calendar_ics": _home(),
    "meetings:meeting": _home(pk=lambda c: c["public_meeting"].pk),
    "meetings:walks": _home(),
    "meetings:walk": _home(pk=lambda c: c["walk"].pk),
    "meetings:walk_route": _home(pk=lambda c: c["walk"].pk),
    "meetings:walk_pdf": _home(pk=lambda c: c["walk"].pk),
    "meetings:watches": _home(),
    # indicators
    "indicators:staff_detail": _pk("indicator"),
    "indicators:staff_edit": _pk("indicator"),
    "indicators:staff_link": _pk("indicator"),
    "indicators:staff_unlink": _pk("indicator"),
    "indicators:staff_relink": lambda c: {
        "pk": c["indicator"].pk,
        "sampled_on": "2023-03-14",
        "activity": c["activity"].pk,
    },
    "indicators:list": _home(),
    "indicators:detail": _home(indicator=lambda c: c["indicator"].slug),
    "indicators:chart": _home(indicator=lambda c: c["indicator"].slug),
    "indicators:csv": _home(indicator=lambda c: c["indicator"].slug),
    # the national view
    "national:verify": _pk("promise"),
    "national:group": lambda c: {"code": "C6"},
}
# Patterns left out of the matrix, with the reason.
SKIPPED = {
    "accounts:logout": "logging out changes the persona's session for the rest of the walk",
    "accounts:oidc_callback": "needs a provider exchange; covered by test_oidc.py",
    "accounts:oidc_start": "redirects to the provider when configured; covered by test_oidc.py",
    "national:open_data_file": "writes the day's export files on its first request; covered by test_open_data.py",
}


def _named_patterns(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in {"admin", "otpadmin", "api"}:
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _named_patterns(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def _arguments(pattern: URLPattern) -> set[str]:
    return set(pattern.pattern.regex.groupindex)


def _all_urls(context: Context) -> list[tuple[str, str]]:
    urls = []
    for name, _pattern in sorted(_named_patterns(get_resolver().url_patterns), key=lambda item: item[0]):
        if name in SKIPPED or (_arguments(_pattern) and name not in KWARGS):
            continue
        kwargs = KWARGS[name](context) if name in KWARGS else {}
        urls.append((name, reverse(name, kwargs=kwargs)))
    return urls


def test_every_url_pattern_is_in_the_matrix() -> None:
    missing = [
        name
        for name, pattern in _named_patterns(get_resolver().url_patterns)
        if _arguments(pattern) and name not in KWARGS and name not in SKIPPED
    ]

    assert missing == [], "add these URL patterns to KWARGS (or SKIPPED, with a reason)"


@pytest.fixture
def matrix(home_municipality: Municipality, settings: Any, tmp_path: Any) -> Context:
    """The Ljungby demo with every app's example data, and the objects the URL patterns are filled with."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from trygg.accounts.services import invitation_create
    from trygg.comments.models import Comment, Subscription
    from trygg.comments.services import subscription_confirm_token
    from trygg.comments.tests.factories import CommentFactory
    from trygg.crimestats.models import CrimeCategory, ImportRun
    from trygg.demo.services import demo_load
    from trygg.evidence.models import Dialogue, Measure
    from trygg.followup.models import Execution, PlannedDate
    from trygg.indicators.models import Indicator
    from trygg.meetings.models import Meeting, NeighbourhoodWatch, SafetyWalk, Task
    from trygg.promises.tests.factories import PromiseFactory
    from trygg.reports.following import follow_confirm_url, unsubscribe_url
    from trygg.reports.models import Report, ReportCategory, ReportFollower, ReportPhoto
    from trygg.surveys.models import Survey
    from trygg.surveys.selectors import survey_areas_in_data

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    demo_load(with_examples=True)
    home = home_municipality
    promise = Promise.objects.get(municipality=home, slug="2023")
    activity = Activity.objects.filter(focus_area__promise=promise).order_by("pk").first()
    report = Report.objects.public().filter(municipality=home).order_by("pk").first()
    assert activity is not None and report is not None
    if report.submission_id is None:
        report.submission_id = uuid.uuid4()
        report.save(update_fields=["submission_id"])
    photo = ReportPhoto(report=report, name=f"{uuid.uuid4().hex}.jpg", width=1, height=1)
    photo.image.save(photo.name, ContentFile(b"\xff\xd8\xff\xd9"), save=True)
    comment = CommentFactory.create(on=promise, state=Comment.State.APPROVED)
    subscription = Subscription.objects.create(
        municipality=home,
        email="invanare@example.org",
        content_type=ContentType.objects.get_for_model(promise),
        object_id=promise.pk,
        confirmed_at=timezone.now(),
    )
    follower = ReportFollower.objects.create(report=report, email="foljare@example.org")
    survey = Survey.objects.filter(municipality=home).order_by("pk").first()
    assert survey is not None
    areas = survey_areas_in_data(survey=survey)
    assert areas, "the demo survey has answers from areas"
    walk = SafetyWalk.objects.filter(municipality=home).order_by("pk").first()
    invitation, invitation_token = invitation_create(
        municipality=home,
        email="ny@ljungby.example",
        role=Membership.Role.CREW,
        party=Membership.objects.get(user__username="samordnare", municipality=home).party,
        by=User.objects.get(username="samordnare"),
        now=timezone.now(),
    )
    return {
        "municipality": home,
        "promise": promise,
        "later_promise": PromiseFactory.create(
            municipality=home, slug="2099", status=Promise.Status.PUBLISHED
        ),
        "activity": activity,
        "signatory": promise.signatories.order_by("pk").first(),
        "planned": PlannedDate.objects.filter(activity__focus_area__promise=promise).order_by("pk").first()
        or PlannedDate.objects.create(activity=activity, date=timezone.localdate()),
        "execution": Execution.objects.filter(activity__focus_area__promise=promise).order_by("pk").first(),
        "report": report,
        "report_category": ReportCategory.objects.filter(municipality=home).order_by("pk").first(),
        "photo": photo,
        "comment": comment,
        "subscription": subscription,
        "subscription_token": subscription_confirm_token(subscription),
        "follow_token": follow_confirm_url(follower).rstrip("/").rsplit("/", 1)[1],
        "unsubscribe_token": unsubscribe_url(report=report, follower=follower).rstrip("/").rsplit("/", 1)[1],
        "survey": survey,
        "survey_area": slugify(areas[0]),
        "import_run": ImportRun.objects.order_by("pk").first(),
        "crime_category": CrimeCategory.objects.order_by("pk").first(),
        "year": timezone.localdate().year - 1,
        "dialogue": Dialogue.objects.filter(municipality=home).order_by("pk").first(),
        "measure": Measure.objects.filter(municipality=home).order_by("pk").first(),
        "meeting": Meeting.objects.filter(municipality=home).order_by("-pk").first(),
        "public_meeting": Meeting.objects.public().filter(municipality=home).order_by("pk").first(),
        "walk": walk,
        "task": Task.objects.filter(observation__walk__municipality=home).order_by("pk").first(),
        "watch": NeighbourhoodWatch.objects.filter(municipality=home).order_by("pk").first(),
        "indicator": Indicator.objects.filter(municipality=home).order_by("pk").first(),
        "demo_police_officer": User.objects.get(username="kommunpolis"),
        "demo_police_membership": Membership.objects.get(user__username="kommunpolis", municipality=home),
        "invitation": invitation,
        "invitation_token": invitation_token,
    }


@pytest.fixture
def personas(
    matrix: Context, coordinator: User, police_officer: User, crew_member: User, outsider: User
) -> dict[str, Client | None]:
    from django_otp import DEVICE_ID_SESSION_KEY

    clients: dict[str, Client | None] = {"anonymous": None}
    for name, user in {
        "coordinator": coordinator,
        "police": police_officer,
        "crew": crew_member,
        "outsider": outsider,
    }.items():
        client = Client()
        client.force_login(user)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = user.totpdevice_set.first().persistent_id  # type: ignore[attr-defined]
        session.save()
        clients[name] = client
    return clients


def test_the_matrix_fills_every_pattern_with_a_real_object(matrix: Context) -> None:
    missing = [key for key, value in matrix.items() if value is None]

    assert missing == [], "the demo's example data lacks these objects"
    assert len(_all_urls(matrix)) > 140


PERSONAS = ["anonymous", "coordinator", "police", "crew", "outsider"]
# Staff pages that anonymous visitors may open: the way in.
# The invitation link is opened by someone who has no account yet; its secret, not a login, lets them in.
STAFF_ENTRY = {"accounts:login", "accounts:invitation_accept"}
# Staff pages whose object belongs to no municipality: Brå's and SCB's figures cover every kommun, so every
# member of staff may see an import run (trygg.crimestats.rules.can_see_imports).
NOT_A_TENANTS_OBJECT = {"crimestats:staff_import"}


def _is_staff_page(url: str) -> bool:
    return "/personal/" in url


def _points_at_home_object(name: str) -> bool:
    return name in KWARGS and name not in NOT_A_TENANTS_OBJECT and name not in STAFF_ENTRY


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_persona_gets_a_server_error_or_another_tenants_object(
    matrix: Context, personas: dict[str, Client | None], persona: str
) -> None:
    client = personas[persona] or Client()
    problems = []
    for name, url in _all_urls(matrix):
        is_staff_page = _is_staff_page(url)
        response = client.get(url)
        status = response.status_code
        if status >= 500:
            problems.append((url, status, "server error"))
        elif (
            is_staff_page
            and persona == "anonymous"
            and name not in STAFF_ENTRY
            and not (status == 302 and "/personal/logga-in/" in response["Location"])
        ):
            problems.append((url, status, "anonymous not sent to login"))
        # 405 is what a POST-only view answers to a GET before it looks anything up: it tells nothing.
        elif (
            is_staff_page
            and persona == "outsider"
            and _points_at_home_object(name)
            and status not in {404, 405}
        ):
            problems.append((url, status, "another tenant's object did not answer 404"))
        elif not is_staff_page and status == 403:
            problems.append((url, status, "a public page refused a visitor"))

    assert problems == [], problems


def _row_counts() -> tuple[int, ...]:
    """The number of rows of every model of Trygg's apps and of the accounts, in one query."""
    from django.apps import apps
    from django.db import connection

    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models()
            if model.__module__.startswith("trygg.")
            or model._meta.label in {"auth.Group", "otp_totp.TOTPDevice"}
        }
    )
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(table)})" for table in tables))
        return tuple(cursor.fetchone())


def _fingerprint() -> tuple[Any, ...]:
    """What a write would change: row counts, audit records and the state of the objects actions act on."""
    from trygg.audit.models import AuditEntry
    from trygg.comments.models import Comment
    from trygg.evidence.models import Measure
    from trygg.meetings.models import Meeting, NeighbourhoodWatch, SafetyWalk, Task
    from trygg.reports.models import Report
    from trygg.surveys.models import Survey

    return (
        AuditEntry.objects.count(),
        _row_counts(),
        tuple(Promise.objects.order_by("pk").values_list("status", "published_on")),
        tuple(Comment.objects.order_by("pk").values_list("state", "published_text")),
        tuple(Report.objects.order_by("pk").values_list("state", "assigned_party_id", "is_public")),
        tuple(Survey.objects.order_by("pk").values_list("status")),
        tuple(Measure.objects.order_by("pk").values_list("is_public")),
        tuple(Meeting.objects.order_by("pk").values_list("status")),
        tuple(SafetyWalk.objects.order_by("pk").values_list("status")),
        tuple(Task.objects.order_by("pk").values_list("state")),
        tuple(NeighbourhoodWatch.objects.order_by("pk").values_list("pk")),
    )


def _staff_urls(context: Context) -> list[tuple[str, str]]:
    return [
        (name, url) for name, url in _all_urls(context) if _is_staff_page(url) and name not in STAFF_ENTRY
    ]


@pytest.mark.parametrize("persona", ["anonymous", "outsider"])
def test_an_empty_post_to_a_staff_page_by_a_stranger_writes_nothing(
    matrix: Context, personas: dict[str, Client | None], persona: str
) -> None:
    client = personas[persona] or Client()
    problems = []
    for name, url in _staff_urls(matrix):
        before = _fingerprint()
        response = client.post(url, {})
        status = response.status_code
        if _fingerprint() != before:
            problems.append((url, status, "something was written"))
        elif status >= 500:
            problems.append((url, status, "server error"))
        elif persona == "anonymous" and not (
            status == 405 or (status == 302 and "/personal/logga-in/" in response["Location"])
        ):
            problems.append((url, status, "anonymous not sent to login"))
        elif persona == "outsider" and _points_at_home_object(name) and status not in {404, 405}:
            problems.append((url, status, "another tenant's object did not answer 404"))

    assert problems == [], problems


def _crew_may_not(context: Context, crew: User) -> dict[str, bool]:
    """Each staff action on a home object, and whether the app's rules let the crew member do it."""
    from trygg.accounts import rules as account_rules
    from trygg.comments import rules as comment_rules
    from trygg.crimestats import rules as crime_rules
    from trygg.evidence import rules as evidence_rules
    from trygg.followup import rules as followup_rules
    from trygg.indicators import rules as indicator_rules
    from trygg.meetings import rules as meeting_rules
    from trygg.municipalities import rules as municipality_rules
    from trygg.promises import rules as promise_rules
    from trygg.reports import rules as report_rules
    from trygg.surveys import rules as survey_rules

    home = context["municipality"]
    activity = context["activity"]
    may = {
        "promises:staff_publish": municipality_rules.can_publish_promise(crew, home),
        "accounts:personal_data": account_rules.can_answer_personal_data_requests(crew, home),
        "promises:next_year": promise_rules.can_copy_promise(crew, context["promise"]),
        "accounts:people": account_rules.can_manage_people(crew, home),
        "accounts:person_action": account_rules.can_manage_people(crew, home),
        "accounts:membership_remove": account_rules.can_manage_people(crew, home),
        "accounts:invitation_revoke": account_rules.can_manage_people(crew, home),
        "municipalities:profile": municipality_rules.can_edit_municipality_profile(crew, home),
        "followup:reminder_log": account_rules.can_manage_people(crew, home),
        "reports:staff_assign": report_rules.can_assign_reports(crew, home),
        "reports:staff_change": report_rules.can_change_report_state(crew, home),
        "comments:staff_names": comment_rules.can_remove_names(crew, home),
        "comments:staff_settings": comment_rules.can_moderate(crew, home),
        "comments:staff_reply": comment_rules.can_reply(crew, home),
        "crimestats:staff_comparison_group": crime_rules.can_edit_comparison_group(crew, home),
        "evidence:staff_focus_area_create": evidence_rules.can_create_focus_area(crew, home),
        "evidence:staff_dialogue_new": evidence_rules.can_record_dialogues(crew, home),
        "evidence:staff_dialogue": evidence_rules.can_record_dialogues(crew, home),
        "evidence:staff_measure_new": evidence_rules.can_edit_measures(crew, home),
        "evidence:staff_measure": evidence_rules.can_edit_measures(crew, home),
        "evidence:staff_measure_publish": evidence_rules.can_edit_measures(crew, home),
        "meetings:staff_meeting_record": meeting_rules.can_manage_meeting(crew, context["meeting"]),
        "meetings:staff_meeting_cancel": meeting_rules.can_manage_meeting(crew, context["meeting"]),
        "meetings:staff_walk_record": meeting_rules.can_manage_walk(crew, context["walk"]),
        "meetings:staff_observation": meeting_rules.can_manage_walk(crew, context["walk"]),
        "meetings:staff_task": meeting_rules.can_update_task(crew, context["task"]),
        "meetings:staff_watch_new": meeting_rules.can_manage_watches(crew, home),
        "indicators:staff_detail": indicator_rules.can_record_measurements(crew, context["indicator"]),
        "reports:staff_category": report_rules.can_manage_report_categories(crew, home),
        "reports:staff_category_new": report_rules.can_manage_report_categories(crew, home),
    }
    for suffix in [
        "staff_details",
        "signatory_add",
        "signatory_update",
        "signatory_remove",
        "focus_area_add",
        "focus_area_update",
        "focus_area_remove",
        "focus_area_move",
        "activity_add",
        "activity_update",
        "activity_remove",
        "activity_move",
        "planned_date_add",
        "planned_date_remove",
    ]:
        may[f"promises:{suffix}"] = promise_rules.can_edit_promise(crew, context["promise"])
    for name in ["staff_edit", "staff_link", "staff_unlink", "staff_relink"]:
        may[f"indicators:{name}"] = indicator_rules.can_manage_indicators(crew, home)
    for name in ["followup:record", "followup:plan", "followup:assess", "followup:cancel"]:
        may[name] = followup_rules.can_follow_up_activity(crew, activity)
    may["followup:correct"] = followup_rules.can_follow_up_activity(crew, context["execution"].activity)
    for name in [
        "comments:staff_approve",
        "comments:staff_reject",
        "comments:staff_hide",
        "comments:staff_edit_out",
    ]:
        may[name] = comment_rules.can_moderate(crew, home)
    for suffix in ["questions", "custom", "translation", "status", "settings", "codes", "import", "mapping"]:
        may[f"surveys:staff_{suffix}"] = survey_rules.can_build_survey(crew, home)
    return {name: not allowed for name, allowed in may.items()}


def test_the_crew_member_gets_403_and_changes_nothing_where_the_rules_say_no(
    matrix: Context, personas: dict[str, Client | None], crew_member: User
) -> None:
    forbidden = [name for name, may_not in _crew_may_not(matrix, crew_member).items() if may_not]
    client = personas["crew"]
    assert client is not None
    problems = []
    for name in forbidden:
        url = reverse(name, kwargs=KWARGS[name](matrix))
        before = _fingerprint()
        status = client.post(url, {}).status_code
        if _fingerprint() != before:
            problems.append((url, status, "something was written"))
        elif status != 403:
            problems.append((url, status, "a forbidden action did not answer 403"))

    assert len(forbidden) >= 20, "the crew member is allowed more than the apps' rules say"
    assert problems == [], problems


# The admin: how each registered model that is not a MunicipalityScopedAdmin reaches its municipality, or why it
# has none. A newly registered model must be added here.
ADMIN_MUNICIPALITY_PATHS = {
    "audit.AuditEntry": "municipality",
    "accounts.User": "memberships__municipality",
    "otp_totp.TOTPDevice": "user__memberships__municipality",
    "followup.ReminderSent": "user__memberships__municipality",
}
ADMIN_NOT_TIED_TO_A_MUNICIPALITY = {
    "auth.Group": "permission groups are shared by the whole installation",
    "axes.AccessAttempt": "login attempts: a username and an address, no municipality",
    "axes.AccessLog": "login log: a username and an address, no municipality",
    "axes.AccessFailureLog": "failed logins: a username and an address, no municipality",
    "problems.Problem": "the national catalogue of problems, shared by every municipality",
    "crimestats.CrimeCategory": "Brå's crime categories, the same for every kommun",
    "crimestats.ImportRun": "imports of Brå's and SCB's figures, which cover every kommun",
}


def _admin_municipality_path(model_admin: Any) -> str | None:
    from trygg.municipalities.admin_scoping import MunicipalityScopedAdmin

    label = model_admin.model._meta.label
    if isinstance(model_admin, MunicipalityScopedAdmin):
        return str(model_admin.municipality_path)
    return ADMIN_MUNICIPALITY_PATHS.get(label)


def test_the_admin_shows_no_other_municipalitys_objects(
    matrix: Context, personas: dict[str, Client | None], coordinator: User, outsider: User
) -> None:
    from django.contrib import admin
    from django.contrib.auth.models import Group, Permission
    from django.utils import timezone

    from trygg.audit.models import AuditEntry
    from trygg.audit.services import audit_record
    from trygg.comments.models import CommentSettings
    from trygg.demo.services import STAFF_GROUP
    from trygg.evidence.models import FocusAreaEvidence
    from trygg.followup.models import ReminderSent
    from trygg.problems.models import Problem
    from trygg.reports.services import open311_key_create
    from trygg.surveys.models import Question

    home = matrix["municipality"]
    audit_record(actor=coordinator, action=AuditEntry.Action.UPDATE, instance=matrix["promise"], changes={})
    ReminderSent.objects.create(user=coordinator, sent_on=timezone.localdate())
    # Objects the demo does not make, so that every scoped admin has a home object to try.
    open311_key_create(municipality=home, name="Exempel", by=None)
    CommentSettings.objects.get_or_create(municipality=home)
    Question.objects.create(
        municipality=home, code="egen", kind="trust", section="police", text="Egen fråga?"
    )
    FocusAreaEvidence.objects.create(
        focus_area=matrix["activity"].focus_area,
        problem=Problem.objects.order_by("pk")[0],
        year=matrix["year"],
        part="test",
        label="Underlag",
        explanation="Förklaring",
        source="Källa",
        points=1,
        score=1,
        rank=1,
        status="",
    )
    # The demo group's permissions, and to be sure the scoping does not hang on a withheld permission, the right
    # to view every registered model.
    outsider.groups.add(Group.objects.get(name=STAFF_GROUP))
    outsider.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    client = personas["outsider"]
    assert client is not None
    problems = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        if label in ADMIN_NOT_TIED_TO_A_MUNICIPALITY:
            continue
        path = _admin_municipality_path(model_admin)
        if path is None:
            problems.append((label, "registered in the admin without a municipality or a reason"))
            continue
        home_objects = model._default_manager.filter(**{path: home.pk}).distinct()
        first = home_objects.first()
        if first is None:
            problems.append((label, "the demo has no object to try"))
            continue
        info = (model._meta.app_label, model._meta.model_name)
        listing = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        if listing.status_code == 200:
            shown = {obj.pk for obj in listing.context["cl"].result_list}
            if shown & set(home_objects.values_list("pk", flat=True)):
                problems.append((label, "the list shows the home municipality's objects"))
        elif listing.status_code != 403:
            problems.append((label, f"the list answered {listing.status_code}"))
        change = client.get(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
        if change.status_code not in {302, 403, 404}:
            problems.append((label, f"the change page of a home object answered {change.status_code}"))

    assert problems == [], problems
