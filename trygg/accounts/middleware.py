import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

LOGIN_AT = "trygg_login_at"


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
