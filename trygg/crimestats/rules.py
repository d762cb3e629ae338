"""Who may import statistics and choose comparison groups (built on trygg.municipalities.rules)."""

from trygg.municipalities import rules
from trygg.municipalities.models import Municipality
from trygg.municipalities.rules import AnyUser


def can_import_statistics(user: AnyUser) -> bool:
    """Brå's and SCB's figures are public and cover every kommun, so any editor of some municipality may import.

    Each import is recorded with who made it and is audited.
    """
    return bool(user.is_authenticated and user.is_active) and rules.editable_municipalities(user).exists()


def can_see_imports(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active) and rules.staff_municipalities(user).exists()


def can_edit_comparison_group(user: AnyUser, municipality: Municipality) -> bool:
    return rules.can_edit_promises(user, municipality)
