from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from trygg.accounts import rules as account_rules
from trygg.accounts.decorators import staff_required
from trygg.municipalities.staff_views import staff_municipality

from .reminders import reminder_log as reminder_log_read


@staff_required
def reminder_log(request: HttpRequest, municipality: str) -> HttpResponse:
    """Which reminders went to whom, and who gets none: the municipality's coordinators and administrators."""
    found = staff_municipality(request, municipality)
    if not account_rules.can_manage_people(request.user, found):
        raise PermissionDenied
    return render(
        request,
        "followup/staff/reminder_log.html",
        {"municipality": found, "log": reminder_log_read(municipality=found)},
    )
