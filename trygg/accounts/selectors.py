"""Reads about staff accounts, shaped like the pages that show them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django_otp.plugins.otp_totp.models import TOTPDevice

from trygg.municipalities.models import Membership, Municipality

from .models import IdentityProviderDevice, Invitation, User


@dataclass(frozen=True)
class Role:
    membership_pk: int
    role: str
    role_label: str
    party_name: str


@dataclass(frozen=True)
class Person:
    pk: int
    username: str
    name: str
    email: str
    is_active: bool
    is_superuser: bool
    #: "set_up" (a confirmed authenticator or the identity provider), "pending" (to set up at next login), "none".
    second_factor: str
    roles: tuple[Role, ...]

    @property
    def gets_reminders(self) -> bool:
        return self.is_active and bool(self.email)


@dataclass(frozen=True)
class PeoplePage:
    people: tuple[Person, ...]
    invitations: tuple[Invitation, ...]

    @property
    def without_email(self) -> tuple[Person, ...]:
        return tuple(person for person in self.people if person.is_active and not person.email)


def _second_factors(user_ids: set[int], now: dt.datetime, enrol_days: int) -> dict[int, str]:
    states: dict[int, str] = {}
    since = now - dt.timedelta(days=enrol_days)
    for user_id, confirmed, created_at in TOTPDevice.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "confirmed", "created_at"
    ):
        if confirmed:
            states[user_id] = "set_up"
        elif states.get(user_id) != "set_up" and created_at is not None and created_at >= since:
            states[user_id] = "pending"
    for user_id in IdentityProviderDevice.objects.filter(user_id__in=user_ids, confirmed=True).values_list(
        "user_id", flat=True
    ):
        states[user_id] = "set_up"
    return states


def municipality_people(*, municipality: Municipality, now: dt.datetime, enrol_days: int) -> PeoplePage:
    """The municipality's staff with their roles there, and its invitations still waiting: four queries."""
    memberships = (
        Membership.objects.filter(municipality=municipality)
        .select_related("user", "party")
        .order_by("user__last_name", "user__first_name", "user__username", "role")
    )
    users: dict[int, User] = {}
    roles: dict[int, list[Role]] = {}
    for membership in memberships:
        users[membership.user_id] = membership.user
        roles.setdefault(membership.user_id, []).append(
            Role(
                membership_pk=membership.pk,
                role=membership.role,
                role_label=str(membership.get_role_display()),
                party_name=membership.party.name,
            )
        )
    states = _second_factors(set(users), now, enrol_days)
    people = tuple(
        Person(
            pk=user.pk,
            username=user.get_username(),
            name=user.get_full_name(),
            email=user.email,
            is_active=user.is_active,
            is_superuser=user.is_superuser,
            second_factor=states.get(user.pk, "none"),
            roles=tuple(roles[user.pk]),
        )
        for user in users.values()
    )
    invitations = tuple(
        Invitation.objects.pending(now)
        .filter(municipality=municipality)
        .select_related("party", "invited_by")
        .order_by("-created_at")
    )
    return PeoplePage(people=people, invitations=invitations)


def staff_without_email(*, municipality: Municipality) -> list[User]:
    """Active staff of the municipality who cannot get reminders: they have no e-mail address."""
    return list(
        User.objects.filter(memberships__municipality=municipality, is_active=True)
        .filter(Q(email="") | Q(email__isnull=True))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
