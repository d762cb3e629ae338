"""Follow-up in the API: public reads of statuses and executions, and one staff write.

The staff write accepts only a browser session of verified staff (password and second factor) and checks
the CSRF token, like the staff pages. Bearer tokens for other systems are added by the API-token work.
"""

import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.security import SessionAuth

from trygg.accounts.models import User
from trygg.api.pagination import BoundedPageNumberPagination
from trygg.municipalities.models import Area
from trygg.municipalities.rules import is_verified_staff
from trygg.promises import selectors as promise_selectors

from . import selectors, services
from .models import Execution
from .promise_page import promise_page_build

# Where an Idempotency-Key header's text becomes a submission id (uuid5 of the person and the key).
IDEMPOTENCY_NAMESPACE = uuid.UUID("6f0c2a4e-3a8d-5b7e-9a51-7c2f0e4d1b93")

router = Router(tags=["uppföljning"])


class VerifiedStaffSession(SessionAuth):
    """Django's session cookie of a user who passed the second factor; CSRF is checked (csrf=True)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if is_verified_staff(request.user) else None


staff_session = VerifiedStaffSession(csrf=True)


class ExecutionOut(Schema):
    id: int
    activity_id: int
    done_on: dt.date
    description: str
    count: int
    participants: int | None
    place: str
    area: str | None
    example_data: bool


class ActivityStatusOut(Schema):
    activity_id: int
    text: str
    status: str
    status_label: str
    target: int | None
    done: int
    progress: str
    period_start: dt.date
    period_end: dt.date
    executions: int
    assessment_reason: str | None
    cancellation_reason: str | None
    #: The period is over and staff have not given a final assessment yet (status "not_finally_assessed").
    needs_final_assessment: bool


class VerdictOut(Schema):
    """The final report of an ended promise: how many activities ended in each way."""

    done: int
    partly_done: int
    not_done: int
    not_finally_assessed: int
    cancelled: int
    total: int


class PromiseStatusOut(Schema):
    as_of: dt.date
    #: "coming", "running" or "ended" on that date.
    phase: str
    total: int
    done: int
    verdict: VerdictOut | None
    activities: list[ActivityStatusOut]


class ExecutionIn(Schema):
    done_on: dt.date
    description: str
    count: int = 1
    participants: int | None = None
    place: str = ""
    area: str | None = None
    link_note: str = ""
    submission_id: uuid.UUID | None = Field(
        None,
        description=(
            "The client's id for this post: sent again (after a lost answer) it gives the execution recorded the "
            "first time. An Idempotency-Key header does the same."
        ),
    )


def _execution(execution: Execution) -> dict[str, Any]:
    return {
        "id": execution.pk,
        "activity_id": execution.activity_id,
        "done_on": execution.done_on,
        "description": execution.description,
        "count": execution.count,
        "participants": execution.participants,
        "place": execution.place,
        "area": execution.area.name if execution.area else None,
        "example_data": execution.is_example,
    }


STATUS_DATES = (dt.date(1900, 1, 1), dt.date(9998, 12, 31))


@router.get("/municipalities/{slug}/promises/{promise_slug}/status", response=PromiseStatusOut)
def promise_status(request: HttpRequest, slug: str, promise_slug: str, as_of: dt.date | None = None) -> Any:
    """Each activity's derived status as of a date (default today)."""
    day = as_of or timezone.localdate()
    if not STATUS_DATES[0] <= day <= STATUS_DATES[1]:
        # Status arithmetic steps a day either side; the calendar's very ends have no such day.
        raise HttpError(
            422,
            _("as_of ska vara ett datum mellan %(first)s och %(last)s.")
            % {"first": STATUS_DATES[0].isoformat(), "last": STATUS_DATES[1].isoformat()},
        )
    page = promise_page_build(municipality_slug=slug, promise_slug=promise_slug, as_of=day, latest=0)
    activities = []
    for view in page.activities:
        activity, progress = view.activity, view.progress
        activities.append(
            {
                "activity_id": activity.pk,
                "text": activity.text,
                "status": progress.status_value,
                "status_label": progress.label,
                "target": progress.result.target,
                "done": progress.result.done,
                "progress": progress.progress_text,
                "period_start": progress.period[0],
                "period_end": progress.period[1],
                "executions": progress.executions_total,
                "assessment_reason": progress.assessment.reason if progress.assessment else None,
                "cancellation_reason": progress.cancellation.reason if progress.cancellation else None,
                "needs_final_assessment": progress.needs_final_assessment,
            }
        )
    summary = page.summary
    standing = page.standing
    verdict = None
    if standing.verdict is not None:
        verdict = {status.value: number for status, number in standing.verdict.verdict.counts()}
        verdict["total"] = standing.verdict.total
    return {
        "as_of": day,
        "phase": standing.phase.value,
        "total": summary.total,
        "done": summary.done,
        "verdict": verdict,
        "activities": activities,
    }


@router.get("/municipalities/{slug}/promises/{promise_slug}/executions", response=list[ExecutionOut])
@paginate(BoundedPageNumberPagination)
def promise_executions(request: HttpRequest, slug: str, promise_slug: str) -> Any:
    """Every counted execution of the promise's activities, newest first."""
    promise = promise_selectors.promise_dates_public(municipality_slug=slug, promise_slug=promise_slug)
    executions = (
        Execution.objects.counted()
        .filter(activity__focus_area__promise=promise, done_on__lte=timezone.localdate())
        .select_related("area")
        .order_by("-done_on", "-pk")
    )
    return [_execution(execution) for execution in executions]


@router.post("/staff/activities/{activity_id}/executions", response={201: ExecutionOut}, auth=staff_session)
def execution_create(request: HttpRequest, activity_id: int, payload: ExecutionIn) -> Any:
    """Record an execution (verified staff session with CSRF token; same rules as the staff page)."""
    activity = selectors.staff_activity_get(user=request.user, pk=activity_id)
    area = None
    if payload.area:
        area = Area.objects.filter(
            municipality=activity.focus_area.promise.municipality, name=payload.area
        ).first()
        if area is None:
            raise HttpError(400, "Okänt område.")
    user: User = request.user  # type: ignore[assignment]
    submission_id = payload.submission_id
    key = request.headers.get("Idempotency-Key", "").strip()
    if submission_id is None and key:
        # The client's key, which may be any text, made an id of its own for this person (never shared).
        submission_id = uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{user.pk}:{key[:255]}")
    try:
        execution = services.execution_record(
            activity=activity,
            by=user,
            today=timezone.localdate(),
            done_on=payload.done_on,
            description=payload.description,
            count=payload.count,
            participants=payload.participants,
            place=payload.place,
            area=area,
            link_note=payload.link_note,
            submission_id=submission_id,
        )
    except PermissionDenied as error:
        raise HttpError(403, "Du får inte registrera utföranden för den här aktiviteten.") from error
    except ValidationError as error:
        raise HttpError(400, "; ".join(error.messages)) from error
    return Status(201, _execution(execution))
