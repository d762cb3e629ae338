"""Who may change a promise. Built on `trygg.municipalities.rules`.

Coordinators and administrators of the promise's municipality edit it (its focus areas, activities and
signatories), publish it and make next year's draft from it. Other staff of the municipality may read the
staff page (403 on every change); staff of other municipalities never see it (404, in the selectors).
"""

from trygg.municipalities import rules
from trygg.municipalities.models import Municipality

from .models import Promise

AnyUser = rules.AnyUser


def can_create_promise(user: AnyUser, municipality: Municipality) -> bool:
    return bool(user.is_authenticated and user.is_active) and rules.can_edit_promises(user, municipality)


def can_edit_promise(user: AnyUser, promise: Promise) -> bool:
    return can_create_promise(user, promise.municipality)


def can_publish_promise(user: AnyUser, promise: Promise) -> bool:
    return can_edit_promise(user, promise) and rules.can_publish_promise(user, promise.municipality)


def can_copy_promise(user: AnyUser, promise: Promise) -> bool:
    return can_edit_promise(user, promise)
