import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import TestCase

from trygg.followup import services
from trygg.followup.models import PlannedDate, ReminderSent
from trygg.promises.models import Activity, Promise

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]

# 1 July 2023: half the year has gone, so the quarterly sewage measurements (4 a year) are behind.
TODAY = dt.date(2023, 7, 1)


def _remind(*, today: dt.date) -> list[ReminderSent]:
    # Reminders go out when their record commits; the test's transaction never does, so run the callbacks.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.reminders_send(today=today)


@pytest.fixture
def staff_with_email(coordinator, police_officer, crew_member):
    for user in (coordinator, police_officer, crew_member):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    return coordinator, police_officer, crew_member


def test_the_named_responsible_user_gets_one_digest_of_what_is_behind(
    staff_with_email, municipality_activity
):
    _coordinator, _officer, crew = staff_with_email
    municipality_activity.responsible_users.set([crew])

    sent = _remind(today=TODAY)

    crew_mail = [message for message in mail.outbox if message.to == [crew.email]]
    assert len(crew_mail) == 1
    assert "avloppsvattnet" in crew_mail[0].body
    assert "försenad" in crew_mail[0].body
    assert any(record.user == crew for record in sent)


def test_without_a_named_user_the_coordinators_of_the_parties_get_it(staff_with_email, municipality_activity):
    coordinator, officer, crew = staff_with_email

    _remind(today=TODAY)

    recipients = {address for message in mail.outbox for address in message.to}
    assert coordinator.email in recipients
    assert crew.email not in recipients  # a crew member is not a coordinator and is not named
    assert officer.email not in recipients  # no police coordinator exists


def test_running_twice_the_same_day_sends_nothing_twice(staff_with_email, municipality_activity):
    _remind(today=TODAY)
    first = len(mail.outbox)

    again = _remind(today=TODAY)

    assert first >= 1
    assert again == []
    assert len(mail.outbox) == first
    assert ReminderSent.objects.filter(sent_on=TODAY).count() == first
    _remind(today=TODAY + dt.timedelta(days=1))
    assert len(mail.outbox) > first


def test_a_user_with_nothing_due_gets_nothing(staff_with_email, promise):
    # Early in the year nothing is behind yet and no period ends within 30 days.
    _remind(today=dt.date(2023, 1, 10))

    assert mail.outbox == []
    assert not ReminderSent.objects.exists()


def test_a_planned_date_within_30_days_is_due(staff_with_email, police_activity):
    _coordinator, officer, _crew = staff_with_email
    police_activity.responsible_users.set([officer])
    PlannedDate.objects.create(activity=police_activity, date=dt.date(2023, 1, 25), note="Möte")

    _remind(today=dt.date(2023, 1, 10))

    assert [message.to for message in mail.outbox] == [[officer.email]]
    assert "Centrumföreningen" in mail.outbox[0].body


def test_drafts_send_no_reminders(staff_with_email, promise):
    Promise.objects.filter(pk=promise.pk).update(status=Promise.Status.DRAFT)

    _remind(today=TODAY)

    assert mail.outbox == []


def test_the_command_takes_a_date(staff_with_email, promise, capsys):
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_reminders", "--date", "2023-07-01")

    assert "påminnelser skickade (2023-07-01)" in capsys.readouterr().out
    assert Activity.objects.exists() and len(mail.outbox) >= 1
