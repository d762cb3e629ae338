"""Who may record measurements. Built on `trygg.municipalities.rules`.

The municipality's coordinators and administrators, and staff of a party responsible for one of the
indicator's linked activities. Staff of other municipalities never see an indicator's staff page (404).
"""

from django.db.models import QuerySet

from trygg.municipalities import rules

from .models import Indicator

AnyUser = rules.AnyUser


def staff_indicators(user: AnyUser) -> QuerySet[Indicator]:
    return Indicator.objects.filter(municipality__in=rules.staff_municipalities(user))


def can_record_measurements(user: AnyUser, indicator: Indicator) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_superuser", False):
        return True
    municipality = indicator.municipality
    if rules.roles_in(user, municipality) & rules.EDITOR_ROLES:
        return True
    return rules.parties_in(user, municipality).filter(activities__indicators=indicator).exists()
