from collections.abc import Callable
from functools import update_wrapper
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite


def is_platform_operator(user: Any) -> bool:
    """The people who run the installation: active superusers. Municipal staff work in /personal/."""
    return bool(getattr(user, "is_active", False) and getattr(user, "is_superuser", False))


class TryggAdminSite(OTPAdminSite):
    """The back office of the platform operators (superusers who logged in with a second factor).

    Municipal staff, whatever their role, never reach it: every admin view answers them 403, so no model admin
    has to scope itself to a municipality, and no admin form can open a side door around the services.
    """

    site_header = _("Trygg – plattformens administration")
    site_title = _("Trygg")
    index_title = _("Inställningar för hela installationen")
    # Everyone signs in through the staff login page, which asks for the one-time code.
    login_form = None

    def has_permission(self, request: HttpRequest) -> bool:
        return is_platform_operator(request.user) and super().has_permission(request)

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Callable[..., Any]:
        inner = super().admin_view(view, cacheable)

        def refuse_staff(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            # A logged-in member of staff is told no, not sent to log in again: another login would not help.
            if request.user.is_authenticated and not is_platform_operator(request.user):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return update_wrapper(refuse_staff, inner)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if request.user.is_authenticated and not is_platform_operator(request.user):
            raise PermissionDenied
        target = request.GET.get("next") or reverse("admin:index")
        return HttpResponseRedirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")
