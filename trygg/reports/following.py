"""Following a report by e-mail, with a double opt-in, and the mail residents get about a report.

Nobody can point a report's mail at someone else: a follower gets nothing until the address's owner opened the
confirmation link. Every status mail to a resident (the reporter or a follower) carries its own unsubscribe link,
also as List-Unsubscribe and List-Unsubscribe-Post headers (one click in the mail client).
"""

from __future__ import annotations

import datetime as dt

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from trygg.audit.models import AuditEntry
from trygg.audit.services import audit_record
from trygg.core.site import site_url
from trygg.core.tasks import email_send_on_commit

from .models import Report, ReportFollower

CONFIRM_SALT = "trygg.reports.follow-confirm"
UNSUBSCRIBE_SALT = "trygg.reports.unsubscribe"
CONFIRM_MAX_AGE = 7 * 24 * 3600
# Followers who never confirmed are deleted after this many days (reports.privacy's purge).
UNCONFIRMED_FOLLOWER_DAYS = 7


def reporter_is_mailed(report: Report) -> bool:
    """Trygg writes to the reporter of a web report; of an Open311 report only when the key's settings say so,
    since the integrator keeps its own users informed."""
    if not report.reporter_email:
        return False
    if report.source == Report.Source.OPEN311:
        return report.open311_key is not None and report.open311_key.notify_reporters
    return True


def follow_confirm_url(follower: ReportFollower) -> str:
    token = signing.dumps(follower.pk, salt=CONFIRM_SALT)
    return site_url(reverse("reports:follow_confirm", kwargs={"token": token}))


def unsubscribe_url(*, report: Report, follower: ReportFollower | None = None) -> str:
    payload = {"f": follower.pk} if follower is not None else {"r": report.pk}
    return site_url(
        reverse("reports:unsubscribe", kwargs={"token": signing.dumps(payload, salt=UNSUBSCRIBE_SALT)})
    )


@transaction.atomic
def report_follow(*, report: Report, email: str) -> bool:
    """Ask to follow a report; True when the address was new. Mail starts after the confirmation link.

    Nothing is revealed about other followers, or whether the address already follows."""
    follower, created = ReportFollower.objects.get_or_create(report=report, email=email.strip().lower())
    if follower.confirmed_at is None:
        email_send_on_commit(
            subject=_("Bekräfta att du vill följa felanmälan %(reference)s")
            % {"reference": report.reference},
            body=_(
                "Hej!\n\nNågon, förhoppningsvis du, vill få e-post när felanmälan %(reference)s ändras.\n\n"
                "Bekräfta här: %(url)s\n\nOm det inte var du kan du strunta i det här meddelandet: du får "
                "ingen mer e-post om ärendet och adressen raderas inom en vecka."
            )
            % {"reference": report.reference, "url": follow_confirm_url(follower)},
            to=[follower.email],
        )
    return created


@transaction.atomic
def report_follow_confirm(*, token: str, now: dt.datetime) -> ReportFollower | None:
    try:
        pk = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    follower = ReportFollower.objects.select_for_update().select_related("report").filter(pk=pk).first()
    if follower is not None and follower.confirmed_at is None:
        follower.confirmed_at = now
        follower.save(update_fields=["confirmed_at"])
    return follower


@transaction.atomic
def report_mail_unsubscribe(*, token: str) -> Report | None:
    """Stop a resident's mail about a report: a follower is deleted, a reporter gets no more status mail."""
    try:
        payload = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    if "f" in payload:
        follower = ReportFollower.objects.select_related("report").filter(pk=payload["f"]).first()
        if follower is None:
            return None
        report = follower.report
        follower.delete()
        return report
    found = Report.objects.select_for_update().filter(pk=int(payload.get("r", 0))).first()
    if found is not None and not found.reporter_mail_stopped:
        report = found
        report.reporter_mail_stopped = True
        report.save(update_fields=["reporter_mail_stopped", "updated_at"])
        audit_record(
            actor=None,
            action=AuditEntry.Action.UPDATE,
            instance=report,
            changes={"reporter_mail_stopped": [False, True]},
            reason=_("Anmälaren avslutade e-posten om ärendet"),
        )
    return found


def report_receipt(*, report: Report) -> None:
    """The receipt a resident gets when they gave an e-mail address: the reference, the link, and what happens
    next. Queued when the filing commits; Open311 reporters only when the integrator's key says so."""
    if not reporter_is_mailed(report) or report.reporter_mail_stopped:
        return
    stop_url = unsubscribe_url(report=report)
    due = timezone.localtime(report.due_at)
    lines = [
        _("Hej!"),
        "",
        _("Tack för din felanmälan. Den har fått ärendenummer %(reference)s (%(category)s).")
        % {"reference": report.reference, "category": report.category.name},
        "",
        _("Så här går det till nu:"),
        _("1. Kommunen läser felanmälan och markerar den som mottagen."),
        _(
            "2. Den skickas vidare till dem som ska åtgärda den. Kommunen har lovat att åtgärda den senast %(due)s."
        )
        % {"due": date_format(due, "j F Y H:i")},
        _("3. Du får e-post när ärendet får en ny status, till exempel när det är åtgärdat."),
        "",
        _("Här kan du se ärendet: %(url)s") % {"url": site_url(report.get_absolute_url())},
        "",
        _("Felanmälan är ingen polisanmälan. Vid akut fara: ring 112."),
        "",
        _("Vill du inte ha mer e-post om ärendet? %(url)s") % {"url": stop_url},
    ]
    email_send_on_commit(
        subject=_("Kvittens: felanmälan %(reference)s") % {"reference": report.reference},
        body="\n".join(lines),
        to=[report.reporter_email],
        unsubscribe_url=stop_url,
    )


def report_notify(*, report: Report, note: str) -> None:
    """Tell the reporter and the confirmed followers that the report changed, each with an unsubscribe link."""
    recipients: list[tuple[str, str]] = []
    if reporter_is_mailed(report) and not report.reporter_mail_stopped:
        recipients.append((report.reporter_email.lower(), unsubscribe_url(report=report)))
    for follower in report.followers.filter(confirmed_at__isnull=False).order_by("pk"):
        if follower.email not in {address for address, _url in recipients}:
            recipients.append((follower.email, unsubscribe_url(report=report, follower=follower)))
    if not recipients:
        return
    subject = _("Felanmälan %(reference)s: %(state)s") % {
        "reference": report.reference,
        "state": report.get_state_display(),
    }
    lines = [
        _("Hej!"),
        "",
        _("Felanmälan %(reference)s (%(category)s) har nu status: %(state)s.")
        % {
            "reference": report.reference,
            "category": report.category.name,
            "state": report.get_state_display(),
        },
    ]
    if note:
        lines += ["", note]
    lines += ["", _("Följ ärendet här: %(url)s") % {"url": site_url(report.get_absolute_url())}]
    lines += ["", _("Du får det här meddelandet för att du lämnade din e-postadress i felanmälan.")]
    body = "\n".join(lines)
    # Queued when the change commits; a failed send is the worker's to record and never undoes the change.
    for recipient, stop_url in recipients:
        email_send_on_commit(
            subject=subject,
            body=body + "\n" + _("Vill du inte ha mer e-post om ärendet? %(url)s") % {"url": stop_url},
            to=[recipient],
            unsubscribe_url=stop_url,
        )
