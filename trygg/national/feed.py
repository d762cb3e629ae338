"""The federation feed: what this installation publishes for others to harvest, page by page.

Only the installation's own public promises are published (those it wrote itself and those it read from documents),
never ones it harvested from elsewhere, so two installations that harvest each other do not loop. A harvester asks
for the objects changed since a time (`updated_since`, from the `server_time` of its previous pull less an overlap),
pages by id (`after`), and reads deletion markers for objects removed or no longer public since that time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import DateTimeField, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest

from trygg.core.pagecache import generation_read
from trygg.followup.models import Assessment, Cancellation, Execution
from trygg.promises.models import Activity, FocusArea, Promise

from . import journal
from .models import FeedChange, PromiseCoverage, PromiseSource

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
ENDPOINTS = ("promises", "focus_areas", "activities", "executions", "statuses", "deletions")


def visible_promises() -> QuerySet[Promise]:
    return Promise.objects.public().exclude(provenance__kind=PromiseSource.Kind.HARVESTED)


def _changed(kind: str, reference: str = "pk") -> Coalesce:
    latest = FeedChange.objects.filter(kind=kind, object_id=OuterRef(reference)).values("changed_at")[:1]
    return Coalesce(
        Subquery(latest, output_field=DateTimeField()), Value(EPOCH, output_field=DateTimeField())
    )


def _since(queryset: QuerySet[Any], kind: str, promise_path: str, since: dt.datetime | None) -> QuerySet[Any]:
    """Annotate `updated_at` (the later of the object's and its promise's last change) and keep those after `since`.

    A change of the promise (published again, say) sends all of its parts again: the harvester deleted them when
    the promise was withdrawn."""
    queryset = queryset.annotate(
        own_changed=_changed(kind), promise_changed=_changed(journal.PROMISE, promise_path)
    ).annotate(updated_at=Greatest(F("own_changed"), F("promise_changed")))
    if since is not None:
        queryset = queryset.filter(Q(own_changed__gt=since) | Q(promise_changed__gt=since))
    return queryset


def promises_changed(since: dt.datetime | None) -> QuerySet[Promise]:
    return (
        _since(visible_promises(), journal.PROMISE, "pk", since)
        .select_related("municipality", "provenance")
        .prefetch_related("signatories__party")
    )


def focus_areas_changed(since: dt.datetime | None) -> QuerySet[FocusArea]:
    return _since(
        FocusArea.objects.filter(promise__in=visible_promises()), journal.FOCUS_AREA, "promise_id", since
    )


def activities_changed(since: dt.datetime | None) -> QuerySet[Activity]:
    queryset = Activity.objects.filter(focus_area__promise__in=visible_promises()).select_related(
        "focus_area"
    )
    return _since(queryset, journal.ACTIVITY, "focus_area__promise_id", since).prefetch_related(
        "responsible_parties", "partners"
    )


def executions_changed(since: dt.datetime | None) -> QuerySet[Execution]:
    queryset = Execution.objects.counted().filter(activity__focus_area__promise__in=visible_promises())
    return _since(queryset, journal.EXECUTION, "activity__focus_area__promise_id", since)


def assessments_changed(since: dt.datetime | None) -> QuerySet[Assessment]:
    queryset = Assessment.objects.filter(activity__focus_area__promise__in=visible_promises())
    return _since(queryset, journal.ASSESSMENT, "activity__focus_area__promise_id", since)


def cancellations_changed(since: dt.datetime | None) -> QuerySet[Cancellation]:
    queryset = Cancellation.objects.filter(activity__focus_area__promise__in=visible_promises())
    return _since(queryset, journal.CANCELLATION, "activity__focus_area__promise_id", since)


def _visible_ids(kind: str, ids: Iterable[int]) -> set[int]:
    querysets: dict[str, QuerySet[Any]] = {
        journal.PROMISE: visible_promises(),
        journal.FOCUS_AREA: FocusArea.objects.filter(promise__in=visible_promises()),
        journal.ACTIVITY: Activity.objects.filter(focus_area__promise__in=visible_promises()),
        journal.EXECUTION: Execution.objects.counted().filter(
            activity__focus_area__promise__in=visible_promises()
        ),
        journal.ASSESSMENT: Assessment.objects.filter(activity__focus_area__promise__in=visible_promises()),
        journal.CANCELLATION: Cancellation.objects.filter(
            activity__focus_area__promise__in=visible_promises()
        ),
    }
    return set(querysets[kind].filter(pk__in=list(ids)).values_list("pk", flat=True))


@dataclass(frozen=True)
class Tombstone:
    kind: str
    id: int
    deleted_at: dt.datetime


def deletions(since: dt.datetime | None, after: int, limit: int) -> tuple[list[Tombstone], int | None]:
    """Objects deleted, withdrawn or no longer public since `since`, paged by the journal's id.

    Returns the markers and the cursor for the next page (None on the last page)."""
    changes = FeedChange.objects.filter(pk__gt=after).order_by("pk")
    if since is not None:
        changes = changes.filter(changed_at__gt=since)
    page = list(changes[:limit])
    by_kind: dict[str, list[FeedChange]] = {}
    for change in page:
        by_kind.setdefault(change.kind, []).append(change)
    markers = []
    for kind, rows in by_kind.items():
        visible = _visible_ids(kind, [row.object_id for row in rows if not row.deleted])
        markers += [
            Tombstone(kind, row.object_id, row.changed_at) for row in rows if row.object_id not in visible
        ]
    markers.sort(key=lambda marker: (marker.deleted_at, marker.kind, marker.id))
    return markers, (page[-1].pk if len(page) == limit else None)


def coverage_of(promise_ids: list[int]) -> dict[int, list[str]]:
    covered: dict[int, list[str]] = {}
    for promise_id, code in PromiseCoverage.objects.filter(promise_id__in=promise_ids).values_list(
        "promise_id", "kommun_code"
    ):
        covered.setdefault(promise_id, []).append(code)
    return covered


def etag(endpoint: str, params: Iterable[tuple[str, str]]) -> str:
    """Weak: the same query gives the same answer while nothing public has been written (the page generation)."""
    digest = hashlib.sha256(repr(sorted(params)).encode()).hexdigest()[:16]
    return f'W/"{endpoint}-{generation_read()}-{digest}"'
