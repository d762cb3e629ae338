"""Writes of the national app: reference data, where promises come from, and their verification.

Harvesting has its own module (harvest.py); its writes are in `harvest_apply` there.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.audit.services import audit_record
from trygg.crimestats import kommuner
from trygg.municipalities.models import Municipality, PoliceArea
from trygg.promises.models import Promise

from . import rules
from .loaders import GroupDefinition, GroupRow, PoliceAreaRow
from .models import (
    GroupAssignment,
    HarvestSource,
    MunicipalityGroup,
    PoliceAreaCoverage,
    PoliceDistrict,
    PoliceRegion,
    PromiseSource,
)


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    removed: int


@transaction.atomic
def municipalities_ensure_official() -> int:
    """A Municipality row for each of the 290 kommuner that has none (by kommunkod); returns how many were made.

    Existing rows keep their names, slugs and everything else: a kommun's own staff may have set them."""
    existing = set(Municipality.objects.values_list("scb_code", flat=True))
    taken = set(Municipality.objects.values_list("slug", flat=True))
    counties = kommuner.counties()
    created = []
    for code, name in kommuner.kommuner().items():
        if code in existing:
            continue
        slug = slugify(name.replace("å", "a").replace("ä", "a").replace("ö", "o")) or f"kommun-{code}"
        if slug in taken:
            slug = f"{slug}-{code}"
        taken.add(slug)
        created.append(Municipality(name=name, slug=slug, scb_code=code, county=counties.get(code[:2], "")))
    Municipality.objects.bulk_create(created)
    return len(created)


@transaction.atomic
def municipality_groups_load(
    *,
    definitions: tuple[GroupDefinition, ...],
    rows: list[GroupRow],
    edition: str,
    source: str,
    is_example: bool,
) -> LoadResult:
    """The edition's nine groups and every kommun's group; the file replaces the edition's earlier assignments."""
    if not source.strip():
        raise ValidationError(_("Ange varifrån indelningen kommer."))
    groups: dict[str, MunicipalityGroup] = {}
    for definition in definitions:
        if definition.edition != edition:
            continue
        groups[definition.code], _created = MunicipalityGroup.objects.update_or_create(
            edition=edition,
            code=definition.code,
            defaults={"name": definition.name, "description": definition.description},
        )
    if not groups:
        raise ValidationError(
            _("Det finns inga kommungrupper för utgåvan %(edition)s.") % {"edition": edition}
        )
    before = {
        row.kommun_code: row
        for row in GroupAssignment.objects.filter(edition=edition).select_related("group")
    }
    created = updated = 0
    for row in rows:
        earlier = before.pop(row.kommun_code, None)
        group = groups[row.group_code]
        if earlier is None:
            created += 1
        elif (earlier.group_id, earlier.source, earlier.is_example) != (group.pk, source, is_example):
            updated += 1
        GroupAssignment.objects.update_or_create(
            kommun_code=row.kommun_code,
            edition=edition,
            defaults={"group": group, "source": source, "is_example": is_example},
        )
    removed = len(before)
    GroupAssignment.objects.filter(pk__in=[row.pk for row in before.values()]).delete()
    return LoadResult(created, updated, removed)


@transaction.atomic
def police_areas_load(*, rows: list[PoliceAreaRow], is_example: bool, replace: bool) -> LoadResult:
    """Regions, polisområden, lokalpolisområden and the periods in which each covered a kommun.

    With `replace` the file is the whole list: periods it does not name are removed."""
    removed = 0
    if replace:
        removed, _detail = PoliceAreaCoverage.objects.all().delete()
    created = updated = 0
    for row in rows:
        district = None
        if row.district:
            region, _made = PoliceRegion.objects.get_or_create(name=row.region or _("Okänd region"))
            district, _made = PoliceDistrict.objects.update_or_create(
                name=row.district, defaults={"region": region}
            )
        area, _made = PoliceArea.objects.get_or_create(name=row.police_area)
        coverage, made = PoliceAreaCoverage.objects.update_or_create(
            police_area=area,
            kommun_code=row.kommun_code,
            valid_from=row.valid_from,
            defaults={
                "district": district,
                "valid_to": row.valid_to,
                "source": row.source or _("ingen källa angiven"),
                "is_example": is_example,
            },
        )
        coverage.full_clean()
        created += made
        updated += not made
    return LoadResult(created, updated, removed)


@transaction.atomic
def promise_source_record_document(
    *,
    promise: Promise,
    file_name: str,
    checksum: str,
    source_url: str,
    fetched_at: dt.datetime,
    extraction: str,
) -> PromiseSource:
    """Mark a promise as read from a document: shown as "inläst ur dokument, ej verifierad" until verified."""
    source, _created = PromiseSource.objects.update_or_create(
        promise=promise,
        defaults={
            "kind": PromiseSource.Kind.DOCUMENT,
            "file_name": file_name[:300],
            "checksum": checksum,
            "source_url": source_url[:500],
            "fetched_at": fetched_at,
            "extraction": extraction[:300],
            "verified_at": None,
            "verified_by": None,
        },
    )
    return source


@transaction.atomic
def promise_source_verify(*, promise: Promise, by: User, now: dt.datetime) -> PromiseSource:
    """Staff of the promise's kommun confirm that a promise read from a document says what the kommun promised."""
    source = PromiseSource.objects.select_for_update().filter(promise=promise).first()
    if not rules.can_verify_promise(by, promise):
        raise PermissionDenied
    if source is None or source.kind != PromiseSource.Kind.DOCUMENT:
        raise ValidationError(_("Bara löften som lästs in ur dokument behöver verifieras."))
    if source.verified_at is not None:
        raise ValidationError(_("Löftet är redan verifierat."))
    source.verified_at = now
    source.verified_by = by
    source.save(update_fields=["verified_at", "verified_by"])
    audit_record(
        actor=by,
        action=AuditEntry.Action.UPDATE,
        instance=promise,
        changes={"verified_at": [None, now.isoformat()]},
        reason=_("Verifierat av kommunen: löftet inläst ur dokument stämmer."),
    )
    return source


def harvest_source_mark_pinged(*, url: str) -> int:
    """Mark the source whose discovery document or feed lives at `url` as changed; returns how many matched."""
    if not url.startswith(("http://", "https://")):
        return 0
    origin = "/".join(url.split("/")[:3])
    return HarvestSource.objects.filter(active=True, discovery_url__startswith=origin + "/").update(
        ping_pending=True
    )


@transaction.atomic
def document_promise_publish(
    *,
    promise: Promise,
    file_name: str,
    checksum: str,
    source_url: str,
    fetched_at: dt.datetime,
    today: dt.date,
) -> PromiseSource:
    """Publish a promise read from a kommun's document, marked "inläst ur dokument, ej verifierad": it is shown
    with its source, never counted as follow-up, until staff of the kommun verify it."""
    locked = Promise.objects.select_for_update().get(pk=promise.pk)
    if locked.status == Promise.Status.DRAFT:
        locked.status = Promise.Status.PUBLISHED
        locked.published_on = today
        locked.save(update_fields=["status", "published_on"])
        audit_record(
            actor=None,
            action=AuditEntry.Action.UPDATE,
            instance=locked,
            changes={"status": [Promise.Status.DRAFT, locked.status]},
            reason=_("Publicerat som inläst ur dokument, ej verifierat: %(name)s") % {"name": file_name},
        )
    return promise_source_record_document(
        promise=locked,
        file_name=file_name,
        checksum=checksum,
        source_url=source_url,
        fetched_at=fetched_at,
        extraction=_("Tolkat automatiskt ur dokumentet med Tryggs läsare (trygg import_promise)"),
    )


def document_sources(folder: Path) -> dict[str, tuple[str, dt.datetime | None]]:
    """The optional kallor.csv of a folder of documents: file name → (the address it was fetched from, when)."""
    path = folder / "kallor.csv"
    if not path.is_file():
        return {}
    found: dict[str, tuple[str, dt.datetime | None]] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            name = (row.get("fil") or "").strip()
            url = (row.get("url") or "").strip()
            if not name or not url.startswith(("http://", "https://")):
                continue
            try:
                fetched = dt.datetime.fromisoformat((row.get("hamtad") or "").strip())
            except ValueError:
                fetched = None
            if fetched is not None and fetched.tzinfo is None:
                fetched = fetched.replace(tzinfo=dt.UTC)
            found[name] = (url, fetched)
    return found
