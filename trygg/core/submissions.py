"""One form shown, one thing made: a staff form posted twice (a double click, a phone that sent the post again on a
weak connection, the browser's "send again?" after a lost answer) creates what it creates once.

A form rendered by Django carries a CSRF token masked afresh for every rendering, so the token and the posted fields
name one filled-in copy of one form. `once_per_form` keeps, per person, a digest of each such post in the shared
cache: the first post runs the view; a post with the same digest while the first is still running waits for it
(up to `WAIT_SECONDS`), and once the first has answered with a redirect (the thing was made) is sent to the same
address. A first post that did not redirect (the form came back with errors) is forgotten, so the corrected form
goes through. Posts without a CSRF field (the JSON API, the test client) and a cache that does not answer
(`FailOpenRedisCache` while Redis is down) leave the view as it was: the guard fails open.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.cache import caches
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

PENDING = "pending"
KEEP_SECONDS = 3600
WAIT_SECONDS = 10.0
POLL_SECONDS = 0.1
CSRF_FIELD = "csrfmiddlewaretoken"

View = Callable[..., HttpResponse]


def _post_key(request: HttpRequest) -> str | None:
    if request.method != "POST" or not request.POST.get(CSRF_FIELD):
        return None
    fields = sorted((name, value) for name, values in request.POST.lists() for value in values)
    files = sorted(
        (name, upload.name or "", upload.size or 0)
        for name, uploads in request.FILES.lists()
        for upload in uploads
    )
    user = getattr(request, "user", None)
    material = json.dumps([getattr(user, "pk", None), request.path, fields, files], ensure_ascii=False)
    return "trygg:submission:" + hashlib.sha256(material.encode()).hexdigest()


def _answer_of_first(key: str) -> str | None:
    """The address the first post redirected to, waiting while it runs; None when nothing is known."""
    cache = caches["default"]
    # Counted in polls, not read from the clock: a clock that stands still (a test's, or a host's) ends it too.
    for _ in range(round(WAIT_SECONDS / POLL_SECONDS)):
        value = cache.get(key)
        if value != PENDING:
            return value if isinstance(value, str) else None
        time.sleep(POLL_SECONDS)
    return None


def once_per_form(view: View) -> View:
    """Run `view` once for each filled-in copy of a rendered form; see the module's docstring."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        key = _post_key(request)
        if key is None:
            return view(request, *args, **kwargs)
        cache = caches["default"]
        if not cache.add(key, PENDING, KEEP_SECONDS):
            address = _answer_of_first(key)
            if address is not None:
                return HttpResponseRedirect(address)
            return view(request, *args, **kwargs)
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            cache.delete(key)
            raise
        if response.status_code in (301, 302, 303) and response.get("Location"):
            cache.set(key, response["Location"], KEEP_SECONDS)
        else:
            cache.delete(key)
        return response

    return guarded
