"""Personal data held about residents: one registry of sources, so export, erasure and retention cover them all.

Each app that stores residents' personal data registers a source in its AppConfig.ready(). A source can export
what it holds for an e-mail address, erase the contact data and name for it (the record itself stays, as
public-records law requires), and purge what has passed its retention period.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings


class PersonalDataSource(Protocol):
    name: str

    def export(self, *, email: str) -> list[dict[str, Any]]: ...

    def erase(self, *, email: str) -> int: ...

    def purge(self, *, now: dt.datetime) -> int: ...


@dataclass
class Registry:
    sources: dict[str, PersonalDataSource] = field(default_factory=dict)

    def register(self, source: PersonalDataSource) -> None:
        self.sources[source.name] = source


registry = Registry()


def retention_days(kind: str) -> int:
    """Days a kind of personal data is kept (settings.RETENTION_DAYS), e.g. "report_contact"."""
    return int(settings.RETENTION_DAYS[kind])


def personal_data_export(*, email: str) -> dict[str, list[dict[str, Any]]]:
    normalised = email.strip().lower()
    return {name: source.export(email=normalised) for name, source in sorted(registry.sources.items())}


def personal_data_erase(*, email: str) -> dict[str, int]:
    normalised = email.strip().lower()
    return {name: source.erase(email=normalised) for name, source in sorted(registry.sources.items())}


def personal_data_purge(*, now: dt.datetime) -> dict[str, int]:
    return {name: source.purge(now=now) for name, source in sorted(registry.sources.items())}
