"""Keep the media storage and the database in step: no file without a row, no row without its file.

Files are written before the row that names them is committed (a photo is saved, then its row), and deleted
after the row is gone (see trygg.reports.privacy.photo_files_delete_on_commit). A crash in between leaves a file
that no row names; a lost disk write leaves a row whose file is missing. `media_cleanup` repairs both, and is
safe to run while the site serves:

- only files older than a grace period are taken, so an upload whose transaction is still open is left alone;
- the storage is listed before the database is read, so every file listed whose row was committed is seen;
- a row is repaired only after its file is looked for again, inside the row's own transaction.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.apps import apps
from django.core.files.storage import Storage, default_storage
from django.db import models, transaction
from django.utils.translation import gettext as _

# Rows that exist only for their file (model label and field): when the file is gone, the row goes too. Other
# optional files (a photo's thumbnail) are only cleared.
ROWS_DELETED_WITHOUT_FILE = frozenset({"reports.ReportPhoto.image"})
# Directories whose files wait for a later step of a form and are named by no row until then, with how long
# they may wait. Anything else no row names is taken after the grace period given to media_cleanup.
IN_FLIGHT = {
    # Photos kept from a refused report form or before its confirmation step (trygg.reports.services.photos_keep).
    "reports/pending/": dt.timedelta(hours=1),
    # A survey file between its upload and its column mapping; a staff session lasts at most 8 hours.
    "surveys/uploads/": dt.timedelta(hours=10),
}
PENDING_DIRECTORY = "reports/pending"


@dataclass
class MissingFile:
    model: str
    pk: int
    name: str
    repaired: bool


@dataclass
class MediaCleanup:
    files_deleted: list[str] = field(default_factory=list)
    files_too_new: list[str] = field(default_factory=list)
    rows_missing_file: list[MissingFile] = field(default_factory=list)

    @property
    def rows_left_without_file(self) -> list[MissingFile]:
        return [missing for missing in self.rows_missing_file if not missing.repaired]


def _walk(storage: Storage, directory: str = "") -> Iterator[str]:
    try:
        directories, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    prefix = f"{directory}/" if directory else ""
    for name in files:
        yield prefix + name
    for name in directories:
        yield from _walk(storage, prefix + name)


def _file_fields() -> Iterator[tuple[type[models.Model], models.FileField]]:
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            if isinstance(model_field, models.FileField) and model_field.storage is default_storage:
                yield model, model_field


def media_files_named_by_rows() -> set[str]:
    names: set[str] = set()
    for model, file_field in _file_fields():
        names.update(
            model._default_manager.exclude(**{file_field.attname: ""})
            .exclude(**{f"{file_field.attname}__isnull": True})
            .values_list(file_field.attname, flat=True)
        )
    return names


def _grace_for(name: str, grace: dt.timedelta) -> dt.timedelta:
    for prefix, waits in IN_FLIGHT.items():
        if name.startswith(prefix):
            return max(grace, waits)
    return grace


def _modified(storage: Storage, name: str) -> dt.datetime | None:
    try:
        return storage.get_modified_time(name)
    except FileNotFoundError:
        return None


@transaction.atomic
def _row_repair(model: type[models.Model], file_field: models.FileField, pk: int, storage: Storage) -> bool:
    from trygg.audit.models import AuditEntry
    from trygg.audit.services import audit_record

    row = model._default_manager.select_for_update().filter(pk=pk).first()
    if row is None:
        return True
    name = getattr(row, file_field.attname).name if getattr(row, file_field.attname) else ""
    if not name or storage.exists(name):
        return True
    reason = _("Filen saknades i lagringen")
    label = model._meta.label
    if f"{label}.{file_field.name}" in ROWS_DELETED_WITHOUT_FILE:
        owner = _owner_of(row)
        # Recorded before the delete, while the row still has its id.
        audit_record(
            actor=None,
            action=AuditEntry.Action.UPDATE if owner is not None else AuditEntry.Action.DELETE,
            instance=owner if owner is not None else row,
            changes={f"{model._meta.model_name}": [name, None]},
            reason=reason,
        )
        # The row's other files (a photo's thumbnail) go with it; a rollback would leave a row that has lost its
        # main file anyway, which the next run deletes.
        for other in model._meta.get_fields():
            if (
                isinstance(other, models.FileField)
                and other is not file_field
                and getattr(row, other.attname)
            ):
                storage.delete(getattr(row, other.attname).name)
        row.delete()
        return True
    if file_field.blank:
        setattr(row, file_field.attname, "")
        row.save(update_fields=[file_field.attname])
        audit_record(
            actor=None,
            action=AuditEntry.Action.UPDATE,
            instance=row,
            changes={file_field.name: [name, ""]},
            reason=reason,
        )
        return True
    return False


def _owner_of(row: models.Model) -> models.Model | None:
    # A report photo is part of its report: the report's audit history tells that a photo went.
    report = getattr(row, "report", None)
    return report if isinstance(report, models.Model) else None


def _pending_directories_remove_empty(storage: Storage, *, before: dt.datetime, emptied: set[str]) -> None:
    """Remove a submission's pending directory once it is empty and abandoned (old, or emptied just now)."""
    try:
        directories, _files = storage.listdir(PENDING_DIRECTORY)
    except FileNotFoundError:
        return
    for directory in directories:
        name = f"{PENDING_DIRECTORY}/{directory}"
        try:
            path = storage.path(name)
        except NotImplementedError:
            return  # a storage without directories has no empty ones
        try:
            if name in emptied or dt.datetime.fromtimestamp(os.stat(path).st_mtime, tz=dt.UTC) < before:
                # rmdir refuses a directory that is not empty: a photo stashed meanwhile keeps it.
                os.rmdir(path)
        except OSError:
            continue


def media_cleanup(
    *, now: dt.datetime, grace: dt.timedelta, dry_run: bool = False, storage: Storage | None = None
) -> MediaCleanup:
    """Delete files no row names (older than `grace`), and repair rows whose file is missing."""
    storage = storage or default_storage
    result = MediaCleanup()
    # List first, then read the database: a file listed here whose row commits later is then still seen
    # as named, or (if its row is not yet committed) is younger than the grace period.
    listed = {name: _modified(storage, name) for name in _walk(storage)}
    named = media_files_named_by_rows()
    for name, modified in sorted(listed.items()):
        if name in named or modified is None:
            continue
        if modified > now - _grace_for(name, grace):
            result.files_too_new.append(name)
            continue
        if not dry_run:
            storage.delete(name)
        result.files_deleted.append(name)
    for model, file_field in _file_fields():
        rows = (
            model._default_manager.exclude(**{file_field.attname: ""})
            .exclude(**{f"{file_field.attname}__isnull": True})
            .values_list("pk", file_field.attname)
        )
        for pk, name in rows.iterator():
            if name in listed or storage.exists(name):
                continue
            repaired = False if dry_run else _row_repair(model, file_field, pk, storage)
            result.rows_missing_file.append(MissingFile(model._meta.label, pk, name, repaired))
    if not dry_run:
        _pending_directories_remove_empty(
            storage,
            before=now - _grace_for(PENDING_DIRECTORY + "/", grace),
            emptied={name.rsplit("/", 1)[0] for name in result.files_deleted},
        )
    return result
