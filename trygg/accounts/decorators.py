from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse

from trygg.municipalities.rules import is_verified_staff

Response = TypeVar("Response", bound=HttpResponseBase)


def staff_required(view: Callable[..., Response]) -> Callable[..., Response | HttpResponseRedirect]:
    """Staff pages need a login with a second factor; others are sent to the login page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Response | HttpResponseRedirect:
        if not is_verified_staff(request.user):
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{reverse('accounts:login')}?{query}")
        response = view(request, *args, **kwargs)
        response.headers.setdefault("Cache-Control", "private, no-store")
        return response

    return wrapper
