"""Staff pages: "Mina aktiviteter", recording and correcting executions, planning, assessing, cancelling."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from trygg.accounts.decorators import staff_required
from trygg.accounts.models import User
from trygg.core.files import stored_file_response
from trygg.core.submissions import once_per_form
from trygg.promises.models import Activity

from . import rules, selectors, services
from .forms import (
    AssessmentForm,
    CancellationForm,
    ExecutionCorrectionForm,
    ExecutionRecordForm,
    PlannedDateForm,
)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _add_errors(form: Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@staff_required
def my_activities(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    progresses = selectors.staff_own_activities(user=request.user, today=today)
    due = [progress for progress in progresses if progress.is_due(today)]
    return render(
        request,
        "followup/staff/my_activities.html",
        {"progresses": progresses, "due": due, "today": today},
    )


def _activity_page(
    request: HttpRequest, activity: Activity, *, status: int = 200, **forms: Form
) -> HttpResponse:
    today = timezone.localdate()
    can_edit = rules.can_follow_up_activity(request.user, activity)
    municipality = rules.activity_municipality(activity)
    final = selectors.final_assessment_asked(activity=activity, today=today)
    context: dict[str, Any] = {
        "activity": activity,
        "promise": activity.focus_area.promise,
        "progress": selectors.staff_activity_progress(activity=activity, today=today),
        "final": final,
        "executions": selectors.staff_execution_list(activity=activity),
        "can_edit": can_edit,
        "has_quantity": activity.quantity is not None or activity.quantity_max is not None,
        "record_form": forms.get("record_form")
        or ExecutionRecordForm(municipality=municipality, initial={"done_on": today, "count": 1}),
        "plan_form": forms.get("plan_form") or PlannedDateForm(prefix="plan"),
        "assess_form": forms.get("assess_form") or AssessmentForm(prefix="assess", final=final),
        "cancel_form": forms.get("cancel_form") or CancellationForm(prefix="cancel"),
        "today": today,
    }
    response = render(request, "followup/staff/activity.html", context)
    response.status_code = status
    return response


@staff_required
def activity_followup(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.staff_activity_get(user=request.user, pk=pk)
    return _activity_page(request, activity)


def _editable_activity(request: HttpRequest, pk: int) -> Activity:
    activity = selectors.staff_activity_get(user=request.user, pk=pk)
    if not rules.can_follow_up_activity(request.user, activity):
        raise PermissionDenied
    return activity


def _back(activity: Activity) -> HttpResponseRedirect:
    return HttpResponseRedirect(reverse("followup:staff_activity", args=[activity.pk]))


@staff_required
@require_POST
def execution_record(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _editable_activity(request, pk)
    form = ExecutionRecordForm(
        request.POST, request.FILES, municipality=rules.activity_municipality(activity)
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.execution_record(
                activity=activity,
                by=_user(request),
                today=timezone.localdate(),
                done_on=data["done_on"],
                description=data["description"],
                count=data["count"],
                participants=data["participants"],
                place=data["place"],
                area=data["area"],
                attachment=data["attachment"],
                link_note=data["link_note"],
                submission_id=data["submission_id"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _back(activity)
    return _activity_page(request, activity, status=400, record_form=form)


@staff_required
def execution_correct(request: HttpRequest, pk: int) -> HttpResponse:
    execution = selectors.staff_execution_get(user=request.user, pk=pk)
    activity = execution.activity
    if not rules.can_follow_up_activity(request.user, activity):
        raise PermissionDenied
    municipality = rules.activity_municipality(activity)
    if request.method == "POST":
        form = ExecutionCorrectionForm(request.POST, municipality=municipality)
        if form.is_valid():
            data = dict(form.cleaned_data)
            reason = data.pop("reason")
            try:
                services.execution_correct(
                    execution=execution,
                    by=_user(request),
                    reason=reason,
                    today=timezone.localdate(),
                    changes=data,
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                return _back(activity)
        status = 400
    else:
        form = ExecutionCorrectionForm(
            municipality=municipality,
            initial={name: getattr(execution, name) for name in services.EXECUTION_FIELDS},
        )
        status = 200
    response = render(
        request,
        "followup/staff/correct.html",
        {"execution": execution, "activity": activity, "form": form, "revisions": execution.revisions.all()},
    )
    response.status_code = status
    return response


@staff_required
@require_POST
@once_per_form
def planned_date_add(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _editable_activity(request, pk)
    form = PlannedDateForm(request.POST, prefix="plan")
    if form.is_valid():
        services.planned_date_add(
            activity=activity,
            by=_user(request),
            date=form.cleaned_data["date"],
            note=form.cleaned_data["note"],
        )
        return _back(activity)
    return _activity_page(request, activity, status=400, plan_form=form)


@staff_required
@require_POST
def activity_assess(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _editable_activity(request, pk)
    final = selectors.final_assessment_asked(activity=activity, today=timezone.localdate())
    form = AssessmentForm(request.POST, prefix="assess", final=final)
    if form.is_valid():
        try:
            services.activity_assess(
                activity=activity,
                by=_user(request),
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                today=timezone.localdate(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _back(activity)
    return _activity_page(request, activity, status=400, assess_form=form)


@staff_required
@require_POST
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _editable_activity(request, pk)
    form = CancellationForm(request.POST, prefix="cancel")
    lift = request.POST.get("lift") == "1"
    if form.is_valid():
        service = services.activity_lift_cancellation if lift else services.activity_cancel
        try:
            service(
                activity=activity,
                by=_user(request),
                reason=form.cleaned_data["reason"],
                today=timezone.localdate(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return _back(activity)
    return _activity_page(request, activity, status=400, cancel_form=form)


@staff_required
@require_GET
def execution_attachment(request: HttpRequest, pk: int) -> FileResponse:
    """An execution's attachment, for staff of its municipality: the staff activity page links here."""
    return stored_file_response(selectors.staff_execution_get(user=request.user, pk=pk).attachment)
