import time
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from trygg.municipalities import rules
from trygg.promises.models import Promise

from . import services
from .decorators import staff_required
from .forms import ApiTokenForm, StaffLoginForm
from .middleware import session_time
from .models import ApiToken, User


class StaffLoginView(auth_views.LoginView):
    form_class = StaffLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = False

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "oidc_enabled": settings.OIDC_ENABLED}


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
            "can_import": rules.editable_municipalities(request.user).exists(),
        },
    )


@staff_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    municipalities = rules.staff_municipalities(request.user).order_by("name")
    form = ApiTokenForm(request.POST or None, municipalities=municipalities)
    created_secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _token, created_secret = services.api_token_create(
                user=request.user,  # type: ignore[arg-type]
                municipality=form.cleaned_data["municipality"],
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                now=timezone.now(),
            )
            form = ApiTokenForm(municipalities=municipalities)
        else:
            status = 400
    tokens = ApiToken.objects.filter(user=cast(User, request.user)).select_related("municipality")
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens, "created_secret": created_secret, "now": timezone.now()},
        status=status,
    )


@staff_required
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=cast(User, request.user))
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.api_token_revoke(token=token, by=request.user, now=timezone.now())  # type: ignore[arg-type]
    return HttpResponseRedirect(reverse("accounts:api_tokens"))


@staff_required
@require_POST
def session_extend(request: HttpRequest) -> HttpResponse:
    """The session warning's "Förläng sessionen": this request restarts the idle clock like any other."""
    request.session.modified = True
    left = session_time(session=request.session, authenticated=True, now=time.time())
    return JsonResponse({"seconds_left": left.seconds_left, "extendable": left.extendable})
