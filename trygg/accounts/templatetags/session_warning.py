import time
from typing import Any

from django import template
from django.conf import settings
from django.middleware.csrf import get_token
from django.urls import reverse

from trygg.municipalities.rules import is_verified_staff

from ..middleware import session_time

register = template.Library()


@register.inclusion_tag("accounts/session_warning.html", takes_context=True)
def session_warning(context: template.Context) -> dict[str, Any]:
    """The warning before a session ends (WCAG 2.2.1), on pages opened with a session worth keeping: a member of
    staff's, or a visitor's that holds a form in progress (the survey's answers so far)."""
    request = context.get("request")
    # Without a session cookie there is nothing to lose, and the page stays the same for every visitor.
    if request is None or settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return {}
    if is_verified_staff(request.user):
        # Extending asks the server, which knows the absolute lifetime as well.
        extend = {"extend_url": reverse("accounts:session_extend"), "extend_token": get_token(request)}
    elif not request.user.is_authenticated and list(request.session.keys()):
        # Loading the page again restarts a visitor's idle clock: it has no absolute lifetime.
        extend = {"extend_url": request.get_full_path(), "extend_token": ""}
    else:
        return {}
    left = session_time(session=request.session, authenticated=request.user.is_authenticated, now=time.time())
    return {"session": left, "idle_seconds": settings.SESSION_COOKIE_AGE, **extend}
