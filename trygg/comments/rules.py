"""Who may moderate and answer comments. Built on trygg.municipalities.rules: tenancy first, then the role."""

from django.db.models import QuerySet

from trygg.municipalities import rules
from trygg.municipalities.models import Membership, Municipality, Party
from trygg.municipalities.rules import AnyUser

# A "moderator" role may join these later; every check goes through can_moderate.
MODERATOR_ROLES = frozenset({Membership.Role.COORDINATOR, Membership.Role.ADMINISTRATOR, "moderator"})


def can_see_comments_staff_pages(user: AnyUser, municipality: Municipality) -> bool:
    return rules.can_see_municipality_staff_pages(user, municipality)


def can_moderate(user: AnyUser, municipality: Municipality) -> bool:
    return getattr(user, "is_superuser", False) or bool(rules.roles_in(user, municipality) & MODERATOR_ROLES)


def reply_parties(user: AnyUser, municipality: Municipality) -> list[Party]:
    """The parties the user may answer for: those they are a member of in this municipality."""
    return list(rules.parties_in(user, municipality).order_by("kind", "name"))


def reply_memberships(user: AnyUser) -> QuerySet[Membership]:
    """Where the user answers comments: each (municipality, party) they are a member of."""
    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none()
    return Membership.objects.filter(user_id=user.pk)


def can_reply(user: AnyUser, municipality: Municipality, party: Party | None = None) -> bool:
    parties = reply_parties(user, municipality)
    return bool(parties) if party is None else party in parties


def can_remove_names(user: AnyUser, municipality: Municipality) -> bool:
    return can_moderate(user, municipality)
