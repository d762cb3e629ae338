"""Who may do what in the national app."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from trygg.municipalities import rules as municipality_rules
from trygg.promises.models import Promise

AnyUser = AbstractBaseUser | AnonymousUser


def can_verify_promise(user: AnyUser, promise: Promise) -> bool:
    """Only the kommun's own coordinators and administrators vouch for what their promise says."""
    return municipality_rules.is_verified_staff(user) and municipality_rules.can_edit_promises(
        user, promise.municipality
    )
