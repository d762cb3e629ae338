from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite


class TryggAdminSite(OTPAdminSite):
    """The back office: only for staff who logged in with a second factor."""

    site_header = _("Trygg – administration")
    site_title = _("Trygg")
    index_title = _("Inställningar och innehåll")
    # Everyone signs in through the staff login page, which asks for the one-time code.
    login_form = None

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        target = request.GET.get("next") or reverse("admin:index")
        return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")
