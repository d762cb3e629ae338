"""Backups that are consistent while writes go on, with a manifest that a restore is checked against.

SQLite: the online backup API copies a consistent state of the live database.
PostgreSQL: a REPEATABLE READ transaction exports its snapshot; the manifest is computed inside it and
pg_dump dumps exactly that snapshot, so the manifest describes the dump.
Media files are copied beside the database.
"""

import hashlib
import json
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction

MANIFEST = "manifest.json"


def _tables() -> list[str]:
    return sorted(
        {model._meta.db_table for model in apps.get_models(include_auto_created=True) if model._meta.managed}
    )


def _table_manifest(cursor: Any, tables: list[str]) -> dict[str, dict[str, Any]]:
    """Row count and a checksum of every row's text, in primary-key order, per table."""
    existing = set(connection.introspection.table_names(cursor))
    manifest = {}
    for table in tables:
        if table not in existing:
            continue
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT * FROM {quoted} ORDER BY 1")  # noqa: S608 - table names come from the models
        digest = hashlib.sha256()
        count = 0
        for row in cursor.fetchall():
            digest.update(repr(tuple(_normalise(value) for value in row)).encode())
            count += 1
        manifest[table] = {"rows": count, "sha256": digest.hexdigest()}
    return manifest


def _normalise(value: Any) -> Any:
    # The two databases hand back dates, decimals and JSON differently; text is the common ground.
    if isinstance(value, bytes | memoryview):
        return hashlib.sha256(bytes(value)).hexdigest()
    return str(value) if value is not None else None


def database_manifest() -> dict[str, dict[str, Any]]:
    with connection.cursor() as cursor:
        return _table_manifest(cursor, _tables())


def _copy_media(target: Path) -> int:
    media = Path(settings.MEDIA_ROOT)
    if not media.exists():
        return 0
    shutil.copytree(media, target, dirs_exist_ok=True)
    return sum(1 for path in target.rglob("*") if path.is_file())


def backup_create(*, directory: Path) -> dict[str, Any]:
    directory.mkdir(parents=True, exist_ok=False)
    vendor = connection.vendor
    if vendor == "sqlite":
        target = directory / "database.sqlite3"
        source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)
        source.close()
        copy.close()
        tables = _manifest_of_sqlite_file(target)
    elif vendor == "postgresql":
        tables = _backup_postgresql(directory / "database.dump")
    else:  # pragma: no cover
        raise NotImplementedError(vendor)
    media_files = _copy_media(directory / "media")
    manifest = {"vendor": vendor, "tables": tables, "media_files": media_files}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def _manifest_of_sqlite_file(path: Path) -> dict[str, dict[str, Any]]:
    database = sqlite3.connect(path)
    try:
        cursor = database.cursor()
        names = {row[0] for row in cursor.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        manifest = {}
        for table in _tables():
            if table not in names:
                continue
            digest = hashlib.sha256()
            count = 0
            for row in cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1'):  # noqa: S608
                digest.update(repr(tuple(_normalise(value) for value in row)).encode())
                count += 1
            manifest[table] = {"rows": count, "sha256": digest.hexdigest()}
        return manifest
    finally:
        database.close()


def _pg_env() -> tuple[list[str], dict[str, str]]:
    database = settings.DATABASES["default"]
    arguments = ["-h", database.get("HOST") or "127.0.0.1", "-p", str(database.get("PORT") or 5432)]
    arguments += ["-U", database.get("USER") or "postgres"]
    environment = {"PGPASSWORD": database.get("PASSWORD") or "", "PATH": "/usr/bin:/bin:/usr/local/bin"}
    return arguments, environment


def _pg_binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)
    if not candidates:
        raise FileNotFoundError(f"{name} was not found: install Debian's postgresql-client")
    return str(candidates[0])


def _backup_postgresql(target: Path) -> dict[str, dict[str, Any]]:
    arguments, environment = _pg_env()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        tables = _table_manifest(cursor, _tables())
        subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [
                _pg_binary("pg_dump"),
                *arguments,
                "--format=custom",
                "--no-owner",
                f"--snapshot={snapshot}",
                "-f",
                str(target),
                settings.DATABASES["default"]["NAME"],
            ],
            env=environment,
            check=True,
        )
    return tables


def backup_restore(*, directory: Path) -> dict[str, Any]:
    """Restore into the configured (fresh) database and media folder, then check the manifest."""
    manifest = json.loads((directory / MANIFEST).read_text())
    if manifest["vendor"] != connection.vendor:
        raise ValueError(f"the backup is of {manifest['vendor']}, the database is {connection.vendor}")
    if connection.vendor == "sqlite":
        connection.close()
        target = sqlite3.connect(settings.DATABASES["default"]["NAME"])
        source = sqlite3.connect(directory / "database.sqlite3")
        with target:
            source.backup(target)
        source.close()
        target.close()
    else:
        arguments, environment = _pg_env()
        subprocess.run(  # noqa: S603 - fixed program, arguments from settings
            [
                _pg_binary("pg_restore"),
                *arguments,
                "--clean",
                "--if-exists",
                "--no-owner",
                "-d",
                settings.DATABASES["default"]["NAME"],
                str(directory / "database.dump"),
            ],
            env=environment,
            check=True,
        )
    media = directory / "media"
    if media.exists():
        shutil.copytree(media, Path(settings.MEDIA_ROOT), dirs_exist_ok=True)
    restored = (
        _manifest_of_sqlite_file(Path(settings.DATABASES["default"]["NAME"]))
        if connection.vendor == "sqlite"
        else database_manifest()
    )
    expected = manifest["tables"]
    differences = {
        table: (expected[table], restored.get(table))
        for table in expected
        if restored.get(table) != expected[table]
    }
    if differences:
        raise ValueError(f"the restored database differs from the backup's manifest: {sorted(differences)}")
    # The restored database goes back to page numbers it had reached before: the pages this machine shared
    # since then were rendered from data it no longer holds.
    from .pagecache import epoch_renew

    epoch_renew()
    return manifest
