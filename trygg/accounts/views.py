import json
import time
from typing import Any, cast
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from trygg.core import rules as core_rules
from trygg.municipalities import rules
from trygg.municipalities.models import Membership
from trygg.municipalities.staff_views import staff_municipality
from trygg.promises.models import Promise

from . import rules as rules_accounts
from . import selectors, services
from .decorators import staff_required
from .forms import (
    AccountForm,
    ApiTokenForm,
    AuthenticatorConfirmForm,
    InvitationAcceptForm,
    InvitationForm,
    PersonalDataErasureForm,
    PersonalDataLookupForm,
    StaffLoginForm,
)
from .middleware import session_time
from .models import ApiToken, Invitation, User
from .totp import authenticator_setup


class StaffLoginView(auth_views.LoginView):
    form_class = StaffLoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = False

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "oidc_enabled": settings.OIDC_ENABLED}

    def form_valid(self, form: StaffLoginForm) -> HttpResponse:  # type: ignore[override]
        if form.needs_authenticator:
            # Logged in with the password only: no staff page opens until the new authenticator is confirmed.
            auth_login(self.request, form.get_user())
            return HttpResponseRedirect(_with_next(reverse("accounts:enrol"), self.get_success_url()))
        return super().form_valid(form)


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


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
            "can_view_operations": core_rules.can_view_operations(request.user),
            "can_import": rules.editable_municipalities(request.user).exists(),
            "managed_municipalities": [
                municipality
                for municipality in municipalities
                if rules_accounts.can_manage_people(request.user, municipality)
            ],
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


# --- people ---------------------------------------------------------------------------------------------------


def _people_page(
    request: HttpRequest, municipality: Any, form: InvitationForm, *, status: int = 200
) -> HttpResponse:
    page = selectors.municipality_people(
        municipality=municipality, now=timezone.now(), enrol_days=settings.SECOND_FACTOR_ENROL_DAYS
    )
    return render(
        request,
        "accounts/people.html",
        {"municipality": municipality, "page": page, "form": form, "me": request.user.pk},
        status=status,
    )


@staff_required
def people(request: HttpRequest, municipality: str) -> HttpResponse:
    """The municipality's staff, who gets no reminders, and the invitation form: coordinators and administrators."""
    found = staff_municipality(request, municipality)
    if not rules_accounts.can_manage_people(request.user, found):
        raise PermissionDenied
    form = InvitationForm(request.POST or None, municipality=found)
    if request.method == "POST":
        if form.is_valid():
            try:
                invitation, _raw = services.invitation_create(
                    municipality=found,
                    email=form.cleaned_data["email"],
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    role=form.cleaned_data["role"],
                    party=form.cleaned_data["party"],
                    by=cast(User, request.user),
                    now=timezone.now(),
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    gettext("En inbjudan har skickats till %(email)s. Länken gäller i %(days)s dagar.")
                    % {"email": invitation.email, "days": settings.INVITATION_VALID_DAYS},
                )
                return HttpResponseRedirect(reverse("accounts:people", args=[found.slug]))
        return _people_page(request, found, form, status=400)
    return _people_page(request, found, form)


PERSON_ACTIONS = {
    "reset_second_factor": _(
        "Tvåstegsverifieringen är återställd. Personen ställer in appen igen vid nästa inloggning."
    ),
    "deactivate": _("Kontot är stängt: personen är utloggad och kan inte logga in."),
    "reactivate": _("Kontot är öppnat igen."),
}


@staff_required
@require_POST
def person_action(request: HttpRequest, municipality: str, pk: int) -> HttpResponse:
    found = staff_municipality(request, municipality)
    person = get_object_or_404(User.objects.filter(memberships__municipality=found).distinct(), pk=pk)
    if not rules_accounts.can_manage_people(request.user, found):
        raise PermissionDenied
    action = request.POST.get("action", "")
    if action not in PERSON_ACTIONS:
        return HttpResponse(gettext("Okänd åtgärd."), status=400, content_type="text/plain; charset=utf-8")
    by = cast(User, request.user)
    now = timezone.now()
    try:
        if action == "reset_second_factor":
            services.second_factor_reset(user=person, municipality=found, by=by, now=now)
        elif action == "deactivate":
            services.member_deactivate(user=person, municipality=found, by=by, now=now)
        else:
            services.user_reactivate(user=person, municipality=found, by=by)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, str(PERSON_ACTIONS[action]))
    return HttpResponseRedirect(reverse("accounts:people", args=[found.slug]))


@staff_required
@require_POST
def membership_remove(request: HttpRequest, municipality: str, pk: int) -> HttpResponse:
    found = staff_municipality(request, municipality)
    membership = get_object_or_404(Membership, pk=pk, municipality=found)
    if not rules_accounts.can_manage_people(request.user, found):
        raise PermissionDenied
    services.membership_remove(membership=membership, by=cast(User, request.user), now=timezone.now())
    messages.success(request, gettext("Rollen är borttagen."))
    return HttpResponseRedirect(reverse("accounts:people", args=[found.slug]))


@staff_required
@require_POST
def invitation_revoke(request: HttpRequest, municipality: str, pk: int) -> HttpResponse:
    found = staff_municipality(request, municipality)
    invitation = get_object_or_404(Invitation, pk=pk, municipality=found)
    if not rules_accounts.can_manage_people(request.user, found):
        raise PermissionDenied
    services.invitation_revoke(invitation=invitation, by=cast(User, request.user), now=timezone.now())
    messages.success(request, gettext("Inbjudan är återkallad: länken fungerar inte längre."))
    return HttpResponseRedirect(reverse("accounts:people", args=[found.slug]))


@never_cache
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invited person's link: choose a username and a password, then set up the authenticator app."""
    now = timezone.now()
    invitation = services.invitation_find(raw=token, now=now)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    if User.objects.filter(email__iexact=invitation.email).exists():
        return _invitation_for_existing_account(request, invitation, token)
    suggestion = invitation.email.split("@")[0]
    form = InvitationAcceptForm(
        request.POST or None,
        initial={
            "username": "" if User.objects.filter(username__iexact=suggestion).exists() else suggestion,
            "first_name": invitation.first_name,
            "last_name": invitation.last_name,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                raw=token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                now=now,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return HttpResponseRedirect(reverse("accounts:enrol"))
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _invitation_for_existing_account(
    request: HttpRequest, invitation: Invitation, token: str
) -> HttpResponse:
    user = request.user
    is_invitee = rules.is_verified_staff(user) and cast(User, user).email.strip().lower() == invitation.email
    if request.method == "POST" and is_invitee:
        services.invitation_accept_as(raw=token, user=cast(User, user), now=timezone.now())
        messages.success(
            request,
            gettext("Du har nu en roll i %(municipality)s.") % {"municipality": invitation.municipality.name},
        )
        return HttpResponseRedirect(reverse("accounts:dashboard"))
    return render(
        request,
        "accounts/invitation_existing.html",
        {
            "invitation": invitation,
            "is_invitee": is_invitee,
            "login_url": _with_next(reverse("accounts:login"), request.get_full_path()),
        },
    )


@never_cache
def enrol(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app: the QR code and the key as text, then one code to confirm it."""
    if not request.user.is_authenticated:
        return HttpResponseRedirect(_with_next(reverse("accounts:login"), request.get_full_path()))
    user = cast(User, request.user)
    now = timezone.now()
    device = services.second_factor_pending(user=user, now=now)
    if device is None:
        if rules.is_verified_staff(user):
            return HttpResponseRedirect(reverse("accounts:dashboard"))
        return HttpResponseRedirect(reverse("accounts:login"))
    form = AuthenticatorConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            confirmed = services.second_factor_confirm(user=user, token=form.cleaned_data["token"], now=now)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            otp_login(request, confirmed)
            messages.success(
                request, gettext("Autentiseringsappen är klar. Använd den varje gång du loggar in.")
            )
            return HttpResponseRedirect(_safe_next(request, reverse("accounts:dashboard")))
    response = render(
        request,
        "accounts/enrol.html",
        {"setup": authenticator_setup(device), "form": form, "next": _safe_next(request, "")},
        status=400 if request.method == "POST" else 200,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
def account(request: HttpRequest) -> HttpResponse:
    """Every user's own name and e-mail address."""
    user = cast(User, request.user)
    form = AccountForm(
        request.POST or None,
        initial={"first_name": user.first_name, "last_name": user.last_name, "email": user.email},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.user_profile_update(
                user=user,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                email=form.cleaned_data["email"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, gettext("Dina uppgifter är sparade."))
            return HttpResponseRedirect(reverse("accounts:account"))
    return render(
        request, "accounts/account.html", {"form": form}, status=400 if request.method == "POST" else 200
    )
