"""Login through the municipality's identity provider (OpenID Connect), where one is configured.

Users are not created here: an administrator adds each staff member and their memberships first, and the
provider's login is matched to them by e-mail address. The session counts as two-factor only when the
provider's ID token says it used more than one factor (`amr` or `acr`, see OIDC_MFA_AMR_VALUES).
"""

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .models import IdentityProviderDevice, User

MFA_SESSION_KEY = "trygg_oidc_mfa"


def provider_used_mfa(payload: dict[str, Any]) -> bool:
    accepted = set(settings.OIDC_MFA_AMR_VALUES)
    amr = payload.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    return bool(accepted & set(amr)) or payload.get("acr") in set(settings.OIDC_MFA_ACR_VALUES)


class TryggOIDCBackend(OIDCAuthenticationBackend):
    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        email = (claims.get("email") or "").strip()
        if not email:
            return self.UserModel.objects.none()
        return self.UserModel.objects.filter(email__iexact=email, is_active=True)

    def create_user(self, claims: dict[str, Any]) -> Any:  # pragma: no cover - OIDC_CREATE_USER is False
        return None

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is not None and self.request is not None:
            self.request.session[MFA_SESSION_KEY] = provider_used_mfa(payload)
        return user


class TryggOIDCCallbackView(OIDCAuthenticationCallbackView):
    def login_success(self) -> HttpResponse:
        used_mfa = self.request.session.get(MFA_SESSION_KEY, False)
        response = super().login_success()
        if used_mfa:
            device, _ = IdentityProviderDevice.objects.get_or_create(
                user=self.user, name="Identitetsleverantör", defaults={"confirmed": True}
            )
            otp_login(self.request, device)
        return response


def _enabled(view: Any) -> Any:
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.OIDC_ENABLED:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


oidc_start = _enabled(method_decorator(never_cache, name="dispatch")(OIDCAuthenticationRequestView).as_view())
oidc_callback = _enabled(method_decorator(never_cache, name="dispatch")(TryggOIDCCallbackView).as_view())

__all__ = ["TryggOIDCBackend", "User", "oidc_callback", "oidc_start"]
