"""The journal of changes the federation feed publishes: every save and delete of a published kind of object,
whatever made it (a staff page, the admin, the API, an import), leaves one row in FeedChange.

Receivers, not calls in each service: the feed must see changes from every channel, including ones written later,
as the page cache does (core/pagecache.py). They only note *that* something changed, never decide anything.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from trygg.followup.models import Assessment, Cancellation, Execution
from trygg.promises.models import Activity, FocusArea, Promise, Signatory

from .models import FeedChange, PromiseCoverage, PromiseSource

PROMISE = "promise"
FOCUS_AREA = "focus_area"
ACTIVITY = "activity"
EXECUTION = "execution"
ASSESSMENT = "assessment"
CANCELLATION = "cancellation"
KINDS = (PROMISE, FOCUS_AREA, ACTIVITY, EXECUTION, ASSESSMENT, CANCELLATION)


def note(kind: str, object_id: int, promise_id: int | None, *, deleted: bool = False) -> None:
    note_many(kind, [(object_id, promise_id)], deleted=deleted)


def note_many(kind: str, changes: list[tuple[int, int | None]], *, deleted: bool = False) -> None:
    """Note that these objects of one kind changed, as (object id, promise id) pairs, in one statement: for
    code that writes many rows at once (`bulk_create` sends no signals)."""
    now = timezone.now()
    FeedChange.objects.bulk_create(
        [
            FeedChange(kind=kind, object_id=object_id, promise_id=promise_id, changed_at=now, deleted=deleted)
            for object_id, promise_id in changes
        ],
        update_conflicts=True,
        unique_fields=["kind", "object_id"],
        update_fields=["changed_at", "deleted", "promise_id"],
    )


def _promise_of_focus_area(focus_area_id: int) -> int | None:
    return FocusArea.objects.filter(pk=focus_area_id).values_list("promise_id", flat=True).first()


def _promise_of(activity: Activity) -> int | None:
    """The activity's promise: from its focus area when that is loaded already (no query), else looked up."""
    if Activity.focus_area.is_cached(activity):
        focus_area = activity.focus_area
        if focus_area.pk == activity.focus_area_id:
            return focus_area.promise_id
    return _promise_of_focus_area(activity.focus_area_id)


def _promise_of_activity(activity_id: int) -> int | None:
    return Activity.objects.filter(pk=activity_id).values_list("focus_area__promise_id", flat=True).first()


def _promise_saved(sender: Any, instance: Promise, **kwargs: Any) -> None:
    note(PROMISE, instance.pk, instance.pk)


def _promise_deleted(sender: Any, instance: Promise, **kwargs: Any) -> None:
    note(PROMISE, instance.pk, instance.pk, deleted=True)


def _promise_part_changed(
    sender: Any, instance: Signatory | PromiseSource | PromiseCoverage, **kwargs: Any
) -> None:
    if Promise.objects.filter(pk=instance.promise_id).exists():
        note(PROMISE, instance.promise_id, instance.promise_id)


def _focus_area_saved(sender: Any, instance: FocusArea, **kwargs: Any) -> None:
    note(FOCUS_AREA, instance.pk, instance.promise_id)


def _focus_area_deleted(sender: Any, instance: FocusArea, **kwargs: Any) -> None:
    note(FOCUS_AREA, instance.pk, instance.promise_id, deleted=True)


def _activity_saved(sender: Any, instance: Activity, **kwargs: Any) -> None:
    note(ACTIVITY, instance.pk, _promise_of(instance))


def _activity_deleted(sender: Any, instance: Activity, **kwargs: Any) -> None:
    note(ACTIVITY, instance.pk, None, deleted=True)


def _activity_parties_changed(sender: Any, instance: Any, action: str, **kwargs: Any) -> None:
    if action in {"post_add", "post_remove", "post_clear"} and isinstance(instance, Activity):
        note(ACTIVITY, instance.pk, _promise_of(instance))


def _followup_saved(kind: str) -> Any:
    def receiver(sender: Any, instance: Execution | Assessment | Cancellation, **kwargs: Any) -> None:
        note(kind, instance.pk, _promise_of_activity(instance.activity_id))

    return receiver


def _followup_deleted(kind: str) -> Any:
    def receiver(sender: Any, instance: Execution | Assessment | Cancellation, **kwargs: Any) -> None:
        note(kind, instance.pk, None, deleted=True)

    return receiver


_RECEIVERS: list[tuple[Any, Any, Any]] = [
    (post_save, _promise_saved, Promise),
    (post_delete, _promise_deleted, Promise),
    (post_save, _promise_part_changed, Signatory),
    (post_delete, _promise_part_changed, Signatory),
    (post_save, _promise_part_changed, PromiseSource),
    (post_delete, _promise_part_changed, PromiseSource),
    (post_save, _promise_part_changed, PromiseCoverage),
    (post_delete, _promise_part_changed, PromiseCoverage),
    (post_save, _focus_area_saved, FocusArea),
    (post_delete, _focus_area_deleted, FocusArea),
    (post_save, _activity_saved, Activity),
    (post_delete, _activity_deleted, Activity),
    (m2m_changed, _activity_parties_changed, Activity.responsible_parties.through),
    (m2m_changed, _activity_parties_changed, Activity.partners.through),
    (post_save, _followup_saved(EXECUTION), Execution),
    (post_delete, _followup_deleted(EXECUTION), Execution),
    (post_save, _followup_saved(ASSESSMENT), Assessment),
    (post_delete, _followup_deleted(ASSESSMENT), Assessment),
    (post_save, _followup_saved(CANCELLATION), Cancellation),
    (post_delete, _followup_deleted(CANCELLATION), Cancellation),
]


def connect() -> None:
    for signal, receiver, sender in _RECEIVERS:
        signal.connect(
            receiver, sender=sender, dispatch_uid=f"national-journal-{receiver.__name__}-{sender.__name__}"
        )
