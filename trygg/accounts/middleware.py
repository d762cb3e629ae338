import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

LOGIN_AT = "trygg_login_at"
# The warning comes this long before the session ends, or half the idle time when that is shorter, but never
# less than WCAG 2.2.1's 20 seconds to act.
WARNING_SECONDS = 120
WARNING_MINIMUM_SECONDS = 20


def session_lifetime_middleware(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Log a user out when the absolute session lifetime has passed, however active they were."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(LOGIN_AT)
            if started is None:
                request.session[LOGIN_AT] = int(time.time())
            elif time.time() - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
        return get_response(request)

    return middleware


@dataclass(frozen=True)
class SessionTime:
    seconds_left: int
    # False when the absolute lifetime, which no activity extends, ends the session before idleness would.
    extendable: bool
    warning_seconds: int


def session_time(*, session: Mapping[str, Any], authenticated: bool, now: float) -> SessionTime:
    """How long the session lives after the request being answered, which restarted its idle clock
    (SESSION_SAVE_EVERY_REQUEST)."""
    idle = settings.SESSION_COOKIE_AGE
    warning = max(WARNING_MINIMUM_SECONDS, min(WARNING_SECONDS, idle // 2))
    started = session.get(LOGIN_AT)
    if authenticated and started is not None:
        absolute_left = max(0, int(started + settings.SESSION_ABSOLUTE_SECONDS - now))
        if absolute_left < idle:
            return SessionTime(seconds_left=absolute_left, extendable=False, warning_seconds=warning)
    return SessionTime(seconds_left=idle, extendable=True, warning_seconds=warning)
