"""Item 29: "download my data" finds everything held for an address, and erasure leaves no trace of it.

Everything is put in through the public forms (and staff services where only staff write), then erased
through the coordinator's page, and then every column of every row of every table is searched.
"""

import base64
import binascii
import datetime as dt
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.comments.models import Comment, CommentContact, Subscription
from trygg.comments.services import comment_approve, subscription_confirm_token
from trygg.core.privacy import email_hashed, personal_data_export
from trygg.core.tests.residents import report_file
from trygg.demo.reports import load_reports_demo
from trygg.meetings.models import Meeting, NeighbourhoodWatch, SignUp
from trygg.meetings.services import WatchDetails, watch_save
from trygg.municipalities.models import Municipality
from trygg.promises.models import Promise
from trygg.reports.models import Report, ReportFollower

pytestmark = pytest.mark.django_db

EMAIL = "Kanarie.Fagel@Example.se"
NAME = "Kanarie Fågelsdotter"
NEEDLES = (EMAIL, NAME, "Fågelsdotter", "kanarie.fagel")
_BASE64 = re.compile(r"^[A-Za-z0-9+/=_-]{16,}$")


# ------------------------------------------------------------------------------------------- the text scan


def _readable(table: str, column: str, value: Any) -> Iterator[str]:
    """A stored value as text, and whatever text hides inside it (a session, a cached pickle, base64)."""
    if value is None:
        return
    if isinstance(value, memoryview | bytes):
        value = bytes(value).decode("utf-8", "replace")
    text = str(value)
    yield text
    if (table, column) == ("django_session", "session_data"):
        decoded = SessionStore().decode(text)
        assert decoded, "a session the scan cannot read"
        yield str(decoded)
    if _BASE64.match(text):
        try:
            hidden = base64.b64decode(text + "=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            hidden = b""
        yield hidden.decode("utf-8", "replace")


def database_text_matches(*needles: str) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every needle found, case-insensitively, in any column of any row of any table."""
    wanted = [needle.lower() for needle in needles]
    quote = connection.ops.quote_name
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            columns = [
                column.name for column in connection.introspection.get_table_description(cursor, table)
            ]
            cursor.execute(f"SELECT {', '.join(quote(column) for column in columns)} FROM {quote(table)}")
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    for text in _readable(table, column, value):
                        found += [(table, column, needle) for needle in wanted if needle in text.lower()]
    return sorted(set(found))


# ---------------------------------------------------------------------------------------------- the resident


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MAP_TILES_URL = ""
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def resident(
    home_municipality: Municipality,
    media_root: Path,
    coordinator: User,
    django_capture_on_commit_callbacks: Any,
) -> dict[str, Any]:
    """One resident's traces in Ljungby: a report, a followed report, a comment, a subscription, a sign-up,
    and the contact person's entry of a neighbourhood watch."""
    load_reports_demo(home_municipality)
    client = Client()
    report = report_file(client, reporter_name=NAME, reporter_email=EMAIL)
    followed = Report.objects.get(reference="EX-LJU-B1")
    assert (
        client.post(f"{followed.get_absolute_url()}folj/", {"email": EMAIL, "website": ""}).status_code == 303
    )

    promise = Promise.objects.get(municipality=home_municipality, slug="2023")
    comment_url = reverse("comments:create", kwargs={"kind": "lofte", "pk": promise.pk})
    client.post(
        comment_url,
        {
            "kommentar-author_name": NAME,
            "kommentar-email": EMAIL,
            "kommentar-text": "Mer belysning vid stationen, tack.",
            "kommentar-website": "",
            "kommentar-submission_id": str(uuid.uuid4()),
        },
    )
    comment = Comment.objects.get(contact__email=EMAIL)
    comment_approve(comment=comment, by=coordinator, now=timezone.now())

    subscribe_url = reverse("comments:subscribe", kwargs={"kind": "lofte", "pk": promise.pk})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(subscribe_url, {"prenumeration-email": EMAIL, "prenumeration-website": ""})
    subscription = Subscription.objects.get(email=EMAIL.lower())
    client.post(
        reverse("comments:subscription_confirm", kwargs={"token": subscription_confirm_token(subscription)})
    )

    meeting = Meeting.objects.create(
        municipality=home_municipality,
        kind=Meeting.Kind.DIALOGUE,
        title="Dialogmöte om centrum",
        starts_at=timezone.now() + dt.timedelta(days=10),
        place="Stadshuset",
        is_public=True,
    )
    signed = client.post(
        meeting.get_absolute_url(),
        {"submission_id": str(uuid.uuid4()), "name": NAME, "email": EMAIL, "count": 2},
    )
    assert signed.status_code == 302

    watch = watch_save(
        municipality=home_municipality,
        by=coordinator,
        details=WatchDetails(name="Grannsamverkan Kanarievägen", contact_name=NAME, contact_email=EMAIL),
    )
    return {"report": report, "followed": followed, "comment": comment, "meeting": meeting, "watch": watch}


def _page(municipality: Municipality) -> str:
    return reverse("accounts:personal_data", kwargs={"municipality_pk": municipality.pk})


# ------------------------------------------------------------------------------------------------ the tests


def test_item_29_download_my_data_returns_every_trace_of_the_resident(
    resident: dict[str, Any], home_municipality: Municipality, coordinator: User, login: Any
) -> None:
    response = login(coordinator).post(_page(home_municipality), {"email": EMAIL, "action": "export"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == 'attachment; filename="personuppgifter.json"'
    data = json.loads(response.content)
    assert {row.get("report") for row in data["reports"]} == {
        resident["report"].reference,
        resident["followed"].reference,
    }
    filed = next(row for row in data["reports"] if row.get("report") == resident["report"].reference)
    assert (filed["name"], filed["email"]) == (NAME, EMAIL)
    assert len(filed["photos"]) == 1
    assert [row["comment"] for row in data["comments"] if "comment" in row] == [resident["comment"].pk]
    assert [row["name"] for row in data["comments"] if "comment" in row] == [NAME]
    assert [row["email"] for row in data["comments"] if "subscription_to" in row] == [EMAIL.lower()]
    assert [(row["name"], row["count"]) for row in data["meeting_signups"]] == [(NAME, 2)]
    assert [row["name"] for row in data["neighbourhood_watch_contacts"]] == [NAME]
    # The look is audited, the address only as its hash.
    look = AuditEntry.objects.filter(action=AuditEntry.Action.VIEW, model="municipalities.municipality").get()
    assert look.actor == coordinator and look.changes["subject"] == email_hashed(EMAIL)


def test_item_29_every_model_with_an_email_name_or_phone_of_a_resident_is_in_the_registry(
    resident: dict[str, Any],
) -> None:
    found = personal_data_export(email=EMAIL)

    # Every table the scan finds the address in before erasure has a source that exported it.
    tables = {table for table, _column, _needle in database_text_matches(EMAIL)}
    assert tables == {
        "reports_report",
        "reports_reportfollower",
        "comments_commentcontact",
        "comments_subscription",
        "meetings_signup",
        "meetings_neighbourhoodwatch",
    }
    assert all(
        found[name] for name in ("reports", "comments", "meeting_signups", "neighbourhood_watch_contacts")
    )


def test_item_29_erasure_leaves_no_match_of_the_email_or_the_name_in_a_full_database_text_scan(
    resident: dict[str, Any], home_municipality: Municipality, coordinator: User, login: Any
) -> None:
    # The scan can find them: before erasure they are there (but never in the audit log, which keeps hashes).
    before = database_text_matches(*NEEDLES)
    assert {table for table, _column, _needle in before} >= {
        "reports_report",
        "comments_comment",
        "meetings_signup",
    }
    assert not [match for match in before if match[0] == "audit_auditentry"]
    client = login(coordinator)
    assert client.post(_page(home_municipality), {"email": EMAIL, "action": "show"}).status_code == 200

    response = client.post(
        _page(home_municipality),
        {
            "action": "erase",
            "radera-email": EMAIL,
            "radera-reason": "Begäran inkom 2026-11-25, dnr KS 2026/123",
            "radera-confirm": "on",
        },
    )

    assert response.status_code == 200
    assert "uppgifter raderade" in response.content.decode()
    assert database_text_matches(*NEEDLES) == []
    # The records stay, as public records must, without the person.
    report = Report.objects.get(pk=resident["report"].pk)
    assert (report.reporter_name, report.reporter_email) == ("", "")
    assert Comment.objects.get(pk=resident["comment"].pk).author_name == "anonym"
    assert NeighbourhoodWatch.objects.filter(pk=resident["watch"].pk).exists()
    assert not SignUp.objects.exists() and not Subscription.objects.exists()
    assert (
        not CommentContact.objects.exists()
        and not ReportFollower.objects.filter(email__iexact=EMAIL).exists()
    )
    assert not any(personal_data_export(email=EMAIL).values())
    erasure = AuditEntry.objects.filter(
        model="municipalities.municipality", action=AuditEntry.Action.UPDATE
    ).get()
    assert erasure.actor == coordinator and erasure.changes["subject"] == email_hashed(EMAIL)
    assert erasure.reason == "Begäran inkom 2026-11-25, dnr KS 2026/123"


def test_item_29_the_erasure_command_leaves_no_match_either(resident: dict[str, Any]) -> None:
    call_command("personal_data", "erase", "--email", EMAIL.upper())

    assert database_text_matches(*NEEDLES) == []


def test_a_reason_that_names_the_person_is_refused_and_nothing_is_erased(
    resident: dict[str, Any], home_municipality: Municipality, coordinator: User, login: Any
) -> None:
    client = login(coordinator)
    for reason in (f"Begäran från {NAME}", f"Mejl från {EMAIL.lower()}"):
        response = client.post(
            _page(home_municipality),
            {"action": "erase", "radera-email": EMAIL, "radera-reason": reason, "radera-confirm": "on"},
        )

        assert response.status_code == 400
        assert response.content.decode().count("Skriv inte personens namn eller e-postadress") >= 1
    assert SignUp.objects.exists() and Report.objects.filter(reporter_email=EMAIL).exists()


def test_only_the_coordinator_of_the_municipality_answers_and_others_change_nothing(
    resident: dict[str, Any],
    home_municipality: Municipality,
    coordinator: User,
    crew_member: User,
    police_officer: User,
    outsider: User,
    login: Any,
) -> None:
    url = _page(home_municipality)
    erase = {"action": "erase", "radera-email": EMAIL, "radera-reason": "dnr 1", "radera-confirm": "on"}
    for user in (crew_member, police_officer):
        client = login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"email": EMAIL, "action": "export"}).status_code == 403
        assert client.post(url, erase).status_code == 403
    client = login(outsider)
    assert client.get(url).status_code == 404
    assert client.post(url, erase).status_code == 404
    assert client.post(url, {"email": EMAIL, "action": "export"}).status_code == 404
    assert SignUp.objects.exists() and Report.objects.filter(reporter_email=EMAIL).exists()
    assert not AuditEntry.objects.filter(model="municipalities.municipality").exists()
    assert Client().get(url).status_code == 302
    assert login(coordinator).get(url).status_code == 200


def test_a_coordinator_sees_and_erases_only_their_own_municipalitys_data(
    resident: dict[str, Any], home_municipality: Municipality, coordinator: User, outsider: User, login: Any
) -> None:
    other = Municipality.objects.get(slug="annanstad")
    meeting = Meeting.objects.create(
        municipality=other,
        kind=Meeting.Kind.DIALOGUE,
        title="Möte i Annanstad",
        starts_at=timezone.now() + dt.timedelta(days=5),
        is_public=True,
    )
    SignUp.objects.create(meeting=meeting, name=NAME, email=EMAIL.lower())
    client = login(coordinator)

    shown = client.post(_page(home_municipality), {"email": EMAIL, "action": "export"})
    client.post(
        _page(home_municipality),
        {"action": "erase", "radera-email": EMAIL, "radera-reason": "dnr 2", "radera-confirm": "on"},
    )

    assert "Möte i Annanstad" not in shown.content.decode()
    assert list(SignUp.objects.values_list("meeting__municipality__slug", flat=True)) == ["annanstad"]


# The models that hold a resident's e-mail address or phone number, each covered by a registered source; and those
# that hold someone's contact data for another reason.
COVERED = {
    "reports.Report": "reports",
    "reports.ReportFollower": "reports",
    "comments.CommentContact": "comments",
    "comments.Subscription": "comments",
    "meetings.SignUp": "meeting_signups",
    "meetings.NeighbourhoodWatch": "neighbourhood_watch_contacts",
}
NOT_RESIDENTS = {
    "accounts.User": "staff accounts, managed on the coordinator's people pages",
    "accounts.Invitation": "an invitation to a member of staff, made by the coordinator on the people page",
    "municipalities.Municipality": "the municipality's own public contact details, not a person's",
}


def test_a_new_model_with_an_email_or_phone_field_must_be_given_a_source() -> None:
    from django.apps import apps
    from django.db import models

    from trygg.core.privacy import registry

    holding = {
        model._meta.label
        for model in apps.get_models()
        if model.__module__.startswith("trygg.")
        for field in model._meta.get_fields()
        if isinstance(field, models.EmailField) or "phone" in field.name
    }

    assert holding == set(COVERED) | set(NOT_RESIDENTS)
    assert set(COVERED.values()) <= set(registry.sources)


def test_the_personal_data_page_asks_no_more_queries_for_an_address_with_more_records(
    resident: dict[str, Any], home_municipality: Municipality, coordinator: User, login: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    staff = login(coordinator)

    def lookup_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff.post(_page(home_municipality), {"email": EMAIL, "action": "show"}).status_code == 200
        return len(queries)

    before = lookup_queries()
    promise = Promise.objects.get(municipality=home_municipality, slug="2023")
    for text in ("Fler papperskorgar i parken.", "Tack för vandringen i Bolmen."):
        Client().post(
            reverse("comments:create", kwargs={"kind": "lofte", "pk": promise.pk}),
            {
                "kommentar-author_name": NAME,
                "kommentar-email": EMAIL,
                "kommentar-text": text,
                "kommentar-website": "",
                "kommentar-submission_id": str(uuid.uuid4()),
            },
        )
    assert Comment.objects.filter(contact__email=EMAIL).count() == 3

    assert lookup_queries() == before
