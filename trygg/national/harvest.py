"""Harvesting other Trygg installations: fetch each registered source's changes over HTTP, then apply them.

Fetching runs in threads (network only, no database), each source within its own deadline, so one slow or broken
source never holds up the others; applying runs in the calling thread, one transaction per source, so a source's
pull is stored whole or not at all. Applying the same pull twice changes nothing (idempotent): objects are matched
by the source's ids, and a row is written only when a field differs.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.utils.text import slugify
from pydantic import ValidationError as SchemaError

from trygg.crimestats import kommuner
from trygg.followup.models import Assessment, Cancellation, Execution
from trygg.municipalities.models import Municipality, Party
from trygg.promises.models import Activity, FocusArea, Promise, Signatory

from . import api as schemas
from .models import HarvestedRecord, HarvestRun, HarvestSource, PromiseCoverage, PromiseSource

logger = logging.getLogger(__name__)

KINDS = ("promises", "focus_areas", "activities", "executions", "statuses")
USER_AGENT = "Trygg-harvester/1 (+https://github.com/)"
MAX_PAGES = 100_000


class HarvestError(Exception):
    """A source that could not be read: the message says why, in Swedish, for the operator."""


@dataclass
class Fetched:
    discovery: dict[str, Any] = field(default_factory=dict)
    items: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    tombstones: list[dict[str, Any]] = field(default_factory=list)
    server_time: dt.datetime | None = None
    etag: str = ""
    not_modified: bool = False
    requests: int = 0
    bytes_read: int = 0


@dataclass(frozen=True)
class SourceSnapshot:
    """What a fetching thread needs of a source, read before the threads start (they never touch the database)."""

    pk: int
    discovery_url: str
    cursor: dt.datetime | None
    etag: str


class _Reader:
    def __init__(self, session: requests.Session, origin: str, deadline: float) -> None:
        self.session = session
        self.origin = origin
        self.deadline = deadline
        self.requests = 0
        self.bytes_read = 0

    def get(self, url: str, etag: str = "") -> tuple[int, dict[str, Any] | None, str]:
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != self.origin or parts.scheme not in ("http", "https"):
            raise HarvestError(f"Adressen {url} ligger inte hos källan ({self.origin}).")
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise HarvestError("Källan svarade för långsamt; hämtningen avbröts.")
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if etag:
            headers["If-None-Match"] = etag
        timeout = min(settings.HARVEST_REQUEST_TIMEOUT, remaining)
        try:
            with self.session.get(
                url, headers=headers, timeout=timeout, stream=True, allow_redirects=False
            ) as answer:
                self.requests += 1
                if answer.status_code == 304:
                    return 304, None, answer.headers.get("ETag", "")
                if answer.status_code != 200:
                    raise HarvestError(f"Källan svarade {answer.status_code} på {url}.")
                body = bytearray()
                for chunk in answer.iter_content(64 * 1024):
                    body += chunk
                    if len(body) > settings.HARVEST_MAX_BYTES:
                        raise HarvestError(
                            f"Svaret från {url} är större än {settings.HARVEST_MAX_BYTES} byte."
                        )
                    if time.monotonic() > self.deadline:
                        raise HarvestError("Källan svarade för långsamt; hämtningen avbröts.")
                self.bytes_read += len(body)
                try:
                    document = json.loads(body)
                except ValueError as error:
                    raise HarvestError(f"Svaret från {url} är ingen JSON.") from error
                if not isinstance(document, dict):
                    raise HarvestError(f"Svaret från {url} är inget JSON-objekt.")
                return 200, document, answer.headers.get("ETag", "")
        except requests.Timeout as error:
            raise HarvestError(f"Källan svarade inte inom {timeout:.0f} sekunder ({url}).") from error
        except requests.ConnectionError as error:
            raise HarvestError(f"Källan gick inte att nå ({url}).") from error
        except requests.RequestException as error:
            raise HarvestError(f"Hämtningen från {url} misslyckades: {type(error).__name__}.") from error


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def source_fetch(source: SourceSnapshot, *, session: requests.Session | None = None) -> Fetched:
    """Everything that changed at the source since its cursor (network only). Raises HarvestError."""
    reader = _Reader(
        session or requests.Session(),
        _origin(source.discovery_url),
        time.monotonic() + settings.HARVEST_SOURCE_TIMEOUT,
    )
    fetched = Fetched()
    status, document, etag = reader.get(source.discovery_url, source.etag if source.cursor else "")
    fetched.etag = etag
    if status == 304:
        fetched.not_modified = True
        fetched.requests, fetched.bytes_read = reader.requests, reader.bytes_read
        return fetched
    try:
        discovery = schemas.DiscoveryOut.model_validate(document)
    except SchemaError as error:
        raise HarvestError(
            f"Upptäcktsdokumentet följer inte Trygg-formatet: {_first_error(error)}"
        ) from error
    if discovery.trygg_federation != schemas.FEDERATION_VERSION:
        raise HarvestError(
            f"Källan talar federationsversion {discovery.trygg_federation}, inte {schemas.FEDERATION_VERSION}."
        )
    fetched.discovery = discovery.model_dump(mode="json")
    for endpoint in (*KINDS, "deletions"):
        address = discovery.endpoints.get(endpoint)
        if not address:
            raise HarvestError(f"Upptäcktsdokumentet saknar adressen till {endpoint}.")
        params = {"updated_since": source.cursor.isoformat()} if source.cursor else {}
        url: str | None = address + ("?" + urlencode(params) if params else "")
        collected: list[dict[str, Any]] = []
        pages = 0
        while url and pages < MAX_PAGES:
            _status, page, _etag = reader.get(url)
            pages += 1
            if page is None or not isinstance(page.get("items"), list):
                raise HarvestError(f"Sidan {url} saknar listan items.")
            if fetched.server_time is None and page.get("server_time"):
                try:
                    fetched.server_time = dt.datetime.fromisoformat(str(page["server_time"]))
                except ValueError as error:
                    raise HarvestError(f"server_time på {url} är ingen tid.") from error
            collected.extend(item for item in page["items"] if isinstance(item, dict))
            url = page.get("next") if isinstance(page.get("next"), str) else None
        if endpoint == "deletions":
            fetched.tombstones = collected
        else:
            fetched.items[endpoint] = collected
    fetched.requests, fetched.bytes_read = reader.requests, reader.bytes_read
    return fetched


def _first_error(error: SchemaError) -> str:
    first = error.errors()[0]
    return f"{'.'.join(str(part) for part in first['loc'])}: {first['msg']}"


# ----------------------------------------------------------------------------------------------- applying


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    rejected: int = 0
    problems: list[str] = field(default_factory=list)

    def reject(self, message: str) -> None:
        self.rejected += 1
        if len(self.problems) < 20:
            self.problems.append(message)


class _Applier:
    def __init__(self, source: HarvestSource, now: dt.datetime, counts: Counts) -> None:
        self.source = source
        self.now = now
        self.counts = counts
        self.records: dict[tuple[str, int], int] = {
            (kind, remote): local
            for kind, remote, local in HarvestedRecord.objects.filter(source=source).values_list(
                "kind", "remote_id", "local_id"
            )
        }

    def local(self, kind: str, remote_id: int) -> int | None:
        return self.records.get((kind, remote_id))

    def remember(self, kind: str, remote_id: int, local_id: int) -> None:
        HarvestedRecord.objects.update_or_create(
            source=self.source, kind=kind, remote_id=remote_id, defaults={"local_id": local_id}
        )
        self.records[(kind, remote_id)] = local_id

    def forget(self, kind: str, local_ids: list[int]) -> None:
        HarvestedRecord.objects.filter(source=self.source, kind=kind, local_id__in=local_ids).delete()
        gone = set(local_ids)
        for key in [key for key, value in self.records.items() if key[0] == kind and value in gone]:
            del self.records[key]

    def save(self, instance: Model, values: dict[str, Any], *, created: bool) -> bool:
        """Set the values and save when something differs; True when the row was written."""
        changed = [name for name, value in values.items() if getattr(instance, name) != value]
        if not created and not changed:
            return False
        for name in changed:
            setattr(instance, name, values[name])
        instance.full_clean(validate_unique=False, validate_constraints=True)
        instance.save()
        if created:
            self.counts.created += 1
        else:
            self.counts.updated += 1
        return True


def _municipality(code: str) -> Municipality | None:
    found = Municipality.objects.filter(scb_code=code).first()
    if found is not None or code not in kommuner.kommuner():
        return found
    from .services import municipalities_ensure_official

    municipalities_ensure_official()
    return Municipality.objects.filter(scb_code=code).first()


def _unique_slug(model: type[Model], wanted: str, scope: dict[str, Any], own_pk: int | None) -> str:
    base = slugify(wanted)[:50].strip("-") or "lofte"
    slug, number = base, 1
    while model._default_manager.filter(slug=slug, **scope).exclude(pk=own_pk).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _apply_promise(applier: _Applier, item: schemas.PromiseItem) -> None:
    allowed = set(applier.source.allowed_codes or [])
    codes = [code for code in item.municipality_codes if code in kommuner.kommuner()]
    if allowed and (item.municipality_code not in allowed or not set(codes) <= allowed):
        applier.counts.reject(f"Löfte {item.id}: kommunkod {item.municipality_code} hör inte till källan.")
        return
    municipality = _municipality(item.municipality_code)
    if municipality is None:
        applier.counts.reject(f"Löfte {item.id}: okänd kommunkod {item.municipality_code}.")
        return
    if item.status not in Promise.Status.public():
        applier.counts.reject(f"Löfte {item.id}: status {item.status} är inte publicerad.")
        return
    local_id = applier.local("promise", item.id)
    promise = Promise.objects.filter(pk=local_id).first() if local_id else None
    created = promise is None
    if promise is None:
        promise = Promise(municipality=municipality)
    values = {
        "municipality": municipality,
        "slug": _unique_slug(Promise, item.slug, {"municipality": municipality}, promise.pk)
        if created or promise.municipality_id != municipality.pk or promise.slug != slugify(item.slug)
        else promise.slug,
        "title": item.title[:200],
        "valid_from": item.valid_from,
        "valid_until": item.valid_until,
        "status": item.status,
        "published_on": item.published_on,
        "introduction": item.introduction,
        "source_note": item.source_note[:300],
    }
    applier.save(promise, values, created=created)
    if created:
        applier.remember("promise", item.id, promise.pk)
    source_url = item.url[:500] if item.url.startswith(("http://", "https://")) else ""
    wanted = {
        "kind": PromiseSource.Kind.HARVESTED.value,
        "source_url": source_url,
        "extraction": f"Trygg-flöde {schemas.FEDERATION_VERSION} från {applier.source.name}"[:300],
        "harvest_source_id": applier.source.pk,
    }
    provenance = PromiseSource.objects.filter(promise=promise).first()
    if provenance is None or any(getattr(provenance, name) != value for name, value in wanted.items()):
        PromiseSource.objects.update_or_create(
            promise=promise, defaults={**wanted, "fetched_at": applier.now}
        )
    wanted_signatories = [(s.name[:200], s.role[:200]) for s in item.signatories]
    existing = list(promise.signatories.order_by("order", "pk").values_list("name", "role"))
    if existing != wanted_signatories:
        promise.signatories.all().delete()
        Signatory.objects.bulk_create(
            [
                Signatory(promise=promise, name=name, role=role, order=order)
                for order, (name, role) in enumerate(wanted_signatories)
            ]
        )
    wanted_codes = set(codes) - {municipality.scb_code}
    have = set(PromiseCoverage.objects.filter(promise=promise).values_list("kommun_code", flat=True))
    if have != wanted_codes:
        PromiseCoverage.objects.filter(promise=promise).exclude(kommun_code__in=wanted_codes).delete()
        for code in wanted_codes - have:
            PromiseCoverage.objects.create(promise=promise, kommun_code=code)


def _apply_focus_area(applier: _Applier, item: schemas.FocusAreaItem) -> None:
    promise_id = applier.local("promise", item.promise_id)
    if promise_id is None:
        applier.counts.reject(f"Fokusområde {item.id}: löftet {item.promise_id} finns inte.")
        return
    local_id = applier.local("focus_area", item.id)
    area = FocusArea.objects.filter(pk=local_id).first() if local_id else None
    created = area is None
    if area is None:
        area = FocusArea(promise_id=promise_id)
    slug = (
        area.slug
        if not created and area.promise_id == promise_id
        else _unique_slug(FocusArea, item.slug or item.title, {"promise_id": promise_id}, area.pk)
    )
    applier.save(
        area,
        {
            "promise_id": promise_id,
            "slug": slug,
            "title": item.title[:200],
            "description": item.description,
            "order": item.order,
        },
        created=created,
    )
    if created:
        applier.remember("focus_area", item.id, area.pk)


def _party(municipality: Municipality, name: str, kind: str) -> Party:
    name = name[:200]
    if kind == Party.Kind.POLICE:
        found = Party.objects.filter(municipality=None, name=name).first()
        return found or Party.objects.create(municipality=None, name=name, kind=Party.Kind.POLICE)
    kind = kind if kind in Party.Kind.values else Party.Kind.OTHER
    party, _created = Party.objects.get_or_create(
        municipality=municipality, name=name, defaults={"kind": kind}
    )
    return party


def _apply_activity(applier: _Applier, item: schemas.ActivityItem) -> None:
    area_id = applier.local("focus_area", item.focus_area_id)
    if area_id is None:
        applier.counts.reject(f"Aktivitet {item.id}: fokusområdet {item.focus_area_id} finns inte.")
        return
    local_id = applier.local("activity", item.id)
    activity = Activity.objects.filter(pk=local_id).first() if local_id else None
    created = activity is None
    if activity is None:
        activity = Activity(focus_area_id=area_id)
    per = item.per if item.per in Activity.Per.values else ""
    applier.save(
        activity,
        {
            "focus_area_id": area_id,
            "text": item.text,
            "quantity": item.quantity if item.quantity and item.quantity > 0 else None,
            "quantity_max": item.quantity_max if item.quantity_max and item.quantity_max > 0 else None,
            "at_least": item.at_least,
            "unit": item.unit[:60],
            "per": per or ("period" if item.quantity or item.quantity_max else ""),
            "target_group": item.target_group[:300],
            "place": item.place[:300],
            "start_date": item.start_date,
            "end_date": item.end_date,
            "order": item.order,
        },
        created=created,
    )
    if created:
        applier.remember("activity", item.id, activity.pk)
    municipality = (
        FocusArea.objects.select_related("promise__municipality").get(pk=area_id).promise.municipality
    )
    for relation, wanted in (("responsible_parties", item.responsible_parties), ("partners", item.partners)):
        parties = [_party(municipality, party.name, party.kind) for party in wanted]
        manager = getattr(activity, relation)
        if sorted(p.pk for p in parties) != sorted(manager.values_list("pk", flat=True)):
            manager.set(parties)


def _apply_executions(applier: _Applier, items: list[schemas.ExecutionItem]) -> None:
    """In bulk: a source may send tens of thousands of executions."""
    existing = {
        execution.pk: execution
        for execution in Execution.objects.filter(
            pk__in=[
                applier.local("execution", item.id) for item in items if applier.local("execution", item.id)
            ]
        )
    }
    fields = ["activity_id", "done_on", "description", "count", "participants", "place", "is_example"]
    creates: list[tuple[int, Execution]] = []
    updates: list[Execution] = []
    for item in items:
        activity_id = applier.local("activity", item.activity_id)
        if activity_id is None:
            applier.counts.reject(f"Utförande {item.id}: aktiviteten {item.activity_id} finns inte.")
            continue
        values = {
            "activity_id": activity_id,
            "done_on": item.done_on,
            "description": item.description,
            "count": max(item.count, 1),
            "participants": item.participants
            if item.participants is None or item.participants >= 0
            else None,
            "place": item.place[:300],
            "is_example": item.example_data,
        }
        local_id = applier.local("execution", item.id)
        execution = existing.get(local_id) if local_id else None
        if execution is None:
            creates.append((item.id, Execution(**values)))
        elif any(getattr(execution, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(execution, name, value)
            updates.append(execution)
    made = Execution.objects.bulk_create([execution for _remote, execution in creates], batch_size=2000)
    HarvestedRecord.objects.bulk_create(
        [
            HarvestedRecord(source=applier.source, kind="execution", remote_id=remote, local_id=execution.pk)
            for (remote, _unsaved), execution in zip(creates, made, strict=True)
        ],
        batch_size=2000,
    )
    for (remote, _unsaved), execution in zip(creates, made, strict=True):
        applier.records[("execution", remote)] = execution.pk
    Execution.objects.bulk_update(updates, fields, batch_size=2000)
    applier.counts.created += len(made)
    applier.counts.updated += len(updates)


def _apply_status(applier: _Applier, item: schemas.StatusItem) -> None:
    activity_id = applier.local("activity", item.activity_id)
    if activity_id is None:
        applier.counts.reject(f"Status {item.kind} {item.id}: aktiviteten {item.activity_id} finns inte.")
        return
    kind = item.kind
    local_id = applier.local(kind, item.id)
    if kind == "assessment":
        assessment = Assessment.objects.filter(pk=local_id).first() if local_id else None
        created = assessment is None
        if assessment is None:
            assessment = Assessment(activity_id=activity_id)
        if item.status not in dict(Assessment._meta.get_field("status").choices or []):
            applier.counts.reject(f"Bedömning {item.id}: okänd status {item.status}.")
            return
        applier.save(
            assessment,
            {
                "activity_id": activity_id,
                "status": item.status,
                "reason": item.reason or "–",
                "assessed_on": item.on,
                "is_example": item.example_data,
            },
            created=created,
        )
        instance: Model = assessment
    elif kind == "cancellation":
        cancellation = Cancellation.objects.filter(pk=local_id).first() if local_id else None
        created = cancellation is None
        if cancellation is None:
            cancellation = Cancellation(activity_id=activity_id)
        applier.save(
            cancellation,
            {
                "activity_id": activity_id,
                "cancelled_on": item.on,
                "reason": item.reason or "–",
                "lifted_on": item.lifted_on,
                "lift_reason": item.lift_reason,
                "is_example": item.example_data,
            },
            created=created,
        )
        instance = cancellation
    else:
        applier.counts.reject(f"Status {item.id}: okänt slag {kind}.")
        return
    if created:
        applier.remember(kind, item.id, instance.pk)


_MODELS: dict[str, type[Model]] = {
    "promise": Promise,
    "focus_area": FocusArea,
    "activity": Activity,
    "execution": Execution,
    "assessment": Assessment,
    "cancellation": Cancellation,
}


def _apply_tombstone(applier: _Applier, kind: str, remote_id: int) -> None:
    local_id = applier.local(kind, remote_id)
    model = _MODELS.get(kind)
    if local_id is None or model is None:
        return
    if kind == "promise":
        children = {
            "focus_area": list(FocusArea.objects.filter(promise_id=local_id).values_list("pk", flat=True)),
            "activity": list(
                Activity.objects.filter(focus_area__promise_id=local_id).values_list("pk", flat=True)
            ),
            "execution": list(
                Execution.objects.filter(activity__focus_area__promise_id=local_id).values_list(
                    "pk", flat=True
                )
            ),
            "assessment": list(
                Assessment.objects.filter(activity__focus_area__promise_id=local_id).values_list(
                    "pk", flat=True
                )
            ),
            "cancellation": list(
                Cancellation.objects.filter(activity__focus_area__promise_id=local_id).values_list(
                    "pk", flat=True
                )
            ),
        }
        for child_kind, ids in children.items():
            applier.forget(child_kind, ids)
    deleted, _detail = model._default_manager.filter(pk=local_id).delete()
    applier.forget(kind, [local_id])
    applier.counts.deleted += 1 if deleted else 0


_ITEM_SCHEMAS: dict[str, type[schemas.Schema]] = {
    "promises": schemas.PromiseItem,
    "focus_areas": schemas.FocusAreaItem,
    "activities": schemas.ActivityItem,
    "executions": schemas.ExecutionItem,
    "statuses": schemas.StatusItem,
}


def _validated(kind: str, raw: list[dict[str, Any]], counts: Counts) -> list[Any]:
    valid = []
    for item in raw:
        try:
            valid.append(_ITEM_SCHEMAS[kind].model_validate(item))
        except SchemaError as error:
            counts.reject(f"{kind} {item.get('id', '?')}: {_first_error(error)}")
    return valid


@transaction.atomic
def harvest_apply(*, source: HarvestSource, fetched: Fetched, now: dt.datetime) -> Counts:
    """Store one source's pull: upserts in dependency order, then deletion markers; all of it or nothing."""
    counts = Counts()
    locked = HarvestSource.objects.select_for_update().get(pk=source.pk)
    applier = _Applier(locked, now, counts)
    for item in _validated("promises", fetched.items.get("promises", []), counts):
        _apply_promise(applier, item)
    for item in _validated("focus_areas", fetched.items.get("focus_areas", []), counts):
        _apply_focus_area(applier, item)
    for item in _validated("activities", fetched.items.get("activities", []), counts):
        _apply_activity(applier, item)
    _apply_executions(applier, _validated("executions", fetched.items.get("executions", []), counts))
    for item in _validated("statuses", fetched.items.get("statuses", []), counts):
        _apply_status(applier, item)
    # Markers last: an object deleted and then made again comes back under a new id, never under the old one.
    for marker in fetched.tombstones:
        try:
            tombstone = schemas.TombstoneItem.model_validate(marker)
        except SchemaError as error:
            counts.reject(f"deletions: {_first_error(error)}")
            continue
        kind = tombstone.kind
        if kind in ("promise", "focus_area", "activity", "execution", "assessment", "cancellation"):
            _apply_tombstone(applier, kind, tombstone.id)
    return counts


def _record(source: HarvestSource, started: dt.datetime, finished: dt.datetime, **values: Any) -> HarvestRun:
    return HarvestRun.objects.create(source=source, started_at=started, finished_at=finished, **values)


def harvest_sources(
    *, sources: list[HarvestSource], now_function: Any, session_factory: Any = requests.Session
) -> list[HarvestRun]:
    """Pull every source: fetch in parallel threads, apply each as it arrives. One source failing (refused,
    slow, invalid) is recorded on its own run and source; the others go on."""
    snapshots = {
        source.pk: SourceSnapshot(source.pk, source.discovery_url, source.cursor, source.discovery_etag)
        for source in sources
    }
    by_pk = {source.pk: source for source in sources}
    started = {source.pk: now_function() for source in sources}
    runs: list[HarvestRun] = []

    def fetch(snapshot: SourceSnapshot) -> Fetched:
        with session_factory() as session:
            return source_fetch(snapshot, session=session)

    with ThreadPoolExecutor(max_workers=max(1, settings.HARVEST_WORKERS)) as pool:
        futures = {pool.submit(fetch, snapshot): pk for pk, snapshot in snapshots.items()}
        for future in as_completed(futures):
            pk = futures[future]
            source = by_pk[pk]
            try:
                fetched = future.result()
            except HarvestError as error:
                runs.append(_failed(source, started[pk], now_function(), str(error)))
                continue
            except Exception as error:  # a bug or an unforeseen answer must not stop the other sources
                logger.exception("Harvest of %s failed", source.discovery_url)
                runs.append(
                    _failed(source, started[pk], now_function(), f"Oväntat fel: {type(error).__name__}.")
                )
                continue
            try:
                counts = (
                    Counts()
                    if fetched.not_modified
                    else harvest_apply(source=source, fetched=fetched, now=now_function())
                )
            except Exception as error:
                logger.exception("Applying the harvest of %s failed", source.discovery_url)
                runs.append(
                    _failed(source, started[pk], now_function(), f"Kunde inte spara: {type(error).__name__}.")
                )
                continue
            runs.append(_succeeded(source, started[pk], now_function(), fetched, counts))
    return runs


def _failed(source: HarvestSource, started: dt.datetime, finished: dt.datetime, message: str) -> HarvestRun:
    HarvestSource.objects.filter(pk=source.pk).update(
        last_attempt_at=finished, last_error=message, consecutive_failures=source.consecutive_failures + 1
    )
    return _record(source, started, finished, ok=False, error=message)


def _succeeded(
    source: HarvestSource, started: dt.datetime, finished: dt.datetime, fetched: Fetched, counts: Counts
) -> HarvestRun:
    updates: dict[str, Any] = {
        "last_attempt_at": finished,
        "last_success_at": finished,
        "last_error": "",
        "consecutive_failures": 0,
        "ping_pending": False,
    }
    if not fetched.not_modified and fetched.server_time is not None:
        # The next pull reaches back behind this one: writes that were still committing are caught then.
        updates["cursor"] = fetched.server_time - dt.timedelta(seconds=settings.HARVEST_OVERLAP_SECONDS)
        updates["discovery_etag"] = fetched.etag[:200]
    HarvestSource.objects.filter(pk=source.pk).update(**updates)
    return _record(
        source,
        started,
        finished,
        ok=True,
        not_modified=fetched.not_modified,
        error="; ".join(counts.problems)[:2000],
        created=counts.created,
        updated=counts.updated,
        deleted=counts.deleted,
        rejected=counts.rejected,
        requests=fetched.requests,
        bytes_read=fetched.bytes_read,
    )


def source_register(*, url: str, name: str = "", session: requests.Session | None = None) -> HarvestSource:
    """Register an installation by its address or its discovery document's; the kommuner it may publish for are
    taken from the discovery document (the operator can narrow them in the admin)."""
    address = url.rstrip("/")
    if not address.endswith("/api/federation/discovery"):
        address += "/api/federation/discovery"
    reader = _Reader(
        session or requests.Session(), _origin(address), time.monotonic() + settings.HARVEST_SOURCE_TIMEOUT
    )
    _status, document, _etag = reader.get(address)
    try:
        discovery = schemas.DiscoveryOut.model_validate(document)
    except SchemaError as error:
        raise HarvestError(
            f"Upptäcktsdokumentet följer inte Trygg-formatet: {_first_error(error)}"
        ) from error
    codes = sorted({m.code for m in discovery.municipalities if m.code in kommuner.kommuner()})
    source, _created = HarvestSource.objects.update_or_create(
        discovery_url=address,
        defaults={"name": (name or discovery.name)[:200], "allowed_codes": codes, "active": True},
    )
    return source
