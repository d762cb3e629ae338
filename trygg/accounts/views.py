from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from trygg.municipalities import rules
from trygg.promises.models import Promise

from .decorators import staff_required
from .forms import StaffLoginForm


class StaffLoginView(auth_views.LoginView):
    form_class = StaffLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = False


class StaffLogoutView(auth_views.LogoutView):
    template_name = "accounts/logged_out.html"


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    municipalities = rules.staff_municipalities(request.user).order_by("name")
    promises = (
        Promise.objects.filter(municipality__in=municipalities)
        .select_related("municipality")
        .order_by("municipality__name", "-valid_from")
    )
    memberships = request.user.memberships.select_related("municipality", "party").order_by(  # type: ignore[union-attr]
        "municipality__name"
    )
    return render(
        request,
        "accounts/dashboard.html",
        {
            "memberships": memberships,
            "promises": promises,
            "can_use_admin": rules.can_use_admin(request.user),
        },
    )
