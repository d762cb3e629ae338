"""Writes about a municipality: each checks the rule, runs in one transaction and leaves an audit entry."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from trygg.audit.models import AuditEntry
from trygg.audit.services import audit_changes, audit_record

from . import rules, selectors
from .models import Municipality, PoliceArea

#: A box around Sweden (WGS 84): a map centre outside it is a typo, such as latitude and longitude swapped.
SWEDEN_LATITUDES = (55.0, 69.1)
SWEDEN_LONGITUDES = (10.9, 24.2)

PROFILE_FIELDS = (
    "name",
    "name_genitive",
    "contact_email",
    "contact_phone",
    "contact_address",
    "website",
    "map_latitude",
    "map_longitude",
    "accent_colour",
)


def _check_map_centre(latitude: float | None, longitude: float | None) -> None:
    if (latitude is None) != (longitude is None):
        raise ValidationError(
            {"map_latitude": _("Ange både latitud och longitud för kartans mitt, eller ingen av dem.")}
        )
    if latitude is None or longitude is None:
        return
    if not (SWEDEN_LATITUDES[0] <= latitude <= SWEDEN_LATITUDES[1]) or not (
        SWEDEN_LONGITUDES[0] <= longitude <= SWEDEN_LONGITUDES[1]
    ):
        raise ValidationError(
            {
                "map_latitude": _(
                    "Kartans mitt ska ligga i Sverige: latitud mellan 55 och 69, longitud mellan 11 och 24 "
                    "(t.ex. 56,833 och 13,941 för Ljungby)."
                )
            }
        )


def _delete_file_on_commit(name: str) -> None:
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


@transaction.atomic
def municipality_profile_update(
    *,
    municipality: Municipality,
    by: Any,
    name: str,
    name_genitive: str,
    contact_email: str,
    contact_phone: str,
    contact_address: str,
    website: str,
    map_latitude: float | None,
    map_longitude: float | None,
    accent_colour: str,
    police_areas: Iterable[PoliceArea],
    logo: UploadedFile | None = None,
    remove_logo: bool = False,
) -> Municipality:
    """Save the municipality's public profile. A new logo is re-encoded to a fresh PNG by the model field; the file
    it replaces is deleted once the change is committed, so nginx stops serving it."""
    if not rules.can_edit_municipality_profile(by, municipality):
        raise PermissionDenied
    locked = Municipality.objects.select_for_update().get(pk=municipality.pk)
    chosen = set(police_areas)
    allowed = set(selectors.police_areas_choosable(municipality=locked))
    if not getattr(by, "is_superuser", False) and not chosen <= allowed:
        raise ValidationError(
            {
                "police_areas": _(
                    "Ett lokalpolisområde som täcker en annan kommun kan bara kopplas av plattformens drift."
                )
            }
        )
    _check_map_centre(map_latitude, map_longitude)
    values = {
        "name": name.strip(),
        "name_genitive": name_genitive.strip(),
        "contact_email": contact_email.strip(),
        "contact_phone": contact_phone.strip(),
        "contact_address": contact_address.strip(),
        "website": website.strip(),
        "map_latitude": map_latitude,
        "map_longitude": map_longitude,
        "accent_colour": accent_colour.strip().lower(),
    }
    before = {field: getattr(locked, field) for field in PROFILE_FIELDS}
    before_areas = set(locked.police_areas.all())
    old_logo = locked.logo.name if locked.logo else ""
    for field, value in values.items():
        setattr(locked, field, value)
    if logo is not None:
        locked.logo = logo
    elif remove_logo:
        locked.logo = ""
    locked.full_clean(exclude=["slug", "scb_code", "county", "population", "population_note"])
    locked.save()
    locked.police_areas.set(chosen)
    new_logo = locked.logo.name if locked.logo else ""
    if old_logo and old_logo != new_logo:
        _delete_file_on_commit(old_logo)
    changes = audit_changes(before=before, after=values, fields=PROFILE_FIELDS)
    if before_areas != chosen:
        changes["police_areas"] = [
            sorted(str(area.pk) for area in before_areas),
            sorted(str(area.pk) for area in chosen),
        ]
    if old_logo != new_logo:
        changes["logo"] = [old_logo, new_logo]
    if changes:
        audit_record(actor=by, action=AuditEntry.Action.UPDATE, instance=locked, changes=changes)
    return locked
