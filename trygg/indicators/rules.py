"""Who may do what with indicators. Built on `trygg.municipalities.rules`.

Measurements are recorded by the municipality's coordinators and administrators, and by staff of a party
responsible for one of the indicator's linked activities. Creating and editing indicators, linking them to
activities and moving a counted sample to another activity is for coordinators and administrators. Staff
of other municipalities never see an indicator's staff page (404); other staff of the municipality look.
"""

from django.db.models import QuerySet

from trygg.municipalities import rules
from trygg.municipalities.models import Municipality

from .models import Indicator

AnyUser = rules.AnyUser


def staff_indicators(user: AnyUser) -> QuerySet[Indicator]:
    return Indicator.objects.filter(municipality__in=rules.staff_municipalities(user))


def can_manage_indicators(user: AnyUser, municipality: Municipality) -> bool:
    """Create and edit the municipality's indicators, link them to activities, relink counted samples."""
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(getattr(user, "is_superuser", False)) or bool(
        rules.roles_in(user, municipality) & rules.EDITOR_ROLES
    )


def manageable_municipalities(user: AnyUser) -> QuerySet[Municipality]:
    return rules.editable_municipalities(user)


def can_record_measurements(user: AnyUser, indicator: Indicator) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_superuser", False):
        return True
    municipality = indicator.municipality
    if rules.roles_in(user, municipality) & rules.EDITOR_ROLES:
        return True
    return rules.parties_in(user, municipality).filter(activities__indicators=indicator).exists()
