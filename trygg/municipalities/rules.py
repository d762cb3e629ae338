"""Who may do what. Every staff page, admin view and API endpoint asks one of these functions.

Tenancy: a user sees only the municipalities they hold a membership in; objects of other municipalities
do not exist for them (404). Inside their own municipality a forbidden action is refused (403).
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from .models import Membership, Municipality, Party

AnyUser = AbstractBaseUser | AnonymousUser

EDITOR_ROLES = frozenset({Membership.Role.ADMINISTRATOR, Membership.Role.COORDINATOR})


def _memberships(user: AnyUser) -> QuerySet[Membership]:
    if not user.is_authenticated or not user.is_active:
        return Membership.objects.none()
    return Membership.objects.filter(user_id=user.pk)


def is_verified_staff(user: AnyUser) -> bool:
    """Logged in, active, and verified with a second factor in this session."""
    is_verified = getattr(user, "is_verified", None)
    return bool(user.is_authenticated and user.is_active and callable(is_verified) and is_verified())


def staff_municipalities(user: AnyUser) -> QuerySet[Municipality]:
    if getattr(user, "is_superuser", False) and user.is_active:
        return Municipality.objects.all()
    return Municipality.objects.filter(memberships__in=_memberships(user)).distinct()


def editable_municipalities(user: AnyUser) -> QuerySet[Municipality]:
    if getattr(user, "is_superuser", False) and user.is_active:
        return Municipality.objects.all()
    return Municipality.objects.filter(
        memberships__in=_memberships(user).filter(role__in=EDITOR_ROLES)
    ).distinct()


def roles_in(user: AnyUser, municipality: Municipality) -> set[str]:
    return set(_memberships(user).filter(municipality=municipality).values_list("role", flat=True))


def parties_in(user: AnyUser, municipality: Municipality) -> QuerySet[Party]:
    return Party.objects.filter(
        memberships__in=_memberships(user).filter(municipality=municipality)
    ).distinct()


def can_see_municipality_staff_pages(user: AnyUser, municipality: Municipality) -> bool:
    return getattr(user, "is_superuser", False) or bool(roles_in(user, municipality))


def can_edit_promises(user: AnyUser, municipality: Municipality) -> bool:
    return getattr(user, "is_superuser", False) or bool(roles_in(user, municipality) & EDITOR_ROLES)


def can_publish_promise(user: AnyUser, municipality: Municipality) -> bool:
    return can_edit_promises(user, municipality)


def can_use_admin(user: AnyUser) -> bool:
    """The Django admin is the platform operators' (active superusers'); municipal staff work in /personal/."""
    return bool(getattr(user, "is_superuser", False) and user.is_active)


def can_edit_municipality_profile(user: AnyUser, municipality: Municipality) -> bool:
    """Name, contact details, logo, map centre and police areas: the municipality's coordinators and administrators."""
    return getattr(user, "is_superuser", False) or bool(roles_in(user, municipality) & EDITOR_ROLES)
