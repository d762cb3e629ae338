"""The staff page where a kommun verifies a promise that was read from its published document."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone

from trygg.accounts.decorators import staff_required
from trygg.promises import selectors as promise_selectors

from . import rules, selectors, services


@staff_required
def promise_verify(request: HttpRequest, pk: int) -> HttpResponse:
    promise = promise_selectors.promise_get_for_staff(user=request.user, pk=pk)
    if not rules.can_verify_promise(request.user, promise):
        raise PermissionDenied
    error = ""
    if request.method == "POST":
        try:
            services.promise_source_verify(promise=promise, by=request.user, now=timezone.now())  # type: ignore[arg-type]
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            return HttpResponseRedirect(promise.get_absolute_url() if promise.is_public else request.path)
    response = render(
        request,
        "national/staff/promise_verify.html",
        {"promise": promise, "provenance": selectors.promise_provenance(promise=promise), "error": error},
    )
    if error:
        response.status_code = 400
    return response
