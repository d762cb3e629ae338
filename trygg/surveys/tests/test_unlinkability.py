"""Issue 20, item 2: nobody holding the database (or a backup of it) can link a response to its letter.

The review found `sha256(code)` in the session beside the answers (equal to `InvitationCode.code_hash`, a line of
the printed address list), abandoned sessions kept for ever, and SQLite's rowid giving the insertion order. These
tests play the insider: they look for the code's hash wherever answers are kept while answering, and try to pair
codes (in the order they were used) with responses by every order the database keeps.
"""

import datetime as dt
import random

import pytest
import time_machine
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from trygg.surveys import services
from trygg.surveys.models import AnswerDraft, InvitationCode, Response, Survey
from trygg.surveys.tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 9, 15, 8, tzinfo=dt.UTC)


def _survey_with_questions(coordinator) -> Survey:
    created = services.survey_create(
        municipality=coordinator.memberships.get().municipality,
        year=2026,
        title="Trygghetsmätning 2026",
        slug="2026",
        mode=Survey.Mode.INVITATION,
        k=10,
        languages=[],
        areas=["Centrum", "Landsbygd"],
        by=coordinator,
    )
    return services.survey_set_status(survey=created, status=Survey.Status.OPEN, by=coordinator)


def _all_stored_text() -> str:
    """Every value of every row of every table, sessions decoded, as one text: what a backup holds."""
    parts = []
    for model in apps.get_models():
        if model is InvitationCode:
            continue
        for row in model._default_manager.all().values_list():
            parts.append(repr(row))
    for session in Session.objects.all():
        parts.append(repr(session.get_decoded()))
    return "\n".join(parts)


def test_while_a_respondent_answers_no_stored_row_or_session_holds_the_code_or_its_hash(client, coordinator):
    survey = _survey_with_questions(coordinator)
    [code] = services.invitation_codes_generate(survey=survey, count=1, by=coordinator)
    digest = InvitationCode.objects.get(survey=survey).code_hash

    client.post(survey.get_absolute_url(), {"code": code})
    client.post(reverse("surveys:step", args=[survey.municipality.slug, survey.slug, 1]), {"area": "Centrum"})

    draft = AnswerDraft.objects.get()
    assert draft.area == "Centrum"
    stored = _all_stored_text()
    for secret in (digest, digest[:16], code, services.code_normalise(code)):
        assert secret not in stored
    # The session names only the draft's random id.
    assert client.session[f"surveys:draft:{survey.pk}"] == str(draft.pk)


def test_an_abandoned_draft_is_unreadable_at_once_and_deleted_by_the_hourly_job(
    client, coordinator, settings
):
    settings.SURVEY_DRAFT_IDLE_MINUTES = 60
    survey = _survey_with_questions(coordinator)
    [code] = services.invitation_codes_generate(survey=survey, count=1, by=coordinator)
    with time_machine.travel(START, tick=False):
        client.post(survey.get_absolute_url(), {"code": code})
        client.post(
            reverse("surveys:step", args=[survey.municipality.slug, survey.slug, 1]), {"area": "Centrum"}
        )
    assert AnswerDraft.objects.count() == 1

    with time_machine.travel(START + dt.timedelta(minutes=61), tick=False):
        page = client.get(reverse("surveys:step", args=[survey.municipality.slug, survey.slug, 2]))
        assert page.status_code == 302  # back to the start: the answers are gone for the respondent too
        call_command("run_scheduled", "--hourly", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert not AnswerDraft.objects.exists()


def test_the_daily_run_deletes_abandoned_drafts_too(coordinator):
    survey = SurveyFactory.create(mode=Survey.Mode.OPEN)
    services.answer_start(survey=survey, code=None, language="sv", now=START)

    with time_machine.travel(START + dt.timedelta(hours=2), tick=False):
        call_command("run_scheduled", "--only", "purge_survey_drafts", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert not AnswerDraft.objects.exists()


def _storage_order() -> dict[str, list[tuple[object, ...]]]:
    """The orders an insider can read beside the keys: rowid on SQLite; ctid and xmin on PostgreSQL."""
    table = Response._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"SELECT rowid, answers FROM {table} ORDER BY rowid")
            return {"rowid": cursor.fetchall()}
        cursor.execute(f"SELECT ctid::text, answers::text FROM {table} ORDER BY ctid")
        by_ctid = cursor.fetchall()
        cursor.execute(f"SELECT xmin::text, answers::text FROM {table}")
        return {"ctid": by_ctid, "xmin": cursor.fetchall()}


def _marker(answers: object) -> int:
    import json

    loaded = json.loads(answers) if isinstance(answers, str) else answers
    assert isinstance(loaded, dict)
    return int(loaded["x_nummer"])


def test_an_insider_cannot_pair_codes_with_responses_by_any_order_the_database_keeps(
    coordinator, monkeypatch
):
    # A fixed seed for the shuffle makes the test exact; the service itself uses the secrets module.
    seeded = random.Random(20)
    monkeypatch.setattr(services.secrets, "randbelow", lambda n: seeded.randrange(n))
    survey = SurveyFactory.create(municipality=coordinator.memberships.get().municipality)
    codes = services.invitation_codes_generate(survey=survey, count=30, by=coordinator)
    code_xmins = []
    for number, code in enumerate(codes):
        draft = services.answer_start(survey=survey, code=code, language="sv", now=START)
        draft.answers = {"x_nummer": number}
        services.answer_draft_save(draft=draft, now=START)
        services.response_submit(draft_id=draft.pk, survey=survey, today=START.date(), now=START)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT xmin::text FROM {InvitationCode._meta.db_table} WHERE code_hash = %s",
                    [services.code_hash(survey=survey, code=code)],
                )
                code_xmins.append(cursor.fetchone()[0])

    orders = _storage_order()
    for name in ("rowid", "ctid"):
        if name in orders:
            in_storage_order = [_marker(answers) for _position, answers in orders[name]]
            assert sorted(in_storage_order) == list(range(30))
            # Pairing the n-th code used with the n-th row stored finds about one by chance, never the order.
            matches = sum(stored == used for used, stored in enumerate(in_storage_order))
            assert matches <= 3, (name, in_storage_order)
    if "xmin" in orders:
        # Every row of the day carries the last submission's transaction: a code's transaction names no row.
        assert len({xmin for xmin, _answers in orders["xmin"]}) == 1
        assert sum(xmin in {row[0] for row in orders["xmin"]} for xmin in code_xmins[:-1]) == 0
    # Dates only, and random keys.
    assert set(Response.objects.values_list("submitted_on", flat=True)) == {START.date()}
    assert all(response.pk.version == 4 for response in Response.objects.all())


def _assets(html: str) -> set[str]:
    import re

    return set(re.findall(r'<(?:link|script|img)\b[^>]*?\b(?:href|src)="([^"]+)"', html)) - {""}


def test_item_4_survey_pages_load_no_asset_that_other_public_pages_do_not_load(client, coordinator):
    # An access log that lists a survey-only stylesheet beside an address would place the respondent.
    survey = _survey_with_questions(coordinator)
    [code] = services.invitation_codes_generate(survey=survey, count=1, by=coordinator)
    municipality = survey.municipality.slug
    pages = [client.get(survey.get_absolute_url()).content.decode()]
    client.post(survey.get_absolute_url(), {"code": code})
    for step in range(1, 6):
        pages.append(
            client.get(reverse("surveys:step", args=[municipality, survey.slug, step])).content.decode()
        )
    pages.append(client.get(reverse("surveys:thanks", args=[municipality, survey.slug])).content.decode())
    survey_assets = set().union(*(_assets(page) for page in pages))

    # The same visitor elsewhere (with a session, session.js for its timeout warning comes with every page).
    elsewhere = _assets(client.get(f"/{municipality}/").content.decode()) | _assets(
        client.get(f"/{municipality}/felanmalan/").content.decode()
    )

    assert survey_assets, "the pages load the site's stylesheet at least"
    assert survey_assets <= elsewhere, survey_assets - elsewhere
