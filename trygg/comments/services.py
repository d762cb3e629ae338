import datetime as dt
import uuid

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.audit.services import audit_record
from trygg.core.site import site_url
from trygg.core.tasks import email_send_on_commit
from trygg.municipalities.models import Municipality, Party

from . import flags, rules
from .models import (
    ANONYMOUS,
    Comment,
    CommentContact,
    CommentReport,
    CommentSettings,
    ModerationEvent,
    OfficialReply,
    Subscription,
)
from .selectors import moderation_mode
from .targets import content_type_for, kind_for_object

# Three residents' reports hide a published comment until a moderator has looked at it again.
REPORTS_TO_HIDE = 3
CONFIRM_SALT = "trygg.comments.subscription-confirm"
CONFIRM_MAX_AGE = 7 * 24 * 3600


def _event(*, comment: Comment, action: str, by: User | None, reason: str = "") -> ModerationEvent:
    return ModerationEvent.objects.create(
        comment=comment,
        actor=by,
        actor_name=by.get_username() if by is not None else "",
        action=action,
        reason=reason[:500],
    )


def _locked(comment: Comment) -> Comment:
    return Comment.objects.select_for_update().get(pk=comment.pk)


# --- residents ----------------------------------------------------------------------------------------------


@transaction.atomic
def comment_submit(
    *,
    target: models.Model,
    author_name: str,
    email: str,
    text: str,
    submission_id: uuid.UUID,
    now: dt.datetime,
) -> tuple[Comment, bool]:
    """Store a resident's comment; the same submission sent twice gives the first comment back (created False).

    Under post-moderation a comment without automatic flags is published at once; a flagged one always waits
    for a moderator, so personal data and threats never reach the page unreviewed.
    """
    existing = Comment.objects.filter(submission_id=submission_id).first()
    if existing is not None:
        return existing, False
    kind = kind_for_object(target)
    if kind is None or not kind.is_public(target):
        raise ValidationError(_("Det går inte att kommentera det här."))
    municipality = kind.municipality(target)
    found = flags.flag_kinds(text)
    publish_now = moderation_mode(municipality=municipality) == CommentSettings.Mode.POST and not found
    try:
        with transaction.atomic():
            comment = Comment.objects.create(
                municipality=municipality,
                content_type=content_type_for(target),
                object_id=target.pk,
                promise=kind.promise(target),
                author_name=author_name.strip() or ANONYMOUS,
                original_text=text,
                published_text=text,
                state=Comment.State.APPROVED if publish_now else Comment.State.PENDING,
                flags=found,
                is_urgent=flags.THREAT in found,
                submission_id=submission_id,
                published_at=now if publish_now else None,
            )
    except IntegrityError:
        # The same form sent twice at once: the other request stored it first.
        return Comment.objects.get(submission_id=submission_id), False
    if email:
        CommentContact.objects.create(comment=comment, email=email)
    _event(comment=comment, action=ModerationEvent.Action.SUBMITTED, by=None)
    audit_record(
        actor=None,
        action=AuditEntry.Action.CREATE,
        instance=comment,
        changes={"state": [None, comment.state], "flags": [None, found]},
    )
    return comment, True


@transaction.atomic
def comment_report(*, comment: Comment, client_key: str, today: dt.date | None = None) -> Comment:
    """A resident reports a published comment; the third report hides it until a moderator decides."""
    locked = _locked(comment)
    if locked.state != Comment.State.APPROVED:
        return locked
    try:
        with transaction.atomic():
            CommentReport.objects.create(
                comment=locked, client_key=client_key, created_on=today or timezone.localdate()
            )
    except IntegrityError:
        return locked  # The same client reporting again counts once.
    Comment.objects.filter(pk=locked.pk).update(reports_count=F("reports_count") + 1)
    locked.refresh_from_db()
    if locked.reports_count >= REPORTS_TO_HIDE:
        locked.state = Comment.State.PENDING
        locked.reviewed = False
        locked.save(update_fields=["state", "reviewed"])
        reason = _("%(count)s anmälningar från besökare") % {"count": locked.reports_count}
        _event(comment=locked, action=ModerationEvent.Action.REPORTED, by=None, reason=reason)
        audit_record(
            actor=None,
            action=AuditEntry.Action.UPDATE,
            instance=locked,
            changes={"state": [Comment.State.APPROVED, Comment.State.PENDING]},
            reason=reason,
        )
    return locked


# --- moderators ---------------------------------------------------------------------------------------------


def _moderate(
    *, comment: Comment, by: User, state: str, action: str, reason: str, now: dt.datetime
) -> Comment:
    locked = _locked(comment)
    if not rules.can_moderate(by, locked.municipality):
        raise PermissionDenied
    before = locked.state
    locked.state = state
    locked.reviewed = True
    update = ["state", "reviewed"]
    if state == Comment.State.APPROVED:
        locked.reports_count = 0
        update.append("reports_count")
        if locked.published_at is None:
            locked.published_at = now
            update.append("published_at")
    locked.save(update_fields=update)
    _event(comment=locked, action=action, by=by, reason=reason)
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=locked,
        changes={"state": [before, state]},
        reason=reason,
    )
    return locked


@transaction.atomic
def comment_approve(*, comment: Comment, by: User, now: dt.datetime, reason: str = "") -> Comment:
    return _moderate(
        comment=comment,
        by=by,
        state=Comment.State.APPROVED,
        action=ModerationEvent.Action.APPROVED,
        reason=reason,
        now=now,
    )


@transaction.atomic
def comment_reject(*, comment: Comment, by: User, reason: str, now: dt.datetime) -> Comment:
    if not reason.strip():
        raise ValidationError(_("Skriv varför kommentaren avvisas."))
    return _moderate(
        comment=comment,
        by=by,
        state=Comment.State.REJECTED,
        action=ModerationEvent.Action.REJECTED,
        reason=reason,
        now=now,
    )


@transaction.atomic
def comment_hide(*, comment: Comment, by: User, reason: str, now: dt.datetime) -> Comment:
    if not reason.strip():
        raise ValidationError(_("Skriv varför kommentaren döljs."))
    return _moderate(
        comment=comment,
        by=by,
        state=Comment.State.HIDDEN,
        action=ModerationEvent.Action.HIDDEN,
        reason=reason,
        now=now,
    )


@transaction.atomic
def comment_edit_out(*, comment: Comment, by: User, published_text: str, reason: str) -> Comment:
    """Replace the published text (personal data edited out); the original stays for the record."""
    locked = _locked(comment)
    if not rules.can_moderate(by, locked.municipality):
        raise PermissionDenied
    if not published_text.strip():
        raise ValidationError(_("Den publicerade texten kan inte vara tom."))
    if published_text == locked.published_text:
        return locked
    locked.published_text = published_text
    locked.is_edited = published_text != locked.original_text
    locked.save(update_fields=["published_text", "is_edited"])
    reason = reason or _("Personuppgifter borttagna")
    _event(comment=locked, action=ModerationEvent.Action.EDITED, by=by, reason=reason)
    # The texts themselves stay out of the audit log: they are what was just judged to be personal data.
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=locked,
        changes={"published_text": ["…", "…"], "is_edited": [not locked.is_edited, locked.is_edited]},
        reason=reason,
    )
    return locked


def redaction_suggestion(*, comment: Comment) -> str:
    text = comment.published_text
    return flags.redact(text, flags.find_all(text), placeholder=_("[borttaget]"))


@transaction.atomic
def reply_create(*, comment: Comment, party: Party, by: User, text: str) -> OfficialReply:
    locked = _locked(comment)
    if not rules.can_reply(by, locked.municipality, party):
        raise PermissionDenied
    if locked.state != Comment.State.APPROVED:
        raise ValidationError(_("Bara publicerade kommentarer kan besvaras."))
    if not text.strip():
        raise ValidationError(_("Skriv ett svar."))
    reply = OfficialReply.objects.create(comment=locked, party=party, author=by, text=text.strip())
    audit_record(
        actor=by, action=AuditEntry.Action.CREATE, instance=reply, changes={"party": [None, party.pk]}
    )
    contact = CommentContact.objects.filter(comment=locked).first()
    if contact is not None:
        _send_reply_notice(comment=locked, reply=reply, email=contact.email)
    return reply


def _send_reply_notice(*, comment: Comment, reply: OfficialReply, email: str) -> None:
    target = comment.target
    url = site_url() + (target.get_absolute_url() if target is not None else "") + f"#kommentar-{comment.pk}"
    body = _(
        "Hej!\n\n%(party)s har svarat på din kommentar:\n\n%(reply)s\n\nLäs kommentaren och svaret: %(url)s\n\n"
        "Du får det här meddelandet för att du lämnade din e-postadress med kommentaren."
    ) % {"party": reply.party.name, "reply": reply.text, "url": url}
    email_send_on_commit(
        subject=_("Svar från %(party)s på din kommentar") % {"party": reply.party.name}, body=body, to=[email]
    )


@transaction.atomic
def comment_names_remove(
    *, municipality: Municipality, comments: list[Comment], by: User, reason: str
) -> int:
    """A resident asked to have their name removed: their comments are signed "anonym" from now on."""
    if not rules.can_remove_names(by, municipality):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError(_("Skriv vem som bad om det och när."))
    changed = 0
    for comment in Comment.objects.select_for_update().filter(
        municipality=municipality, pk__in=[comment.pk for comment in comments]
    ):
        if comment.author_name == ANONYMOUS:
            continue
        comment.author_name = ANONYMOUS
        comment.save(update_fields=["author_name"])
        _event(comment=comment, action=ModerationEvent.Action.ANONYMISED, by=by, reason=reason)
        audit_record(
            actor=by,
            action=AuditEntry.Action.UPDATE,
            instance=comment,
            changes={"author_name": ["…", ANONYMOUS]},
            reason=reason,
        )
        changed += 1
    return changed


@transaction.atomic
def contact_emails_purge(*, older_than: dt.datetime) -> int:
    """Delete the e-mail addresses of comments sent before `older_than` (the retention setting)."""
    contacts = list(
        CommentContact.objects.filter(comment__created_at__lt=older_than).select_related("comment")
    )
    for contact in contacts:
        _event(comment=contact.comment, action=ModerationEvent.Action.EMAIL_PURGED, by=None)
    CommentContact.objects.filter(pk__in=[contact.pk for contact in contacts]).delete()
    return len(contacts)


@transaction.atomic
def comment_settings_set(*, municipality: Municipality, mode: str, by: User) -> CommentSettings:
    if not rules.can_moderate(by, municipality):
        raise PermissionDenied
    found, _created = CommentSettings.objects.select_for_update().get_or_create(municipality=municipality)
    before = found.moderation_mode
    found.moderation_mode = mode
    found.full_clean()
    found.save()
    audit_record(
        actor=by, action=AuditEntry.Action.UPDATE, instance=found, changes={"moderation_mode": [before, mode]}
    )
    return found


# --- subscriptions ------------------------------------------------------------------------------------------


def subscription_confirm_token(subscription: Subscription) -> str:
    return signing.dumps(subscription.pk, salt=CONFIRM_SALT)


def subscription_for_confirm_token(token: str) -> Subscription | None:
    try:
        pk = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    return Subscription.objects.filter(pk=pk).first()


def unsubscribe_url(subscription: Subscription) -> str:
    return site_url() + reverse("comments:unsubscribe", kwargs={"token": subscription.unsubscribe_token})


@transaction.atomic
def subscription_request(*, target: models.Model, email: str, base_url: str) -> Subscription:
    """Ask for a subscription: nothing is sent to the address until its owner opens the confirmation link."""
    kind = kind_for_object(target)
    if kind is None or not kind.subscribable or not kind.is_public(target):
        raise ValidationError(_("Det går inte att prenumerera på det här."))
    subscription, created = Subscription.objects.get_or_create(
        email=email.strip().lower(),
        content_type=content_type_for(target),
        object_id=target.pk,
        defaults={"municipality": kind.municipality(target)},
    )
    if created:
        audit_record(actor=None, action=AuditEntry.Action.CREATE, instance=subscription)
    if subscription.confirmed_at is None:
        confirm_url = base_url.rstrip("/") + reverse(
            "comments:subscription_confirm", kwargs={"token": subscription_confirm_token(subscription)}
        )
        title = str(target)
        email_send_on_commit(
            subject=_("Bekräfta att du vill följa %(title)s") % {"title": title},
            body=_(
                "Hej!\n\nNågon, förhoppningsvis du, vill få e-post när det händer något nytt i "
                "”%(title)s”.\n\nBekräfta här: %(url)s\n\nOm det inte var du kan du strunta i det här "
                "meddelandet: du får ingen mer e-post och adressen raderas."
            )
            % {"title": title, "url": confirm_url},
            to=[subscription.email],
        )
    return subscription


@transaction.atomic
def subscription_confirm(*, subscription: Subscription, now: dt.datetime) -> Subscription:
    locked = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if locked.confirmed_at is None:
        locked.confirmed_at = now
        locked.save(update_fields=["confirmed_at"])
        audit_record(
            actor=None, action=AuditEntry.Action.UPDATE, instance=locked, changes={"confirmed": [False, True]}
        )
    return locked


@transaction.atomic
def subscription_unsubscribe(*, token: str) -> bool:
    """Delete the subscription and with it the address. True when there was one."""
    subscription = Subscription.objects.filter(unsubscribe_token=token).first()
    if subscription is None:
        return False
    audit_record(actor=None, action=AuditEntry.Action.DELETE, instance=subscription)
    subscription.delete()
    return True


@transaction.atomic
def unconfirmed_subscriptions_purge(*, older_than: dt.datetime) -> int:
    deleted, _details = Subscription.objects.filter(
        confirmed_at__isnull=True, created_at__lt=older_than
    ).delete()
    return deleted
