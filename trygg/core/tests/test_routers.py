"""DATABASE_REPLICA_URL: anonymous GETs of public pages and of the public API read the standby; staff, writes, a
visitor's requests just after their own write, transactions, tasks and migrations use the primary.

The standby here is a second connection to the test database (the `replica` fixture), so every query can be
counted on the connection that ran it."""

import uuid
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from trygg.core import routers
from trygg.core.routers import REPLICA
from trygg.municipalities.models import Municipality
from trygg.reports import services as report_services
from trygg.reports.models import Report, ReportCategory

from .conftest import REPLICA_DATABASES

pytestmark = pytest.mark.django_db(transaction=True, databases=REPLICA_DATABASES)


def _queries(client: Client, method: str, path: str, **extra) -> tuple[int, int, Any]:
    """Queries on the primary and on the standby while the request was served, and the response."""
    with (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as standby,
    ):
        response = getattr(client, method)(path, **extra)
    return len(primary), len(standby), response


def test_an_anonymous_visitors_public_page_is_read_from_the_standby_alone(replica, home_municipality) -> None:
    primary, standby, response = _queries(Client(), "get", "/ljungby/")

    assert response.status_code == 200
    assert standby > 0
    assert primary == 0


def test_the_public_api_is_read_from_the_standby(replica, home_municipality) -> None:
    primary, standby, response = _queries(Client(), "get", "/api/municipalities")

    assert response.status_code == 200 and response.json()
    assert standby > 0 and primary == 0


def test_a_logged_in_staff_member_reads_the_primary_only(replica, coordinator, login) -> None:
    staff = login(coordinator)

    primary, standby, response = _queries(staff, "get", "/ljungby/")

    assert response.status_code == 200
    assert primary > 0
    assert standby == 0


def test_staff_pages_and_the_back_office_read_the_primary_even_before_login() -> None:
    factory = RequestFactory()

    assert routers.anonymous_public_read(factory.get("/ljungby/"))
    assert routers.anonymous_public_read(factory.get("/en/ljungby/"))
    assert not routers.anonymous_public_read(factory.get("/personal/logga-in/"))
    assert not routers.anonymous_public_read(factory.get("/en/personal/"))
    assert not routers.anonymous_public_read(factory.get("/admin/"))
    assert not routers.anonymous_public_read(factory.head("/personal/drift/"))


def test_an_api_call_with_a_token_reads_the_primary(replica, home_municipality) -> None:
    _primary, standby, _response = _queries(
        Client(), "get", "/api/municipalities", HTTP_AUTHORIZATION="Bearer not-a-real-token"
    )

    assert standby == 0


def test_after_posting_a_report_the_visitor_reads_the_primary_and_sees_it(replica, home_municipality) -> None:
    report_services.report_categories_ensure_defaults(municipality=home_municipality)
    category = ReportCategory.objects.get(municipality=home_municipality, slug="belysning")
    visitor = Client()
    assert visitor.get("/ljungby/felanmalan/").status_code == 200
    submission = uuid.uuid4()

    posted = visitor.post(
        "/ljungby/felanmalan/",
        {
            "category": category.pk,
            "latitude": "56.8331",
            "longitude": "13.9412",
            "description": "Lampan vid parkens ingång lyser inte.",
            "submission_id": str(submission),
            "website": "",
            "step": "check",
        },
    )
    assert posted.status_code == 302, posted.content.decode()[:1000]
    pin = posted.cookies[routers.pin_cookie_name()]
    assert int(pin["max-age"]) > 0 and pin["httponly"]

    primary, standby, thanks = _queries(visitor, "get", posted["Location"])
    assert thanks.status_code == 200
    assert Report.objects.get(submission_id=submission).reference in thanks.content.decode()
    assert standby == 0 and primary > 0

    # Without the mark (it has expired), the same visitor reads the standby again.
    visitor.cookies.pop(routers.pin_cookie_name())
    _primary, standby, _page = _queries(visitor, "get", "/ljungby/")
    assert standby > 0


def test_while_the_standby_is_unreachable_public_pages_are_read_from_the_primary(
    broken_replica, home_municipality
) -> None:
    with CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary:
        response = Client().get("/ljungby/")

    assert response.status_code == 200
    assert len(primary) > 0
    assert routers.replica_reads_paused(), "this process leaves the standby alone for a while"


def test_reads_inside_a_transaction_go_to_the_primary(replica) -> None:
    token = routers._replica_allowed.set(True)
    try:
        assert router.db_for_read(Municipality) == REPLICA
        with transaction.atomic():
            assert router.db_for_read(Municipality) == DEFAULT_DB_ALIAS
    finally:
        routers._replica_allowed.reset(token)


def test_tasks_and_commands_read_the_primary_and_migrations_touch_only_the_primary(replica) -> None:
    # Outside a request (the task worker, a management command) nothing allows the standby.
    assert router.db_for_read(Municipality) == DEFAULT_DB_ALIAS
    assert router.db_for_write(Municipality) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "municipalities")
    assert not router.allow_migrate(REPLICA, "municipalities")


def test_without_a_standby_no_mark_is_set_after_a_post(home_municipality) -> None:
    response = Client().post("/ljungby/felanmalan/", {"website": "filled in by a robot"})

    assert routers.pin_cookie_name() not in response.cookies
