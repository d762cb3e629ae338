from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone

from trygg.accounts.decorators import staff_required
from trygg.municipalities import rules

from . import selectors, services
from .findings import promise_findings
from .forms import PublishForm


@staff_required
def promise_staff_detail(request: HttpRequest, pk: int) -> HttpResponse:
    promise = selectors.promise_get_for_staff(user=request.user, pk=pk)
    form = PublishForm()
    return render(
        request,
        "promises/staff/promise_detail.html",
        {
            "promise": promise,
            "findings": promise_findings(promise=promise),
            "form": form,
            "can_publish": rules.can_publish_promise(request.user, promise.municipality),
        },
    )


@staff_required
def promise_publish(request: HttpRequest, pk: int) -> HttpResponse:
    promise = selectors.promise_get_for_staff(user=request.user, pk=pk)
    if request.method != "POST" or not rules.can_publish_promise(request.user, promise.municipality):
        raise PermissionDenied
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            services.promise_publish(
                promise=promise,
                by=request.user,  # type: ignore[arg-type]
                today=timezone.localdate(),
                confirm_findings=form.cleaned_data["confirm_findings"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return HttpResponseRedirect(promise.get_absolute_url())
    response = render(
        request,
        "promises/staff/promise_detail.html",
        {
            "promise": promise,
            "findings": promise_findings(promise=promise),
            "form": form,
            "can_publish": True,
        },
    )
    response.status_code = 400
    return response
