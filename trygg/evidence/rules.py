"""Who may do what with the lägesbild (built on trygg.municipalities.rules)."""

from trygg.municipalities import rules
from trygg.municipalities.models import Membership, Municipality
from trygg.municipalities.rules import AnyUser

DIALOGUE_ROLES = frozenset(
    {Membership.Role.ADMINISTRATOR, Membership.Role.COORDINATOR, Membership.Role.POLICE}
)


def can_see_evidence(user: AnyUser, municipality: Municipality) -> bool:
    return rules.can_see_municipality_staff_pages(user, municipality)


def can_record_dialogues(user: AnyUser, municipality: Municipality) -> bool:
    """The coordinator and the kommunpolis both hold dialogues; crews do not record them."""
    return getattr(user, "is_superuser", False) or bool(rules.roles_in(user, municipality) & DIALOGUE_ROLES)


def can_edit_measures(user: AnyUser, municipality: Municipality) -> bool:
    return rules.can_edit_promises(user, municipality)


def can_create_focus_area(user: AnyUser, municipality: Municipality) -> bool:
    return rules.can_edit_promises(user, municipality)
