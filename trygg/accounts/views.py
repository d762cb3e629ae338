import json
import time
from typing import Any, cast

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from trygg.core import rules as core_rules
from trygg.municipalities import rules
from trygg.promises.models import Promise

from . import rules as rules_accounts
from . import services
from .decorators import staff_required
from .forms import ApiTokenForm, PersonalDataErasureForm, PersonalDataLookupForm, StaffLoginForm
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
            "can_view_operations": core_rules.can_view_operations(request.user),
            "can_import": rules.editable_municipalities(request.user).exists(),
            "personal_data_municipalities": [
                municipality
                for municipality in municipalities
                if rules_accounts.can_answer_personal_data_requests(request.user, municipality)
            ],
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


SOURCE_LABELS = {
    "reports": _("Felanmälningar och följda ärenden"),
    "comments": _("Kommentarer och prenumerationer"),
    "meeting_signups": _("Anmälningar till möten"),
    "neighbourhood_watch_contacts": _("Kontaktperson för grannsamverkan"),
}


@staff_required
def personal_data(request: HttpRequest, municipality_pk: int) -> HttpResponse:
    """A resident's request: show or download what the municipality holds for an address, or erase it."""
    municipality = get_object_or_404(rules.staff_municipalities(request.user), pk=municipality_pk)
    if not rules_accounts.can_answer_personal_data_requests(request.user, municipality):
        raise PermissionDenied
    user = cast(User, request.user)
    lookup = PersonalDataLookupForm(request.POST or None)
    erasure = None
    found = None
    erased = None
    status = 200
    action = request.POST.get("action", "show")
    if request.method == "POST" and action == "erase":
        erasure = PersonalDataErasureForm(request.POST)
        if erasure.is_valid():
            try:
                erased = services.personal_data_request_erase(
                    email=erasure.cleaned_data["email"],
                    municipality=municipality,
                    by=user,
                    reason=erasure.cleaned_data["reason"],
                )
            except ValidationError as error:
                erasure.add_error(None, error)
        if erased is None:
            status = 400
    elif request.method == "POST":
        if lookup.is_valid():
            email = lookup.cleaned_data["email"]
            found = services.personal_data_request_export(email=email, municipality=municipality, by=user)
            if action == "export":
                response = HttpResponse(
                    json.dumps(found, ensure_ascii=False, indent=2, default=str),
                    content_type="application/json; charset=utf-8",
                )
                response["Content-Disposition"] = 'attachment; filename="personuppgifter.json"'
                return response
            erasure = PersonalDataErasureForm(initial={"email": email})
        else:
            status = 400
    return render(
        request,
        "accounts/personal_data.html",
        {
            "municipality": municipality,
            "lookup": lookup if erased is None else PersonalDataLookupForm(),
            "erasure": erasure,
            "found": [(SOURCE_LABELS.get(name, name), rows) for name, rows in (found or {}).items()]
            if found is not None
            else None,
            "found_nothing": found is not None and not any(found.values()),
            "erased": sum(erased.values()) if erased is not None else None,
        },
        status=status,
    )
