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
        return services.reminders_send(today=today).sent


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


def test_without_a_named_user_every_member_of_the_responsible_party_gets_it(
    staff_with_email, municipality_activity
):
    coordinator, officer, crew = staff_with_email

    _remind(today=TODAY)

    recipients = {address for message in mail.outbox for address in message.to}
    assert coordinator.email in recipients
    assert crew.email in recipients  # the crew member works for the kommun, which is responsible
    assert officer.email not in recipients  # the police is not responsible for the wastewater measurements


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


# 10 December 2023: every activity of the 2023 promise not yet done ends within 30 days.
DECEMBER = dt.date(2023, 12, 10)


def test_the_police_officer_gets_the_police_only_activities(staff_with_email, police_activity):
    _coordinator, officer, _crew = staff_with_email

    _remind(today=DECEMBER)

    to_officer = [message for message in mail.outbox if message.to == [officer.email]]
    assert len(to_officer) == 1
    assert "Centrumföreningen" in to_officer[0].body
    assert "avloppsvattnet" not in to_officer[0].body  # the kommun's activity is not theirs


def test_both_parties_staff_get_their_own_activities_of_a_shared_one(staff_with_email, promise):
    coordinator, officer, _crew = staff_with_email
    shared = Activity.objects.get(focus_area__promise=promise, text__contains="hyresvärdarna")

    _remind(today=DECEMBER)

    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert shared.text[:40] in bodies[coordinator.email]
    assert shared.text[:40] in bodies[officer.email]


def test_each_activity_in_the_mail_links_to_its_follow_up_page_at_the_configured_address(
    staff_with_email, police_activity, settings
):
    settings.SITE_URL = "https://trygg.kommun.example"
    _coordinator, officer, _crew = staff_with_email

    _remind(today=DECEMBER)

    body = next(message.body for message in mail.outbox if message.to == [officer.email])
    assert f"https://trygg.kommun.example/personal/aktiviteter/{police_activity.pk}/" in body
    assert "https://trygg.kommun.example/personal/aktiviteter/\n" in body


def test_an_activity_without_a_responsible_party_goes_to_the_coordinators(staff_with_email, promise):
    coordinator, officer, crew = staff_with_email
    orphan = Activity.objects.get(focus_area__promise=promise, text__startswith="All skadegörelse")
    assert not orphan.responsible_parties.exists()

    _remind(today=DECEMBER)

    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert "All skadegörelse" in bodies[coordinator.email]
    assert "All skadegörelse" not in bodies.get(officer.email, "")
    assert "All skadegörelse" not in bodies.get(crew.email, "")


def test_a_named_person_who_no_longer_works_in_the_municipality_is_not_reminded(
    staff_with_email, municipality_activity
):
    from trygg.municipalities.models import Membership

    coordinator, _officer, crew = staff_with_email
    municipality_activity.responsible_users.set([crew])
    Membership.objects.filter(user=crew).delete()

    _remind(today=TODAY)

    recipients = {address for message in mail.outbox for address in message.to}
    assert crew.email not in recipients
    assert coordinator.email in recipients


def test_staff_without_an_e_mail_are_named_in_the_output_and_the_run_warns(
    coordinator, police_officer, police_activity, capsys
):
    from trygg.accounts.models import User

    User.objects.update(email="")  # as on the day the issue was filed: no one had an address

    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_reminders", "--date", DECEMBER.isoformat())

    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert "0 påminnelser skickade" in output
    assert "får inga påminnelser: e-postadress saknas" in output
    assert "Ljungby kommun: officer (officer)" in output
    assert "Ljungby kommun: coordinator (coordinator)" in output
    assert mail.outbox == []


def test_the_log_records_each_digest_with_its_municipality(
    staff_with_email, police_activity, home_municipality
):
    _remind(today=DECEMBER)

    records = ReminderSent.objects.filter(sent_on=DECEMBER)
    assert records.exists()
    assert {record.municipality_id for record in records} == {home_municipality.pk}


def test_the_demo_users_have_addresses_so_the_demo_reminds_both_parties(promise):
    from trygg.accounts.models import User

    _remind(today=DECEMBER)

    recipients = {address for message in mail.outbox for address in message.to}
    demo = User.objects.filter(username__in=["samordnare", "kommunpolis"])
    assert {user.email for user in demo} <= recipients
    assert all(user.email.endswith(".example") for user in demo)
