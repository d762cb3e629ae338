"""E-mail queued as a background task goes out when the transaction commits, and never when it rolls back."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction

from trygg.core.management.commands import run_scheduled
from trygg.core.tasks import email_send_on_commit


def _queue(**overrides):
    email_send_on_commit(
        **{"subject": "Svar på din kommentar", "body": "Hej!", "to": ["invanare@example.se"], **overrides}
    )


@pytest.mark.django_db
def test_a_queued_e_mail_is_sent_when_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _queue()
        assert mail.outbox == []
    assert [message.to for message in mail.outbox] == [["invanare@example.se"]]
    assert mail.outbox[0].subject == "Svar på din kommentar"


@pytest.mark.django_db(transaction=True)
def test_a_queued_e_mail_is_not_sent_when_the_transaction_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        _queue()
        raise RuntimeError("the change failed")
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_the_database_backend_keeps_the_e_mail_until_the_worker_sends_it(settings):
    from django_tasks_db.models import DBTaskResult

    # django-tasks drops its backends whenever TASKS changes, so this test's enqueue goes to the database.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with transaction.atomic():
        _queue(subject="Köad")
    assert mail.outbox == []
    assert DBTaskResult.objects.count() == 1
    call_command("db_worker", batch=True, no_startup_delay=True)
    assert [message.subject for message in mail.outbox] == ["Köad"]


def test_one_failing_daily_job_does_not_stop_the_others(monkeypatch, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    ran = []

    def fake_call_command(name, *_arguments, **_options):
        ran.append(name)
        if name == "send_reminders":
            raise RuntimeError("the mail server is down")

    monkeypatch.setattr(run_scheduled, "call_command", fake_call_command)
    with pytest.raises(Exception, match="send_reminders"):
        call_command("run_scheduled")
    assert ran == run_scheduled.DAILY_JOBS


def test_the_daily_run_makes_a_dated_backup_directory(monkeypatch, tmp_path):
    calls = []
    monkeypatch.setattr(
        run_scheduled, "call_command", lambda name, *args, **_options: calls.append((name, args))
    )
    call_command("run_scheduled", "--only", "purge_personal_data", "--backup-root", str(tmp_path))
    assert calls[0] == ("purge_personal_data", ())
    name, (target,) = calls[1]
    assert name == "backup"
    assert target.startswith(str(tmp_path / "trygg-"))
