"""Staff pages: plan and record meetings and safety walks, enter observations on a phone, update tasks,
keep the neighbourhood-watch areas."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import BaseForm
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trygg.accounts.decorators import staff_required
from trygg.accounts.models import User
from trygg.core.files import stored_file_response
from trygg.core.forms import form_add_service_errors
from trygg.core.submissions import once_per_form
from trygg.problems.models import Problem

from . import rules, selectors, services
from .forms import (
    MeetingForm,
    MeetingRecordForm,
    ObservationForm,
    ReasonForm,
    TaskForm,
    WalkForm,
    WalkRecordForm,
    WatchForm,
)
from .models import Meeting, SafetyWalk, Task


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


_Saved = TypeVar("_Saved")


def _save(form: BaseForm, save: Callable[[], _Saved]) -> _Saved | None:
    """Calls the service once the form is valid. What the service refuses becomes the form's errors and the
    result is None, so the caller shows the form again with the input kept."""
    if not form.is_valid():
        return None
    try:
        return save()
    except ValidationError as error:
        form_add_service_errors(form, error)
        return None


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> HttpResponse:
    response = render(request, template, context)
    response.status_code = status
    return response


@staff_required
def overview(request: HttpRequest) -> HttpResponse:
    from trygg.municipalities.rules import staff_municipalities

    today = timezone.localdate()
    return render(
        request,
        "meetings/staff/overview.html",
        {
            "meetings": selectors.staff_meeting_list(user=request.user),
            "walks": selectors.staff_walk_list(user=request.user, today=today),
            "open_tasks": selectors.staff_open_tasks(user=request.user, today=today),
            "watches": selectors.staff_watch_list(user=request.user),
            "municipalities": list(staff_municipalities(request.user)),
        },
    )


# ---------------------------------------------------------------------------------------- meetings


def _meeting_details(form: MeetingForm) -> services.MeetingDetails:
    data = form.cleaned_data
    return services.MeetingDetails(
        title=data["title"],
        kind=data["kind"],
        starts_at=data["starts_at"],
        ends_at=data["ends_at"],
        place=data["place"],
        area=data["area"],
        description=data["description"],
        invited_groups=data["invited_groups"],
        is_public=data["is_public"],
        capacity=data["capacity"],
        neighbourhood_watch=data["neighbourhood_watch"],
        organisers=list(data["organisers"]),
        activities=list(data["activities"]),
    )


@staff_required
@once_per_form
def meeting_new(request: HttpRequest, municipality: str) -> HttpResponse:
    found = selectors.staff_municipality_get(user=request.user, slug=municipality)
    if not rules.can_plan_in(request.user, found):
        raise PermissionDenied
    form = MeetingForm(request.POST or None, municipality=found, today=timezone.localdate())
    if request.method == "POST":
        meeting = _save(
            form,
            lambda: services.meeting_plan(
                municipality=found, by=_user(request), details=_meeting_details(form)
            ),
        )
        if meeting is not None:
            return HttpResponseRedirect(reverse("meetings:staff_meeting", args=[meeting.pk]))
    return _render(
        request,
        "meetings/staff/meeting_form.html",
        {"form": form, "target_municipality": found},
        status=400 if form.errors else 200,
    )


def _problems() -> list[Problem]:
    return list(Problem.objects.order_by("order", "name"))


def _meeting_page(request: HttpRequest, meeting: Meeting, *, status: int = 200, **forms: Any) -> HttpResponse:
    problems = _problems()
    raised = {item.problem_id: item.mentions for item in meeting.raised_problems.all()}
    initial = {"participants": meeting.participants, "minutes": meeting.minutes}
    initial.update({f"problem_{problem.slug}": raised.get(problem.pk) for problem in problems})
    links = list(meeting.activity_links.all())
    return _render(
        request,
        "meetings/staff/meeting.html",
        {
            "meeting": meeting,
            "can_manage": rules.can_manage_meeting(request.user, meeting),
            "form": forms.get("form")
            or MeetingForm(
                instance=meeting,
                municipality=meeting.municipality,
                today=timezone.localdate(),
                initial={"activities": [link.activity for link in links]},
            ),
            "record_form": forms.get("record_form") or MeetingRecordForm(initial=initial, problems=problems),
            "cancel_form": forms.get("cancel_form") or ReasonForm(prefix="cancel"),
            "links": links,
            "signups": list(meeting.signups.all()),
            "places_left": selectors.places_left(meeting),
            "not_counted": forms.get("not_counted", []),
        },
        status=status,
    )


@staff_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.staff_meeting_get(user=request.user, pk=pk)
    if request.method != "POST":
        return _meeting_page(request, meeting)
    if not rules.can_manage_meeting(request.user, meeting):
        raise PermissionDenied
    form = MeetingForm(
        request.POST, instance=meeting, municipality=meeting.municipality, today=timezone.localdate()
    )
    saved = _save(
        form,
        lambda: services.meeting_update(meeting=meeting, by=_user(request), details=_meeting_details(form)),
    )
    if saved is not None:
        return HttpResponseRedirect(reverse("meetings:staff_meeting", args=[meeting.pk]))
    meeting = selectors.staff_meeting_get(user=request.user, pk=pk)
    return _meeting_page(request, meeting, form=form, status=400)


@staff_required
@require_POST
def meeting_record(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.staff_meeting_get(user=request.user, pk=pk)
    if not rules.can_manage_meeting(request.user, meeting):
        raise PermissionDenied
    form = MeetingRecordForm(request.POST, problems=_problems())
    recorded = _save(
        form,
        lambda: services.meeting_record_held(
            meeting=meeting,
            by=_user(request),
            participants=form.cleaned_data["participants"],
            minutes=form.cleaned_data["minutes"],
            problems=form.raised(),
            today=timezone.localdate(),
        ),
    )
    if recorded is not None:
        if not recorded.not_counted:
            return HttpResponseRedirect(reverse("meetings:staff_meeting", args=[meeting.pk]) + "#genomfort")
        meeting = selectors.staff_meeting_get(user=request.user, pk=pk)
        return _meeting_page(request, meeting, not_counted=recorded.not_counted)
    meeting = selectors.staff_meeting_get(user=request.user, pk=pk)
    return _meeting_page(request, meeting, record_form=form, status=400)


@staff_required
@require_POST
def meeting_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.staff_meeting_get(user=request.user, pk=pk)
    if not rules.can_manage_meeting(request.user, meeting):
        raise PermissionDenied
    form = ReasonForm(request.POST, prefix="cancel")
    saved = _save(
        form,
        lambda: services.meeting_cancel(
            meeting=meeting, by=_user(request), reason=form.cleaned_data["reason"]
        ),
    )
    if saved is not None:
        return HttpResponseRedirect(reverse("meetings:staff_meeting", args=[meeting.pk]))
    meeting = selectors.staff_meeting_get(user=request.user, pk=pk)
    return _meeting_page(request, meeting, cancel_form=form, status=400)


# ------------------------------------------------------------------------------------ safety walks


def _walk_details(form: WalkForm) -> services.WalkDetails:
    data = form.cleaned_data
    return services.WalkDetails(
        title=data["title"],
        date=data["date"],
        starts_at=data["starts_at"],
        area=data["area"],
        route=data["route_text"],
        stops=list(data["stops_text"]),
        participant_groups=data["participant_groups"],
        is_public=data["is_public"],
        organisers=list(data["organisers"]),
        activities=list(data["activities"]),
    )


@staff_required
@once_per_form
def walk_new(request: HttpRequest, municipality: str) -> HttpResponse:
    found = selectors.staff_municipality_get(user=request.user, slug=municipality)
    if not rules.can_plan_in(request.user, found):
        raise PermissionDenied
    form = WalkForm(request.POST or None, municipality=found, today=timezone.localdate())
    if request.method == "POST":
        walk = _save(
            form,
            lambda: services.walk_plan(municipality=found, by=_user(request), details=_walk_details(form)),
        )
        if walk is not None:
            return HttpResponseRedirect(reverse("meetings:staff_walk", args=[walk.pk]))
    return _render(
        request,
        "meetings/staff/walk_form.html",
        {"form": form, "target_municipality": found},
        status=400 if form.errors else 200,
    )


def _walk_page(request: HttpRequest, walk: SafetyWalk, *, status: int = 200, **forms: Any) -> HttpResponse:
    links = list(walk.activity_links.all())
    return _render(
        request,
        "meetings/staff/walk.html",
        {
            "walk": walk,
            "can_manage": rules.can_manage_walk(request.user, walk),
            "form": forms.get("form")
            or WalkForm(
                instance=walk,
                municipality=walk.municipality,
                today=timezone.localdate(),
                initial={"activities": [link.activity for link in links]},
            ),
            "record_form": forms.get("record_form")
            or WalkRecordForm(initial={"participants": walk.participants}),
            "links": links,
            "observations": selectors.walk_observation_rows(walk, today=timezone.localdate()),
            "not_counted": forms.get("not_counted", []),
        },
        status=status,
    )


@staff_required
def walk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    walk = selectors.staff_walk_get(user=request.user, pk=pk)
    if request.method != "POST":
        return _walk_page(request, walk)
    if not rules.can_manage_walk(request.user, walk):
        raise PermissionDenied
    form = WalkForm(request.POST, instance=walk, municipality=walk.municipality, today=timezone.localdate())
    saved = _save(
        form, lambda: services.walk_update(walk=walk, by=_user(request), details=_walk_details(form))
    )
    if saved is not None:
        return HttpResponseRedirect(reverse("meetings:staff_walk", args=[walk.pk]))
    walk = selectors.staff_walk_get(user=request.user, pk=pk)
    return _walk_page(request, walk, form=form, status=400)


@staff_required
@require_POST
def walk_record(request: HttpRequest, pk: int) -> HttpResponse:
    walk = selectors.staff_walk_get(user=request.user, pk=pk)
    if not rules.can_manage_walk(request.user, walk):
        raise PermissionDenied
    form = WalkRecordForm(request.POST)
    recorded = _save(
        form,
        lambda: services.walk_record_held(
            walk=walk,
            by=_user(request),
            participants=form.cleaned_data["participants"],
            today=timezone.localdate(),
        ),
    )
    if recorded is not None:
        if not recorded.not_counted:
            return HttpResponseRedirect(reverse("meetings:staff_walk", args=[walk.pk]))
        walk = selectors.staff_walk_get(user=request.user, pk=pk)
        return _walk_page(request, walk, not_counted=recorded.not_counted)
    walk = selectors.staff_walk_get(user=request.user, pk=pk)
    return _walk_page(request, walk, record_form=form, status=400)


@staff_required
def observation_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The form used on a phone during the walk. A failed post keeps every value (and the submission id,
    so sending it again cannot add the observation twice); offline.js keeps them in the browser too."""
    walk = selectors.staff_walk_get(user=request.user, pk=pk)
    if not rules.can_manage_walk(request.user, walk):
        raise PermissionDenied
    saved = None
    if request.method == "POST":
        form = ObservationForm(request.POST, request.FILES, municipality=walk.municipality)
        if form.is_valid():
            data = form.cleaned_data
            photo = data["photo"].read() if data["photo"] else None
            try:
                added = services.observation_add(
                    walk=walk,
                    by=_user(request),
                    submission_id=data["submission_id"],
                    place=data["place"],
                    category=data["category"],
                    note=data["note"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    photo=photo,
                    owner_party=data["owner_party"],
                    due_on=data["due_on"],
                )
            except ValidationError as error:
                form_add_service_errors(form, error)
            else:
                url = reverse("meetings:staff_observation", args=[walk.pk])
                return HttpResponseRedirect(f"{url}?sparad={added.observation.submission_id}")
        if form.errors and form["photo"].value():
            form.add_error("photo", _("Välj fotot igen: webbläsaren skickar inte om det."))
    else:
        form = ObservationForm(initial={"submission_id": uuid.uuid4()}, municipality=walk.municipality)
        saved = request.GET.get("sparad", "")
    return _render(
        request,
        "meetings/staff/observation_form.html",
        {"walk": walk, "form": form, "saved": saved, "observations": list(walk.observations.all())},
        status=400 if form.errors else 200,
    )


@staff_required
@require_GET
def observation_photo(request: HttpRequest, pk: int) -> FileResponse:
    # Walk photos are re-encoded from their pixels when stored (services.observation_add).
    return stored_file_response(
        selectors.staff_observation_get(user=request.user, pk=pk).photo, reencoded_image=True
    )


def _task_page(request: HttpRequest, task: Task, form: TaskForm | None, *, status: int = 200) -> HttpResponse:
    return _render(
        request,
        "meetings/staff/task_form.html",
        {
            "task": selectors.task_view(task, today=timezone.localdate()),
            "walk": task.observation.walk,
            "form": form,
        },
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def task_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit, close or reopen a task from a walk's observation. Staff who may not update it see it only."""
    task = selectors.staff_task_get(user=request.user, pk=pk)
    can_update = rules.can_update_task(request.user, task)
    walk = task.observation.walk
    prefix = f"task{task.pk}"
    if request.method == "GET":
        initial = {
            "state": task.state,
            "outcome": task.outcome,
            "owner_party": task.owner_party_id,
            "owner_user": task.owner_user_id,
            "due_on": task.due_on,
        }
        form = (
            TaskForm(prefix=prefix, initial=initial, municipality=walk.municipality) if can_update else None
        )
        return _task_page(request, task, form)
    if not can_update:
        raise PermissionDenied
    form = TaskForm(request.POST, prefix=prefix, municipality=walk.municipality)
    saved = _save(
        form,
        lambda: services.task_update(
            task=task,
            by=_user(request),
            state=form.cleaned_data["state"],
            outcome=form.cleaned_data["outcome"],
            owner_party=form.cleaned_data["owner_party"],
            owner_user=form.cleaned_data["owner_user"],
            due_on=form.cleaned_data["due_on"],
            today=timezone.localdate(),
        ),
    )
    if saved is not None:
        return HttpResponseRedirect(reverse("meetings:staff_walk", args=[walk.pk]) + f"#uppgift-{task.pk}")
    return _task_page(request, task, form, status=400)


# ----------------------------------------------------------------------------- neighbourhood watch


def _watch_details(form: WatchForm) -> services.WatchDetails:
    data = form.cleaned_data
    return services.WatchDetails(**{name: data[name] for name in services.WatchDetails.FIELDS})


@staff_required
@once_per_form
def watch_new(request: HttpRequest, municipality: str) -> HttpResponse:
    found = selectors.staff_municipality_get(user=request.user, slug=municipality)
    if not rules.can_manage_watches(request.user, found):
        raise PermissionDenied
    form = WatchForm(request.POST or None, municipality=found)
    if request.method == "POST":
        watch = _save(
            form,
            lambda: services.watch_save(municipality=found, by=_user(request), details=_watch_details(form)),
        )
        if watch is not None:
            return HttpResponseRedirect(reverse("meetings:staff_watch", args=[watch.pk]))
    return _render(
        request,
        "meetings/staff/watch.html",
        {"form": form, "target_municipality": found, "watch": None, "can_manage": True},
        status=400 if form.errors else 200,
    )


@staff_required
def watch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    watch = selectors.staff_watch_get(user=request.user, pk=pk)
    can_manage = rules.can_manage_watches(request.user, watch.municipality)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    form = WatchForm(request.POST or None, instance=watch, municipality=watch.municipality)
    if request.method == "POST":
        saved = _save(
            form,
            lambda: services.watch_save(
                municipality=watch.municipality, by=_user(request), details=_watch_details(form), watch=watch
            ),
        )
        if saved is not None:
            return HttpResponseRedirect(reverse("meetings:staff_watch", args=[saved.pk]))
    if form.errors:
        watch = selectors.staff_watch_get(user=request.user, pk=pk)
    meetings = list(watch.meetings.order_by("-starts_at"))
    return _render(
        request,
        "meetings/staff/watch.html",
        {
            "form": form,
            "watch": watch,
            "target_municipality": watch.municipality,
            "can_manage": can_manage,
            "meetings": meetings,
        },
        status=400 if form.errors else 200,
    )
