"""Who may do what with reports. Built on trygg.municipalities.rules.

Any staff member of a municipality sees its reports. Coordinators, administrators and crews handle them
(state, public notes); the police and the coordinators enter police report numbers; assignment, bulk
actions and the municipality-wide settings are for coordinators and administrators. Reporters' contact
data is for those who may have to answer them.
"""

from trygg.municipalities.models import Membership, Municipality
from trygg.municipalities.rules import EDITOR_ROLES, AnyUser, parties_in, roles_in

from .models import Report

HANDLER_ROLES = EDITOR_ROLES | {Membership.Role.CREW}
POLICE_NUMBER_ROLES = EDITOR_ROLES | {Membership.Role.POLICE}


def _has(user: AnyUser, municipality: Municipality, allowed: frozenset[str]) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active) or bool(
        roles_in(user, municipality) & allowed
    )


def can_view_reports(user: AnyUser, municipality: Municipality) -> bool:
    return bool(getattr(user, "is_superuser", False) and user.is_active) or bool(roles_in(user, municipality))


def can_change_report_state(user: AnyUser, municipality: Municipality) -> bool:
    return _has(user, municipality, HANDLER_ROLES)


def can_set_police_report_number(user: AnyUser, municipality: Municipality) -> bool:
    return _has(user, municipality, POLICE_NUMBER_ROLES)


def can_assign_reports(user: AnyUser, municipality: Municipality) -> bool:
    return _has(user, municipality, EDITOR_ROLES)


def can_bulk_change_reports(user: AnyUser, municipality: Municipality) -> bool:
    return _has(user, municipality, EDITOR_ROLES)


def can_view_reporter_contact(user: AnyUser, municipality: Municipality) -> bool:
    return _has(user, municipality, HANDLER_ROLES)


def can_manage_report_categories(user: AnyUser, municipality: Municipality) -> bool:
    """Categories, their promised response times and their links to the promise are municipality-wide."""
    return _has(user, municipality, EDITOR_ROLES)


def can_write_public_note(user: AnyUser, report: Report) -> bool:
    """A note on the public history speaks for whoever handles the report: its handlers (coordinators,
    administrators, crews), or a member of the party the report is assigned to. A police officer cannot write on
    the kommun's report (issue 20: note-only changes skipped the role check)."""
    municipality = report.municipality
    if can_change_report_state(user, municipality):
        return True
    if report.assigned_party_id is None:
        return False
    return parties_in(user, municipality).filter(pk=report.assigned_party_id).exists()


def can_take_down(user: AnyUser, municipality: Municipality) -> bool:
    """Hide or show a report or a photo, and publish photos held for review: those who handle reports."""
    return can_change_report_state(user, municipality)
