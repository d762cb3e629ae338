import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from trygg.audit.models import AuditEntry
from trygg.audit.services import audit_changes, audit_record
from trygg.core import privacy
from trygg.core.security_events import security_event
from trygg.core.tasks import email_send_on_commit
from trygg.municipalities import rules
from trygg.municipalities import selectors as municipality_selectors
from trygg.municipalities.models import Membership, Municipality, Party

from . import rules as rules_accounts
from .models import ApiToken, Invitation, User


@transaction.atomic
def user_end_sessions(*, user: User, by: User, reason: str = "") -> None:
    """End every session of `user`: their next request finds them logged out."""
    User.objects.filter(pk=user.pk).update(session_generation=F("session_generation") + 1)
    user.refresh_from_db(fields=["session_generation"])
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=user,
        changes={"sessions": ["active", "ended"]},
        reason=reason,
    )


@transaction.atomic
def user_deactivate(*, user: User, by: User | None, reason: str = "", now: dt.datetime) -> User:
    """Deactivate a staff user and end everything they hold: sessions and API keys.

    Inactive users are already refused, but a session from before would work again after a reactivation if it
    were only refused: the session generation is bumped, so it never does, and the keys are revoked for good.
    Every channel that deactivates a user (the admin, a staff page) calls this.
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    was_active = locked.is_active
    locked.is_active = False
    locked.session_generation = F("session_generation") + 1
    locked.save(update_fields=["is_active", "session_generation"])
    locked.refresh_from_db(fields=["is_active", "session_generation"])
    revoked = ApiToken.objects.filter(user=locked, revoked_at__isnull=True).update(revoked_at=now)
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=locked,
        changes={
            "is_active": [was_active, False],
            "sessions": ["active", "ended"],
            "api_tokens_revoked": revoked,
        },
        reason=reason,
    )
    security_event("user_deactivated", user=str(locked.pk))
    user.is_active = False
    user.session_generation = locked.session_generation
    return locked


TOKEN_PREFIX = "trygg_"  # noqa: S105 - a visible prefix, not a secret
MAX_TOKEN_DAYS = 90


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, user: User, municipality: Municipality, name: str, days: int, now: dt.datetime
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is shown once and never stored."""
    if not rules.is_verified_staff(user):
        raise PermissionDenied
    if not rules.can_see_municipality_staff_pages(user, municipality):
        raise PermissionDenied
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        municipality=municipality,
        name=name,
        prefix=raw[: len(TOKEN_PREFIX) + 6],
        key_hash=token_hash(raw),
        expires_at=now + dt.timedelta(days=max(1, min(days, MAX_TOKEN_DAYS))),
    )
    audit_record(actor=user, action=AuditEntry.Action.CREATE, instance=token, changes={"name": [None, name]})
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User, now: dt.datetime) -> None:
    token.revoked_at = now
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=by, action=AuditEntry.Action.UPDATE, instance=token, changes={"revoked": [False, True]}
    )


# --- residents' requests about their personal data ----------------------------------------------------------


def _names_held(data: dict[str, list[dict[str, Any]]]) -> set[str]:
    return {
        str(row["name"]).strip().lower()
        for rows in data.values()
        for row in rows
        if len(str(row.get("name") or "").strip()) > 1
    }


@transaction.atomic
def personal_data_request_export(
    *, email: str, municipality: Municipality, by: User
) -> dict[str, list[dict[str, Any]]]:
    """What the municipality holds about an address; the look is audited (the address only as a hash)."""
    if not rules_accounts.can_answer_personal_data_requests(by, municipality):
        raise PermissionDenied
    data = privacy.personal_data_export(email=email, municipality=municipality)
    audit_record(
        actor=by,
        action=AuditEntry.Action.VIEW,
        instance=municipality,
        changes={
            "subject": privacy.email_hashed(email),
            "records": {name: len(rows) for name, rows in data.items()},
        },
        reason=_("Utdrag av personuppgifter på begäran av den registrerade"),
    )
    security_event("personal_data_exported", municipality=str(municipality.pk), staff=str(by.pk))
    return data


@transaction.atomic
def personal_data_request_erase(
    *, email: str, municipality: Municipality, by: User, reason: str
) -> dict[str, int]:
    """Erase an address's contact data and name in the municipality; the records themselves stay."""
    if not rules_accounts.can_answer_personal_data_requests(by, municipality):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Skriv ärendets diarienummer eller när begäran kom in.")})
    held = privacy.personal_data_export(email=email, municipality=municipality)
    written = reason.lower()
    if privacy.email_normalise(email) in written or any(name in written for name in _names_held(held)):
        # The reason stays in the audit log after the erasure: it must not bring the name back.
        raise ValidationError({"reason": _("Skriv inte personens namn eller e-postadress i anledningen.")})
    erased = privacy.personal_data_erase(email=email, municipality=municipality, by=by)
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=municipality,
        changes={"subject": privacy.email_hashed(email), "erased": erased},
        reason=reason,
    )
    security_event("personal_data_erased", municipality=str(municipality.pk), staff=str(by.pk))
    return erased


# --- people: invitations, second factors, deactivation, one's own details -------------------------------------


def site_link(path: str) -> str:
    """An absolute link for an e-mail, from the configured site address (never from a request's Host header)."""
    return f"{settings.SITE_URL}{path}"


def _require_people_manager(by: User, municipality: Municipality) -> None:
    if not rules_accounts.can_manage_people(by, municipality):
        raise PermissionDenied


def _require_member(user: User, municipality: Municipality) -> None:
    # Another municipality's staff do not exist here: the caller answers 404, never 403.
    if not Membership.objects.filter(user=user, municipality=municipality).exists():
        raise Membership.DoesNotExist


def _email_taken(email: str, *, other_than: User | None = None) -> bool:
    users = User.objects.filter(email__iexact=email.strip())
    if other_than is not None:
        users = users.exclude(pk=other_than.pk)
    return users.exists()


@transaction.atomic
def invitation_create(
    *,
    municipality: Municipality,
    email: str,
    role: str,
    party: Party,
    by: User,
    now: dt.datetime,
    first_name: str = "",
    last_name: str = "",
) -> tuple[Invitation, str]:
    """Invite a person to a role in one of the municipality's parties; returns the invitation and its link's secret,
    which is e-mailed once the invitation is committed and never stored. An earlier pending invitation of the same
    address to the same municipality is revoked: the newest link is the only one that works."""
    _require_people_manager(by, municipality)
    email = email.strip().lower()
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Välj en roll.")})
    if not municipality_selectors.parties_choosable(municipality=municipality).filter(pk=party.pk).exists():
        raise ValidationError(
            {"party": _("Välj en av kommunens parter eller polisen som verkar i kommunen.")}
        )
    if role == Membership.Role.POLICE and party.kind != Party.Kind.POLICE:
        raise ValidationError({"party": _("En kommunpolis hör till polisen: välj polisen som part.")})
    Invitation.objects.pending(now).filter(municipality=municipality, email__iexact=email).update(
        revoked_at=now
    )
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        municipality=municipality,
        party=party,
        role=role,
        email=email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        key_hash=token_hash(raw),
        invited_by=by,
        expires_at=now + dt.timedelta(days=settings.INVITATION_VALID_DAYS),
    )
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        instance=invitation,
        changes={
            "email": [None, privacy.email_hashed(email)],
            "role": [None, role],
            "party": [None, str(party.pk)],
        },
    )
    link = site_link(reverse("accounts:invitation_accept", args=[raw]))
    inviter = by.get_full_name() or by.get_username()
    body = _(
        "Hej!\n\n%(inviter)s har bjudit in dig till Trygg, där %(municipality)s och polisen följer upp sitt "
        "trygghetsarbete. Du får rollen %(role)s för %(party)s.\n\n"
        "Öppna länken inom %(days)s dagar, välj ett användarnamn och ett lösenord och ställ in en "
        "autentiseringsapp i telefonen (till exempel Microsoft Authenticator, Google Authenticator eller FreeOTP):\n\n"
        "%(link)s\n\n"
        "Länken fungerar en gång. Väntade du dig inte det här meddelandet kan du bortse från det."
    ) % {
        "inviter": inviter,
        "municipality": municipality.name,
        "role": Membership.Role(role).label,
        "party": party.name,
        "days": settings.INVITATION_VALID_DAYS,
        "link": link,
    }
    email_send_on_commit(
        subject=_("Inbjudan till Trygg för %(municipality)s") % {"municipality": municipality.name},
        body=body,
        to=[email],
    )
    return invitation, raw


def invitation_find(*, raw: str, now: dt.datetime) -> Invitation | None:
    """The pending invitation a link's secret belongs to, or None (unknown, used, revoked or expired)."""
    return (
        Invitation.objects.pending(now)
        .select_related("municipality", "party")
        .filter(key_hash=token_hash(raw))
        .first()
    )


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User, now: dt.datetime) -> None:
    _require_people_manager(by, invitation.municipality)
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        return
    invitation.revoked_at = now
    invitation.save(update_fields=["revoked_at"])
    audit_record(
        actor=by, action=AuditEntry.Action.UPDATE, instance=invitation, changes={"revoked": [False, True]}
    )


def _enrolment_device(user: User) -> TOTPDevice:
    """A fresh, unconfirmed authenticator for the user to set up; it replaces any earlier unconfirmed one."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=str(_("Autentiseringsapp")), confirmed=False)


@transaction.atomic
def invitation_accept(
    *, raw: str, username: str, password: str, first_name: str, last_name: str, now: dt.datetime
) -> User:
    """Create the invited person's account with their role, and an authenticator for them to set up next.

    Raises ValidationError (field errors in Swedish) when the link no longer works, the username is taken, the
    password is too weak, or the address already belongs to an account (that person accepts while logged in)."""
    invitation = _locked_pending(raw, now)
    if invitation is None:
        raise ValidationError(_("Inbjudan gäller inte längre. Be den som bjöd in dig om en ny."))
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("Användarnamnet är upptaget. Välj ett annat.")})
    if _email_taken(invitation.email):
        raise ValidationError(
            _("Det finns redan ett konto med den här e-postadressen. Logga in och öppna länken igen.")
        )
    user = User(
        username=username,
        email=invitation.email,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password1": error.messages}) from None
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    _accept(invitation, user=user, now=now)
    _enrolment_device(user)
    return user


@transaction.atomic
def invitation_accept_as(*, raw: str, user: User, now: dt.datetime) -> Membership:
    """A person who already has an account takes the role they were invited to, logged in as themselves."""
    invitation = _locked_pending(raw, now)
    if invitation is None:
        raise ValidationError(_("Inbjudan gäller inte längre. Be den som bjöd in dig om en ny."))
    if not rules.is_verified_staff(user) or user.email.strip().lower() != invitation.email:
        raise PermissionDenied
    return _accept(invitation, user=user, now=now)


def _locked_pending(raw: str, now: dt.datetime) -> Invitation | None:
    # Locked, so that two tabs accepting the same link at once cannot both use it.
    found = invitation_find(raw=raw, now=now)
    if found is None:
        return None
    return (
        Invitation.objects.select_for_update()
        .pending(now)
        .select_related("municipality", "party")
        .filter(pk=found.pk)
        .first()
    )


def _accept(invitation: Invitation, *, user: User, now: dt.datetime) -> Membership:
    membership, _created = Membership.objects.get_or_create(
        user=user, municipality=invitation.municipality, party=invitation.party, role=invitation.role
    )
    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=user,
        action=AuditEntry.Action.CREATE,
        instance=membership,
        changes={"invitation": [None, str(invitation.pk)], "role": [None, invitation.role]},
    )
    return membership


def second_factor_pending(*, user: User, now: dt.datetime) -> TOTPDevice | None:
    """The authenticator the user may still set up with the password alone: only after an invitation or a reset,
    only while they have no working second factor, and only for SECOND_FACTOR_ENROL_DAYS."""
    if not user.is_active or TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return None
    since = now - dt.timedelta(days=settings.SECOND_FACTOR_ENROL_DAYS)
    return (
        TOTPDevice.objects.filter(user=user, confirmed=False, created_at__gte=since).order_by("-pk").first()
    )


@transaction.atomic
def second_factor_confirm(*, user: User, token: str, now: dt.datetime) -> TOTPDevice:
    """Confirm the pending authenticator with a code from it; raises ValidationError for a wrong code."""
    device = second_factor_pending(user=user, now=now)
    if device is None:
        raise PermissionDenied
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token(token.strip().replace(" ", "")):
        raise ValidationError(
            {"token": _("Koden stämmer inte. Skriv de sex siffror som appen visar just nu.")}
        )
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    audit_record(
        actor=user,
        action=AuditEntry.Action.UPDATE,
        instance=user,
        changes={"second_factor": [None, "set up"]},
    )
    security_event("second_factor_enrolled", staff=str(user.pk))
    return device


@transaction.atomic
def second_factor_reset(*, user: User, municipality: Municipality, by: User, now: dt.datetime) -> None:
    """Remove the user's authenticator (a lost phone): their sessions end, and at their next login the password
    alone leads them to set up a new one, for SECOND_FACTOR_ENROL_DAYS."""
    _require_people_manager(by, municipality)
    _require_member(user, municipality)
    if user.pk == by.pk or user.is_superuser:
        raise PermissionDenied
    TOTPDevice.objects.filter(user=user).delete()
    _enrolment_device(user)
    user_end_sessions(user=user, by=by, reason=str(_("Tvåstegsverifieringen återställdes")))
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=user,
        changes={"second_factor": ["set up", "reset"]},
    )
    security_event(
        "second_factor_reset", municipality=str(municipality.pk), staff=str(by.pk), user=str(user.pk)
    )
    if user.email:
        email_send_on_commit(
            subject=_("Ställ in din autentiseringsapp för Trygg igen"),
            body=_(
                "Hej!\n\nDin tvåstegsverifiering i Trygg har återställts av %(by)s. Logga in med ditt användarnamn "
                "och lösenord inom %(days)s dagar, så får du ställa in autentiseringsappen på nytt:\n\n%(link)s\n\n"
                "Bad du inte om det här? Kontakta din samordnare."
            )
            % {
                "by": by.get_full_name() or by.get_username(),
                "days": settings.SECOND_FACTOR_ENROL_DAYS,
                "link": site_link(reverse("accounts:login")),
            },
            to=[user.email],
        )


def _managed_everywhere(user: User, by: User) -> bool:
    """True when every municipality the user works in is one that `by` manages the people of."""
    municipalities = Municipality.objects.filter(memberships__user=user).distinct()
    return all(rules_accounts.can_manage_people(by, municipality) for municipality in municipalities)


@transaction.atomic
def member_deactivate(*, user: User, municipality: Municipality, by: User, now: dt.datetime) -> None:
    """A coordinator closes the account of someone in their municipality (see user_deactivate for the effect).

    Only for a person who works in no municipality the coordinator does not manage; otherwise they remove the role.
    """
    _require_people_manager(by, municipality)
    _require_member(user, municipality)
    if user.pk == by.pk or user.is_superuser:
        raise PermissionDenied
    if not _managed_everywhere(user, by):
        raise ValidationError(
            _("Personen arbetar också i en annan kommun. Ta bort rollen här i stället för att stänga kontot.")
        )
    user_deactivate(user=user, by=by, reason=str(_("Kontot stängdes")), now=now)


@transaction.atomic
def user_reactivate(*, user: User, municipality: Municipality, by: User) -> None:
    _require_people_manager(by, municipality)
    _require_member(user, municipality)
    if user.is_superuser or not _managed_everywhere(user, by):
        raise PermissionDenied
    User.objects.filter(pk=user.pk).update(is_active=True)
    user.refresh_from_db(fields=["is_active"])
    audit_record(
        actor=by, action=AuditEntry.Action.UPDATE, instance=user, changes={"is_active": [False, True]}
    )


@transaction.atomic
def membership_remove(*, membership: Membership, by: User, now: dt.datetime) -> None:
    """Take one role away; the person's API tokens for that municipality stop answering if no role is left there."""
    _require_people_manager(by, membership.municipality)
    if membership.user_id == by.pk and membership.role in rules.EDITOR_ROLES:
        # The last coordinator must not lock the municipality out by accident: another one removes them.
        raise PermissionDenied
    audit_record(actor=by, action=AuditEntry.Action.DELETE, instance=membership)
    membership.delete()
    if not Membership.objects.filter(
        user_id=membership.user_id, municipality=membership.municipality
    ).exists():
        ApiToken.objects.filter(
            user_id=membership.user_id, municipality=membership.municipality, revoked_at__isnull=True
        ).update(revoked_at=now)


@transaction.atomic
def user_profile_update(*, user: User, first_name: str, last_name: str, email: str) -> User:
    """A user's own name and e-mail address (where reminders go)."""
    email = email.strip()
    if email and _email_taken(email, other_than=user):
        raise ValidationError({"email": _("Adressen används redan av ett annat konto i Trygg.")})
    before = {"first_name": user.first_name, "last_name": user.last_name, "email": user.email}
    after = {"first_name": first_name.strip(), "last_name": last_name.strip(), "email": email}
    User.objects.filter(pk=user.pk).update(**after)
    user.refresh_from_db(fields=["first_name", "last_name", "email"])
    changes = audit_changes(before=before, after=after, fields=after.keys())
    if changes:
        audit_record(actor=user, action=AuditEntry.Action.UPDATE, instance=user, changes=changes)
    return user
