"""Bearer-token authentication for the staff API (django-ninja)."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from trygg.municipalities import rules

from .models import ApiToken
from .services import token_hash


class StaffTokenAuth(HttpBearer):
    """A valid, unexpired token of an active user who still holds a membership in the token's municipality.

    A request that also carries a session cookie is refused: token calls are cookie-free, so a browser cannot be
    tricked into making one with its session (CSRF)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if settings.SESSION_COOKIE_NAME in request.COOKIES or settings.CSRF_COOKIE_NAME in request.COOKIES:
            return None
        now = timezone.now()
        found = (
            ApiToken.objects.active(now)
            .select_related("user", "municipality")
            .filter(key_hash=token_hash(token))
            .first()
        )
        if found is None:
            return None
        # Rights are those of today: a key whose user has left the municipality answers no more.
        if not rules.can_see_municipality_staff_pages(found.user, found.municipality):
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found


staff_token_auth = StaffTokenAuth()
