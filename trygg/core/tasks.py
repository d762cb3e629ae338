"""Background tasks (django-tasks): run by `trygg db_worker` in production, at once in development and tests.

E-mail is the first job to move out of the request: a slow or unreachable mail server then delays nobody's page.
`email_send_on_commit` queues a message only when the surrounding transaction commits, so a rolled-back change
sends nothing; the database backend keeps the queued message through restarts until the worker has sent it.
"""

from django.core.mail import EmailMessage
from django.db import transaction
from django_tasks import task


@task()
def send_email(
    *,
    subject: str,
    body: str,
    to: list[str],
    from_email: str | None = None,
    headers: dict[str, str] | None = None,
) -> int:
    # Without fail_silently a failed send raises: the worker records the failure on the task's result.
    return EmailMessage(subject=subject, body=body, from_email=from_email, to=to, headers=headers).send()


def email_send_on_commit(
    *,
    subject: str,
    body: str,
    to: list[str],
    from_email: str | None = None,
    unsubscribe_url: str | None = None,
) -> None:
    """Queue a message once the transaction commits. A message to a resident names its unsubscribe link, which
    also goes in the List-Unsubscribe headers (RFC 2369, and RFC 8058's one-click post)."""
    headers = (
        {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
        if unsubscribe_url
        else None
    )
    # The task's arguments are stored as JSON: lazy translations must be plain strings by now.
    transaction.on_commit(
        lambda: send_email.enqueue(
            subject=str(subject), body=str(body), to=list(to), from_email=from_email, headers=headers
        )
    )
