"""Who may do what with surveys, built on the municipality rules."""

from trygg.municipalities.models import Municipality
from trygg.municipalities.rules import AnyUser, can_edit_promises, can_see_municipality_staff_pages


def can_see_survey_staff_pages(user: AnyUser, municipality: Municipality) -> bool:
    return can_see_municipality_staff_pages(user, municipality)


def can_build_survey(user: AnyUser, municipality: Municipality) -> bool:
    """Coordinators and administrators build surveys, make codes and import; the others read the results."""
    return can_edit_promises(user, municipality)
