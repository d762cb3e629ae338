"""What visitors get while the database cannot be reached: a cached page, the form they sent, or a 503.

Nothing here touches the database. A public page answers from the page cache when this process has it
(under the last generation it read); any other GET gets a short 503 with Retry-After; a POST gets its form
back, every value kept, with the message that nothing was saved, never a page that looks like success.
Django opens a new connection for the next request, so the site recovers by itself when the database returns.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import cache

from django import forms
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30

# Fields a resident types into the public forms; their labels name them again on the "not saved" page.
PUBLIC_FORMS = (
    "trygg.reports.forms.ReportForm",
    "trygg.reports.forms.FollowForm",
    "trygg.comments.forms.CommentForm",
    "trygg.comments.forms.SubscribeForm",
    "trygg.meetings.forms.SignUpForm",
    "trygg.meetings.forms.ObservationForm",
    "trygg.surveys.forms.CodeForm",
)
# Honeypots must stay empty and the CSRF token is issued afresh.
DROPPED = {"csrfmiddlewaretoken", "website", "homepage"}


@cache
def _typed_fields() -> dict[str, forms.Field]:
    from django.utils.module_loading import import_string

    fields: dict[str, forms.Field] = {}
    for path in PUBLIC_FORMS:
        for name, field in import_string(path).base_fields.items():
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.HiddenInput):
                fields.setdefault(name, field)
    return fields


def _kept_input(request: HttpRequest) -> tuple[list[dict[str, object]], list[tuple[str, str]]]:
    """The posted values: the typed ones shown again to edit, the rest carried along unseen."""
    typed = _typed_fields()
    shown: list[dict[str, object]] = []
    carried: list[tuple[str, str]] = []
    for name, values in request.POST.lists():
        if name in DROPPED:
            continue
        field = typed.get(name)
        if field is not None and len(values) == 1:
            shown.append(
                {
                    "name": name,
                    "label": field.label or name,
                    "value": values[0],
                    "multiline": isinstance(field.widget, forms.Textarea),
                }
            )
        else:
            carried.extend((name, value) for value in values)
    return shown, carried


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
        if request.path_info.startswith("/api/"):
            body = json.dumps({"detail": _("Tjänsten är tillfälligt otillgänglig. Försök igen om en stund.")})
            return HttpResponse(body, status=503, content_type="application/json", headers=headers)
        context: dict[str, object] = {"language": language, "posted": request.method == "POST"}
        if request.method == "POST":
            shown, carried = _kept_input(request)
            context.update(
                shown=shown,
                carried=carried,
                had_files=bool(request.FILES),
                action=request.get_full_path(),
                csrf_token=get_token(request),
            )
        body = render_to_string("core/unavailable.html", context)
        return HttpResponse(body, status=503, headers=headers)


def _database_error(error: BaseException) -> bool:
    return isinstance(error, OperationalError | InterfaceError)


class DatabaseUnavailableMiddleware:
    """Turns a lost database in a view into a 503 (or the posted form, unsaved). Cached pages are the page
    cache's part: it answers from memory when the generation number cannot be read."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # The database went away during the request, after the connection was opened.
        if _database_error(exception):
            logger.warning(
                "Database unavailable during %s: %s: %s", request.method, type(exception).__name__, exception
            )
            return database_unavailable_response(request)
        return None
