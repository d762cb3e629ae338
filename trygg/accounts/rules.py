"""Who may answer residents' requests about their personal data (GDPR articles 15 and 17)."""

from trygg.municipalities import rules
from trygg.municipalities.models import Municipality
from trygg.municipalities.rules import AnyUser


def can_answer_personal_data_requests(user: AnyUser, municipality: Municipality) -> bool:
    """The coordinator and the administrator of the municipality: they see and erase residents' contact data."""
    return getattr(user, "is_superuser", False) or bool(
        rules.roles_in(user, municipality) & rules.EDITOR_ROLES
    )


def can_manage_people(user: AnyUser, municipality: Municipality) -> bool:
    """Invite staff, reset their second factor, remove their roles and deactivate them: the municipality's
    coordinators and administrators, for the people of that municipality only."""
    return getattr(user, "is_superuser", False) or bool(
        rules.roles_in(user, municipality) & rules.EDITOR_ROLES
    )
