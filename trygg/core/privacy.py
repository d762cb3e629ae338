"""Personal data held about residents: one registry of sources, so export, erasure and retention cover them all.

Each app that stores residents' personal data registers a source in its AppConfig.ready(). A source can export
what it holds for an e-mail address, erase the contact data and name for it (the record itself stays, as
public-records law requires), and purge what has passed its retention period. Export and erasure may be limited
to one municipality: a coordinator answers a resident's request for their own kommun only.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.db import transaction

if TYPE_CHECKING:
    from trygg.accounts.models import User
    from trygg.municipalities.models import Municipality


class PersonalDataSource(Protocol):
    name: str

    def export(self, *, email: str, municipality: Municipality | None = None) -> list[dict[str, Any]]: ...

    def erase(
        self, *, email: str, municipality: Municipality | None = None, by: User | None = None
    ) -> int: ...

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


def email_normalise(email: str) -> str:
    normalised = email.strip().lower()
    # An empty address would match every row without one (anonymous sign-ups, reports without contact).
    if "@" not in normalised:
        raise ValueError("not an e-mail address")
    return normalised


def email_hashed(email: str) -> str:
    """The form the audit log keeps an address in (as trygg.audit.services does): it shows which, never what."""
    return "sha256:" + hashlib.sha256(email_normalise(email).encode()).hexdigest()[:16]


def personal_data_export(
    *, email: str, municipality: Municipality | None = None
) -> dict[str, list[dict[str, Any]]]:
    normalised = email_normalise(email)
    return {
        name: source.export(email=normalised, municipality=municipality)
        for name, source in sorted(registry.sources.items())
    }


@transaction.atomic
def personal_data_erase(
    *, email: str, municipality: Municipality | None = None, by: User | None = None
) -> dict[str, int]:
    """Erase what every source holds for the address; all sources or none."""
    normalised = email_normalise(email)
    return {
        name: source.erase(email=normalised, municipality=municipality, by=by)
        for name, source in sorted(registry.sources.items())
    }


def personal_data_purge(*, now: dt.datetime) -> dict[str, int]:
    return {name: source.purge(now=now) for name, source in sorted(registry.sources.items())}
