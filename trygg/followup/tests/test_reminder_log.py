import datetime as dt

import pytest
from django.test import TestCase
from django.urls import reverse

from trygg.accounts.models import User
from trygg.followup import services
from trygg.followup.models import ReminderSent
from trygg.municipalities.models import Municipality

pytestmark = pytest.mark.django_db
DECEMBER = dt.date(2023, 12, 10)


def _url(municipality: Municipality) -> str:
    return reverse("followup:reminder_log", args=[municipality.slug])


def test_the_coordinator_sees_who_was_reminded_and_who_gets_nothing(
    login, coordinator: User, police_officer: User, promise, home_municipality: Municipality
) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.reminders_send(today=DECEMBER)

    page = login(coordinator).get(_url(home_municipality)).content.decode()

    assert "10 december 2023" in page
    assert "Kim Polis" in page and "Sam Ordnare" in page  # the demo's users have addresses
    assert "får inga påminnelser" in page
    no_mail = page.split("Får inga påminnelser", 1)[1].split("</ul>", 1)[0]
    assert "officer" in no_mail and "coordinator" in no_mail


def test_the_log_shows_only_this_municipalitys_reminders(
    login, outsider: User, coordinator: User, promise, home_municipality: Municipality
) -> None:
    other = Municipality.objects.get(slug="annanstad")
    ReminderSent.objects.create(user=outsider, municipality=other, sent_on=DECEMBER, activity_ids=[1])

    page = login(coordinator).get(_url(home_municipality)).content.decode()

    assert "outsider" not in page.split("Skickade påminnelser", 1)[1]


@pytest.mark.parametrize("persona", ["police_officer", "crew_member"])
def test_police_and_crew_do_not_see_the_log(
    request, login, home_municipality: Municipality, persona: str
) -> None:
    assert login(request.getfixturevalue(persona)).get(_url(home_municipality)).status_code == 403


def test_another_municipalitys_coordinator_finds_no_log(
    login, outsider: User, home_municipality: Municipality
) -> None:
    assert login(outsider).get(_url(home_municipality)).status_code == 404


def test_the_log_costs_the_same_queries_for_more_rows(
    login, coordinator: User, home_municipality: Municipality, django_assert_max_num_queries
) -> None:
    client = login(coordinator)
    client.get(_url(home_municipality))
    users = list(User.objects.all())
    for day in range(20):
        for user in users:
            ReminderSent.objects.create(
                user=user,
                municipality=home_municipality,
                sent_on=DECEMBER - dt.timedelta(days=day),
                activity_ids=[1, 2],
            )

    with django_assert_max_num_queries(15):
        response = client.get(_url(home_municipality))

    assert response.status_code == 200
