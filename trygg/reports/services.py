"""Writes for residents' reports. Each service is one transaction and leaves an audit record."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.audit.services import audit_changes, audit_record
from trygg.core.security_events import security_event
from trygg.core.text import without_control_characters
from trygg.municipalities.models import Municipality, Party
from trygg.problems.models import Problem
from trygg.promises.models import Activity

from . import boundaries, geo, rules
from .attributes import attributes_clean
from .catalogue import DEFAULT_CATEGORIES
from .deadlines import due_at
from .models import Open311Key, Place, Report, ReportCategory, ReportEvent, ReportPhoto
from .photos import CheckedPhoto, PhotoError, photo_check, photo_reencode, photo_thumbnail
from .privacy import photo_files_delete_on_commit
from .wording import reads_like_emergency

logger = logging.getLogger(__name__)

MAX_PHOTOS = 3
_REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread
_PENDING_DIR = "reports/pending"
# Uploads waiting for the task worker. Nothing serves this directory (nginx answers 404 for /media/ but logos, and
# the photo view serves only re-encoded photos), so nothing of an upload is public before it is re-encoded.
_INCOMING_DIR = "reports/incoming"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


# ------------------------------------------------------------------------- helpers


def report_due_at(*, category: ReportCategory, offensive: bool, start: dt.datetime) -> dt.datetime:
    if offensive and category.offensive_response_hours:
        return due_at(start, amount=category.offensive_response_hours, unit="hours")
    return due_at(timezone.localtime(start), amount=category.response_time, unit=category.response_unit)


def _new_reference(year: int) -> str:
    while True:
        reference = f"{year}-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
        if not Report.objects.filter(reference=reference).exists():
            return reference


def _store_photo(report: Report, photo: CheckedPhoto) -> ReportPhoto:
    """Keep the upload privately as it came and leave the re-encoding to the task worker."""
    token = secrets.token_hex(16)
    # In a category whose photos are reviewed first, a photo is stored hidden until staff publish it.
    stored = ReportPhoto(
        report=report,
        name=f"{token}.jpg",
        width=photo.width,
        height=photo.height,
        state=ReportPhoto.State.PROCESSING,
        is_public=not report.category.photos_need_review,
    )
    stored.image.name = default_storage.save(f"{_INCOMING_DIR}/{token}", ContentFile(photo.data))
    stored.save()
    return stored


def report_photo_process(*, photo_id: int, now: dt.datetime) -> str:
    """The task worker's part of a photo: re-encode it from its pixels (no metadata survives), make its thumbnail,
    then publish it; an upload that cannot be decoded is removed and the failure recorded for staff.

    The decoding runs outside any transaction, so no lock is held meanwhile; the row changes in one transaction.
    Returns the photo's state afterwards ("gone" when there was nothing to do).
    """
    photo = ReportPhoto.objects.filter(pk=photo_id, state=ReportPhoto.State.PROCESSING).first()
    if photo is None:
        return "gone"
    upload = photo.image.name or ""
    try:
        with default_storage.open(upload, "rb") as handle:
            data = handle.read()
        clean = photo_reencode(data)
        thumbnail = photo_thumbnail(clean)
    except FileNotFoundError:
        return _photo_failed(photo_id=photo_id, upload=upload, code="missing", now=now)
    except PhotoError as error:
        return _photo_failed(photo_id=photo_id, upload=upload, code=error.code, now=now)
    names = [
        default_storage.save(f"reports/photos/{photo.name}", ContentFile(clean.data)),
        default_storage.save(f"reports/thumbnails/{photo.name}", ContentFile(thumbnail.data)),
    ]
    with transaction.atomic():
        locked = ReportPhoto.objects.select_for_update().filter(pk=photo_id).first()
        if locked is None or locked.state != ReportPhoto.State.PROCESSING:
            # Deleted (erasure, retention) or processed by another worker meanwhile: our copies are no one's.
            photo_files_delete_on_commit(names)
            return "gone"
        locked.image.name, locked.thumbnail.name = names
        locked.width, locked.height = clean.width, clean.height
        locked.state = ReportPhoto.State.READY
        locked.processed_at = now
        locked.save(update_fields=["image", "thumbnail", "width", "height", "state", "processed_at"])
        photo_files_delete_on_commit([upload])
    return locked.state


@transaction.atomic
def _photo_failed(*, photo_id: int, upload: str, code: str, now: dt.datetime) -> str:
    locked = ReportPhoto.objects.select_for_update().select_related("report").filter(pk=photo_id).first()
    if locked is None or locked.state != ReportPhoto.State.PROCESSING:
        return "gone"
    locked.image.name = ""
    locked.state = ReportPhoto.State.FAILED
    locked.processed_at = now
    locked.save(update_fields=["image", "state", "processed_at"])
    audit_record(
        actor=None,
        action=AuditEntry.Action.UPDATE,
        instance=locked.report,
        changes={"photo": [locked.name, None]},
        reason=_("Bilden kunde inte bearbetas och togs bort (%(code)s).") % {"code": code},
    )
    logger.warning(
        "Photo %s of report %s could not be re-encoded (%s); its upload was removed.",
        locked.pk,
        locked.report.reference,
        code,
    )
    photo_files_delete_on_commit([upload])
    return locked.state


def _photos_process_enqueue(photos: Sequence[ReportPhoto]) -> None:
    from .tasks import report_photo_process_task

    # Queued in the transaction that stores the rows: with the database backend the task exists exactly when the
    # report does (the immediate backend of development and tests runs it at once).
    for photo in photos:
        report_photo_process_task.enqueue(photo_id=photo.pk)


def place_normalize(text: str) -> str:
    """The form of a place name that lookups compare: case, diacritics, punctuation and spacing folded away
    ("Södra  Esplanaden" and "sodra esplanaden" are one name), and a house number's letter joined to its number
    ("12 A" and "12a")."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    spaced = re.sub(r"\s+", " ", re.sub(r"[^\w\s]|_", " ", folded)).strip()
    return re.sub(r"\b(\d+) ([a-z])\b", r"\1\2", spaced)


# ------------------------------------------------------------------- kept photos
# Photos chosen in a form that was refused (a missing field, a place outside the municipality) or that stops at a
# confirmation step (an emergency warning, a possible duplicate) are kept privately under the submission id, each
# under an unguessable token, so that the resident does not have to choose them again. The web view ties the tokens
# to the visitor's session; `cleanup_media` removes what is abandoned (trygg.core.media.IN_FLIGHT).


@dataclass(frozen=True)
class KeptPhoto:
    token: str
    # The file's name on the resident's device, shown back to them ("Bilden är kvar: IMG_0412.jpg"); never stored
    # anywhere but in their session.
    name: str


def _pending_dir(submission_id: uuid.UUID) -> str:
    return f"{_PENDING_DIR}/{submission_id.hex}"


def _kept_path(submission_id: uuid.UUID, token: str) -> str | None:
    return f"{_pending_dir(submission_id)}/{token}" if _TOKEN.match(token) else None


def photos_keep(*, submission_id: uuid.UUID, photos: Sequence[tuple[str, CheckedPhoto]]) -> list[KeptPhoto]:
    """Keep checked uploads (with the names they had) for the submission's next post."""
    kept = []
    for name, photo in photos:
        token = secrets.token_hex(16)
        default_storage.save(f"{_pending_dir(submission_id)}/{token}", ContentFile(photo.data))
        kept.append(KeptPhoto(token=token, name=name))
    return kept


def photos_kept_present(*, submission_id: uuid.UUID, photos: Sequence[KeptPhoto]) -> list[KeptPhoto]:
    """The kept photos whose files are still there (`cleanup_media` takes abandoned ones)."""
    present = []
    for photo in photos:
        path = _kept_path(submission_id, photo.token)
        if path is not None and default_storage.exists(path):
            present.append(photo)
    return present


def photos_kept_discard(*, submission_id: uuid.UUID, tokens: Iterable[str]) -> None:
    """The resident chose to remove kept photos."""
    for token in tokens:
        path = _kept_path(submission_id, token)
        if path is not None:
            default_storage.delete(path)


def _photos_kept_take(submission_id: uuid.UUID, tokens: Sequence[str]) -> list[CheckedPhoto]:
    taken, paths = [], []
    for token in tokens:
        path = _kept_path(submission_id, token)
        if path is None:
            continue
        try:
            with default_storage.open(path, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            continue  # taken by `cleanup_media` as abandoned a moment ago
        try:
            taken.append(photo_check(data))
        except PhotoError:
            continue
        paths.append(path)
    # Only once the report is stored: a refused or rolled-back submission keeps its photos for the next try.
    photo_files_delete_on_commit(paths)
    return taken


# -------------------------------------------------------------------------- intake
# One way in: the web form, Open311 and anything later all file through `report_submit`, which checks everything
# once. Its ValidationError carries the field each message belongs to ("description", "place", "category",
# "reporter_email", "attributes"), so the form shows it beside the field and Open311 names the parameter.

DESCRIPTION_MAX_LENGTH = 4000  # the Open311 GeoReport v2 limit, for every channel
NAME_MAX_LENGTH = 120
PLACE_NAME_MAX_LENGTH = 200


def emergency_notice() -> str:
    """Shown with a report whose text reads like an emergency: filed all the same, with this advice."""
    return _(
        "Texten låter som att det kan vara akut. Vid akut fara eller ett pågående brott: ring 112. "
        "Vill du anmäla ett brott eller tipsa polisen: ring 114 14 eller gå till polisen.se. "
        "Felanmälan är inte en polisanmälan."
    )


@dataclass(frozen=True)
class Submitted:
    report: Report
    created: bool
    # Words that made the text read like an emergency; the report is filed with `notice` (the 112 advice).
    emergency_words: tuple[str, ...] = ()
    notice: str = ""


class NeedsConfirmation(Exception):
    """Nothing was filed: the resident should see the emergency advice or the reports nearby first."""

    def __init__(self, *, emergency_words: list[str], duplicates: list[Any]) -> None:
        self.emergency_words = emergency_words
        self.duplicates = duplicates
        super().__init__("confirmation needed")


@dataclass(frozen=True)
class CleanSubmission:
    description: str
    place_name: str
    reporter_name: str
    reporter_email: str
    offensive: bool
    emergency_words: tuple[str, ...]


def report_submission_clean(
    *,
    municipality: Municipality,
    category: ReportCategory,
    description: str,
    latitude: float,
    longitude: float,
    place_name: str = "",
    reporter_name: str = "",
    reporter_email: str = "",
    attributes: Mapping[str, str] | None = None,
) -> CleanSubmission:
    """Every check a new report passes, whichever channel it came through; raises ValidationError by field."""
    errors: dict[str, list[str]] = {}
    if category.municipality_id != municipality.pk or not category.is_active:
        errors.setdefault("category", []).append(_("Kategorin finns inte i kommunen."))
    description = without_control_characters(description).strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        errors.setdefault("description", []).append(
            _("Beskrivningen får vara högst %(max)d tecken (nu %(count)d).")
            % {"max": DESCRIPTION_MAX_LENGTH, "count": len(description)}
        )
    if not boundaries.is_valid_point(latitude, longitude):
        errors.setdefault("place", []).append(_("Platsen är ingen giltig punkt på kartan."))
    elif not boundaries.point_in_municipality(
        scb_code=municipality.scb_code,
        latitude=latitude,
        longitude=longitude,
        tolerance_m=settings.REPORTS_BOUNDARY_TOLERANCE_M,
    ):
        errors.setdefault("place", []).append(
            _(
                "Platsen ligger utanför %(name)s. Välj en plats i kommunen; andra kommuner tar emot sina egna felanmälningar."
            )
            % {"name": municipality.name}
        )
    reporter_name = " ".join(without_control_characters(reporter_name).split())[:NAME_MAX_LENGTH]
    place_name = " ".join(without_control_characters(place_name).split())[:PLACE_NAME_MAX_LENGTH]
    reporter_email = without_control_characters(reporter_email).strip()
    if reporter_email:
        try:
            validate_email(reporter_email)
        except ValidationError:
            errors.setdefault("reporter_email", []).append(_("Ange en giltig e-postadress."))
    offensive = False
    if "category" not in errors:
        try:
            offensive = attributes_clean(category=category, given=attributes or {}).offensive
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return CleanSubmission(
        description=description,
        place_name=place_name,
        reporter_name=reporter_name,
        reporter_email=reporter_email,
        offensive=offensive,
        emergency_words=tuple(reads_like_emergency(description)),
    )


@transaction.atomic
def report_submit(
    *,
    municipality: Municipality,
    category: ReportCategory,
    description: str,
    latitude: float,
    longitude: float,
    place_name: str = "",
    photos: Sequence[CheckedPhoto] = (),
    kept_photos: Sequence[str] = (),
    reporter_name: str = "",
    reporter_email: str = "",
    submission_id: uuid.UUID,
    attributes: Mapping[str, str] | None = None,
    source: str = Report.Source.WEB,
    open311_key: Open311Key | None = None,
    emergency_advice_seen: bool = True,
    duplicates_seen: bool = True,
    now: dt.datetime | None = None,
) -> Submitted:
    """File a report once: a second post with the same submission id returns the first report.

    `photos` are checked uploads and `kept_photos` the tokens of photos kept from the submission's earlier post
    (`photos_keep`); both are stored privately and re-encoded by the task worker (`report_photo_process`).

    With `emergency_advice_seen=False` (the web form's first post) a text that reads like an emergency raises
    NeedsConfirmation instead of filing, as does an open report of the same kind nearby with
    `duplicates_seen=False`. Otherwise an emergency-sounding report is filed with the 112 advice in its first
    public history entry (Open311's status_notes) and in `Submitted.notice`.
    """
    existing = Report.objects.filter(submission_id=submission_id).first()
    if existing is not None:
        return Submitted(existing, False)
    clean = report_submission_clean(
        municipality=municipality,
        category=category,
        description=description,
        latitude=latitude,
        longitude=longitude,
        place_name=place_name,
        reporter_name=reporter_name,
        reporter_email=reporter_email,
        attributes=attributes,
    )
    if not (emergency_advice_seen and duplicates_seen):
        from .selectors import report_duplicates  # selectors import this module

        duplicates = (
            []
            if duplicates_seen
            else report_duplicates(
                category=category, latitude=latitude, longitude=longitude, submission_id=submission_id
            )
        )
        words = [] if emergency_advice_seen else list(clean.emergency_words)
        if words or duplicates:
            raise NeedsConfirmation(emergency_words=words, duplicates=duplicates)
    all_photos = [*_photos_kept_take(submission_id, kept_photos), *photos]
    if len(all_photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("Högst %(count)d bilder.") % {"count": MAX_PHOTOS}})
    now = now or timezone.now()
    public_latitude, public_longitude = geo.snap_to_grid(latitude, longitude)
    report = Report(
        municipality=municipality,
        category=category,
        reference=_new_reference(timezone.localtime(now).year),
        description=clean.description,
        offensive=clean.offensive,
        place_name=clean.place_name,
        latitude=latitude,
        longitude=longitude,
        public_latitude=public_latitude,
        public_longitude=public_longitude,
        reporter_name=clean.reporter_name,
        reporter_email=clean.reporter_email,
        submission_id=submission_id,
        source=source,
        open311_key=open311_key,
        created_at=now,
        due_at=report_due_at(category=category, offensive=clean.offensive, start=now),
    )
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        # Two posts of the same form raced past the check above; the other one won.
        winner = Report.objects.filter(submission_id=submission_id).first()
        if winner is None:
            raise
        return Submitted(winner, False)
    _photos_process_enqueue([_store_photo(report, photo) for photo in all_photos])
    notice = emergency_notice() if clean.emergency_words else ""
    note = " ".join(part for part in (_("Felanmälan inkom."), notice) if part)
    ReportEvent.objects.create(report=report, at=now, state_to=Report.State.NEW, note=note)
    audit_record(
        actor=None,
        action=AuditEntry.Action.CREATE,
        instance=report,
        changes={"state": [None, report.state], "category": [None, category.slug], "source": [None, source]},
    )
    from .following import report_receipt  # following imports this module

    report_receipt(report=report)
    return Submitted(report, True, emergency_words=clean.emergency_words, notice=notice)


def report_follow(*, report: Report, email: str) -> bool:
    """Ask to follow a report (double opt-in): see trygg.reports.following."""
    from .following import report_follow as follow

    return follow(report=report, email=email)


# -------------------------------------------------------------------------- staff


def _notify(report: Report, note: str) -> None:
    from .following import report_notify

    report_notify(report=report, note=note)


_AUDITED_FIELDS = (
    "state",
    "public_reason",
    "police_report_number",
    "assigned_party",
    "assigned_user",
    "is_public",
    "offensive",
    "category",
    "due_at",
)


def _snapshot(report: Report) -> dict[str, object]:
    return {
        "state": report.state,
        "public_reason": report.public_reason,
        "police_report_number": report.police_report_number,
        "assigned_party": report.assigned_party_id,
        "assigned_user": report.assigned_user_id,
        "is_public": report.is_public,
        "offensive": report.offensive,
        "category": report.category_id,
        "due_at": report.due_at.isoformat() if report.due_at else None,
    }


def _apply_state(report: Report, state: str, now: dt.datetime) -> None:
    if report.received_at is None and state != Report.State.NEW:
        report.received_at = now
    if state == Report.State.POLICE_REPORTED and report.police_reported_at is None:
        report.police_reported_at = now
    if state in Report.State.final_states():
        report.resolved_at = now
    else:
        report.resolved_at = None
    report.state = state


@transaction.atomic
def report_change(
    *,
    report: Report,
    by: User,
    state: str | None = None,
    note: str = "",
    police_report_number: str | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """Change a report's state and/or police report number, with a public note for its history.

    "Ej åtgärdad" and "inte kommunens ansvar" need a public reason; "polisanmäld" needs the police
    report number (given now or before). Entering a number on an open report marks it police-reported.
    A recorded number is kept through every later change: a blank ``police_report_number`` changes nothing.
    """
    # Lock the report row alone: PostgreSQL cannot lock the nullable side of the key's outer join.
    locked = (
        Report.objects.select_for_update(of=("self",))
        .select_related("municipality", "category", "open311_key")
        .get(pk=report.pk)
    )
    municipality = locked.municipality
    now = now or timezone.now()
    note = note.strip()
    before = _snapshot(locked)
    old_state = locked.state

    # A blank number means "not given": a form or channel that leaves the field out or empty must never wipe
    # the K-nummer already recorded. A wrong number is corrected by giving the right one.
    number = (police_report_number or "").strip()
    if number and number != locked.police_report_number:
        if not rules.can_set_police_report_number(by, municipality):
            raise PermissionDenied
        locked.police_report_number = number
        if state is None and locked.is_open:
            state = Report.State.POLICE_REPORTED
        if locked.police_reported_at is None:
            locked.police_reported_at = now

    if state is not None and state != old_state:
        if state not in Report.State.values:
            raise ValidationError(_("Okänd status."))
        # Marking a report police-reported is the police number's own consequence; other states need handlers.
        number_only = state == Report.State.POLICE_REPORTED and bool(number)
        if not (rules.can_change_report_state(by, municipality) or number_only):
            raise PermissionDenied
        if state in Report.State.needs_reason() and not note:
            raise ValidationError(_("Skriv en motivering som visas för allmänheten."))
        if state == Report.State.POLICE_REPORTED and not locked.police_report_number:
            raise ValidationError(_("Ange polisens diarienummer (K-nummer) för att markera som polisanmäld."))
        _apply_state(locked, state, now)
        if state in Report.State.needs_reason():
            locked.public_reason = note

    if note and not rules.can_write_public_note(by, locked):
        raise PermissionDenied
    after = _snapshot(locked)
    changes = audit_changes(before=before, after=after, fields=_AUDITED_FIELDS)
    if not changes and not note:
        return locked
    locked.save()
    event = ReportEvent.objects.create(
        report=locked,
        at=now,
        state_from=old_state if locked.state != old_state else "",
        state_to=locked.state if locked.state != old_state else "",
        note=note,
        by=by,
    )
    audit_record(actor=by, action=AuditEntry.Action.UPDATE, instance=locked, changes=changes, reason=note)
    if event.state_to or note:
        _notify(locked, note)
    return locked


@transaction.atomic
def report_assign(
    *, report: Report, by: User, party: Party | None, user: User | None, now: dt.datetime | None = None
) -> Report:
    locked = (
        Report.objects.select_for_update(of=("self",))
        .select_related("municipality", "open311_key")
        .get(pk=report.pk)
    )
    if not rules.can_assign_reports(by, locked.municipality):
        raise PermissionDenied
    if party is not None and party.municipality_id not in (None, locked.municipality_id):
        raise ValidationError(_("Parten hör inte till kommunen."))
    if user is not None and not rules.can_view_reports(user, locked.municipality):
        raise ValidationError(_("Personen arbetar inte i kommunen."))
    before = _snapshot(locked)
    locked.assigned_party = party
    locked.assigned_user = user
    changes = audit_changes(before=before, after=_snapshot(locked), fields=_AUDITED_FIELDS)
    if not changes:
        return locked
    now = now or timezone.now()
    if locked.received_at is None:
        locked.received_at = now
    old_state = locked.state
    if locked.state == Report.State.NEW:
        locked.state = Report.State.RECEIVED
        changes["state"] = [old_state, locked.state]
    locked.save()
    # Who does the work is public only as the organisation, never as a person.
    note = (
        _("Ärendet har lämnats till %(party)s.") % {"party": party.name}
        if party is not None
        else _("Ärendet har fått en ny handläggare.")
    )
    ReportEvent.objects.create(
        report=locked,
        at=now,
        state_from=old_state if old_state != locked.state else "",
        state_to=locked.state if old_state != locked.state else "",
        note=note,
        by=by,
    )
    audit_record(actor=by, action=AuditEntry.Action.UPDATE, instance=locked, changes=changes)
    _notify(locked, note)
    return locked


@transaction.atomic
def report_update_details(
    *,
    report: Report,
    by: User,
    category: ReportCategory | None = None,
    offensive: bool | None = None,
    is_public: bool | None = None,
) -> Report:
    """Correct the category or the offensive flag (the due time follows) or hide a report from the public."""
    locked = Report.objects.select_for_update().select_related("municipality", "category").get(pk=report.pk)
    if not rules.can_change_report_state(by, locked.municipality):
        raise PermissionDenied
    before = _snapshot(locked)
    if category is not None:
        if category.municipality_id != locked.municipality_id:
            raise ValidationError(_("Kategorin hör inte till kommunen."))
        locked.category = category
    if offensive is not None:
        locked.offensive = offensive
    if is_public is not None:
        locked.is_public = is_public
    locked.due_at = report_due_at(
        category=locked.category, offensive=locked.offensive, start=locked.created_at
    )
    changes = audit_changes(before=before, after=_snapshot(locked), fields=_AUDITED_FIELDS)
    if changes:
        locked.save()
        audit_record(actor=by, action=AuditEntry.Action.UPDATE, instance=locked, changes=changes)
    return locked


def report_bulk_change(
    *, reports: Iterable[Report], by: User, state: str, note: str = "", now: dt.datetime | None = None
) -> int:
    """Change many reports at once; all or nothing. Each report gets its own history entry and audit record."""
    with transaction.atomic():
        changed = 0
        for report in reports:
            if not rules.can_bulk_change_reports(by, report.municipality):
                raise PermissionDenied
            before = report.state
            updated = report_change(report=report, by=by, state=state, note=note, now=now)
            changed += updated.state != before
        return changed


def report_bulk_assign(*, reports: Iterable[Report], by: User, party: Party | None) -> int:
    with transaction.atomic():
        count = 0
        for report in reports:
            if not rules.can_bulk_change_reports(by, report.municipality):
                raise PermissionDenied
            report_assign(report=report, by=by, party=party, user=None)
            count += 1
        return count


def report_contact_view(*, report: Report, by: User) -> dict[str, str]:
    """The reporter's contact data; the look itself is written to the audit log."""
    if not rules.can_view_reporter_contact(by, report.municipality):
        raise PermissionDenied
    audit_record(
        actor=by,
        action=AuditEntry.Action.VIEW,
        instance=report,
        changes={"fields": ["reporter_name", "reporter_email"]},
        reason=_("Visade anmälarens kontaktuppgifter"),
    )
    security_event("contact_viewed", report=str(report.pk), staff=str(by.pk))
    return {"name": report.reporter_name, "email": report.reporter_email}


# --------------------------------------------------------------------- gazetteer


@dataclass(frozen=True)
class PlaceRow:
    line: int
    name: str
    kind: str
    latitude: float
    longitude: float
    locality: str = ""


@transaction.atomic
def places_import(
    *, municipality: Municipality, rows: Iterable[PlaceRow], audited: bool = True
) -> tuple[int, int]:
    """Create or update gazetteer entries by (name, kind, locality); returns (created, updated). The import is
    audited unless `audited` is False (the demo loader, whose example data is nobody's action).

    Three queries and two bulk writes whatever the number of rows (an OpenStreetMap extract has tens of
    thousands of addresses); a row repeated in the input counts once, the last one winning."""
    wanted: dict[tuple[str, str, str], PlaceRow] = {}
    for row in rows:
        wanted[(row.name, row.kind, row.locality)] = row
    existing = {
        (place.name, place.kind, place.locality): place
        for place in Place.objects.filter(municipality=municipality)
    }
    new, changed = [], []
    for key, row in wanted.items():
        place = existing.get(key)
        values = {
            "normalized": place_normalize(row.name),
            "latitude": row.latitude,
            "longitude": row.longitude,
        }
        if place is None:
            new.append(
                Place(
                    municipality=municipality, name=row.name, kind=row.kind, locality=row.locality, **values
                )
            )
        elif any(getattr(place, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(place, name, value)
            changed.append(place)
    Place.objects.bulk_create(new, batch_size=1000)
    Place.objects.bulk_update(changed, ["normalized", "latitude", "longitude"], batch_size=1000)
    created, updated = len(new), len(wanted) - len(new)
    if not audited:
        return created, updated
    audit_record(
        actor=None,
        action=AuditEntry.Action.UPDATE,
        instance=municipality,
        changes={"places_created": created, "places_updated": updated},
        reason="import_gazetteer",
    )
    return created, updated


# -------------------------------------------------------------------- categories


@transaction.atomic
def report_categories_ensure_defaults(*, municipality: Municipality) -> int:
    """Create the default categories that are missing; what staff changed stays as it is."""
    problems = {problem.slug: problem for problem in Problem.objects.all()}
    created = 0
    for order, default in enumerate(DEFAULT_CATEGORIES, start=1):
        _category, was_created = ReportCategory.objects.get_or_create(
            municipality=municipality,
            slug=default.slug,
            defaults={
                "name": default.name,
                "description": default.description,
                "problem": problems.get(default.problem) if default.problem else None,
                "response_time": default.response_time,
                "response_unit": default.response_unit,
                "offensive_response_hours": default.offensive_response_hours,
                "duplicate_radius_m": default.duplicate_radius_m,
                "order": order,
            },
        )
        created += was_created
    return created


@dataclass(frozen=True)
class CategoryDetails:
    """What staff set on a report category. The code (slug) is the Open311 service code."""

    name: str
    slug: str
    response_time: int
    response_unit: str
    description: str = ""
    problem: Problem | None = None
    offensive_response_hours: int | None = None
    duplicate_radius_m: int = 100
    is_active: bool = True
    order: int = 0
    activities: Sequence[Activity] = ()


_CATEGORY_FIELDS = (
    "name",
    "slug",
    "description",
    "problem",
    "response_time",
    "response_unit",
    "offensive_response_hours",
    "duplicate_radius_m",
    "is_active",
    "order",
    "activities",
)


def _category_snapshot(category: ReportCategory, activities: Iterable[int]) -> dict[str, object]:
    values: dict[str, object] = {name: getattr(category, name) for name in _CATEGORY_FIELDS[:-1]}
    values["problem"] = category.problem_id
    values["activities"] = sorted(activities)
    return values


def _category_apply(
    category: ReportCategory, municipality: Municipality, details: CategoryDetails, *, has_reports: bool
) -> None:
    name, slug = details.name.strip(), details.slug.strip()
    if not name:
        raise ValidationError({"name": _("Ge kategorin ett namn.")})
    if slug != category.slug and has_reports:
        raise ValidationError(
            {"slug": _("Koden kan inte ändras när kategorin har felanmälningar: andra system använder den.")}
        )
    if ReportCategory.objects.filter(municipality=municipality, slug=slug).exclude(pk=category.pk).exists():
        raise ValidationError({"slug": _("Kommunen har redan en kategori med den koden.")})
    if details.response_unit not in ReportCategory.Unit.values:
        raise ValidationError({"response_unit": _("Välj timmar eller arbetsdagar.")})
    if details.response_time < 1:
        raise ValidationError({"response_time": _("Åtgärdstiden är minst 1.")})
    if details.offensive_response_hours is not None and details.offensive_response_hours < 1:
        raise ValidationError({"offensive_response_hours": _("Åtgärdstiden är minst 1 timme, eller tom.")})
    for activity in details.activities:
        if activity.focus_area.promise.municipality_id != municipality.pk:
            raise ValidationError({"activities": _("Aktiviteten hör till en annan kommun.")})
    category.name = name[:100]
    category.slug = slug
    category.description = details.description.strip()[:300]
    category.problem = details.problem
    category.response_time = details.response_time
    category.response_unit = details.response_unit
    category.offensive_response_hours = details.offensive_response_hours
    category.duplicate_radius_m = details.duplicate_radius_m
    category.is_active = details.is_active
    category.order = details.order
    try:
        category.full_clean(exclude=["municipality", "problem", "activities"])
    except ValidationError as error:
        raise ValidationError(error.message_dict) from None


@transaction.atomic
def report_category_create(
    *, municipality: Municipality, by: User, details: CategoryDetails
) -> ReportCategory:
    if not rules.can_manage_report_categories(by, municipality):
        raise PermissionDenied
    category = ReportCategory(municipality=municipality)
    _category_apply(category, municipality, details, has_reports=False)
    category.save()
    category.activities.set(details.activities)
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        instance=category,
        changes={
            name: [None, value]
            for name, value in _category_snapshot(category, [a.pk for a in details.activities]).items()
            if value not in ("", None, [])
        },
    )
    return category


@transaction.atomic
def report_category_update(*, category: ReportCategory, by: User, details: CategoryDetails) -> ReportCategory:
    """Change a category. A new response time applies to reports filed from now on: a report keeps the
    deadline it was given when it came in."""
    locked = ReportCategory.objects.select_for_update().select_related("municipality").get(pk=category.pk)
    if not rules.can_manage_report_categories(by, locked.municipality):
        raise PermissionDenied
    before = _category_snapshot(locked, locked.activities.values_list("pk", flat=True))
    _category_apply(locked, locked.municipality, details, has_reports=locked.reports.exists())
    after = _category_snapshot(locked, [activity.pk for activity in details.activities])
    changes = audit_changes(before=before, after=after, fields=_CATEGORY_FIELDS)
    if not changes:
        raise ValidationError(_("Inget ändrades."))
    locked.save()
    locked.activities.set(details.activities)
    audit_record(actor=by, action=AuditEntry.Action.UPDATE, instance=locked, changes=changes)
    return locked


# ------------------------------------------------------------------------ Open311


def open311_key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def open311_key_create(
    *, municipality: Municipality, name: str, by: User | None, notify_reporters: bool = False
) -> tuple[Open311Key, str]:
    """A new api_key; the raw key is returned once and never stored."""
    raw = "o311_" + secrets.token_urlsafe(32)
    key = Open311Key.objects.create(
        municipality=municipality,
        name=name,
        prefix=raw[:12],
        key_hash=open311_key_hash(raw),
        notify_reporters=notify_reporters,
    )
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        instance=key,
        changes={"name": [None, name], "notify_reporters": [None, notify_reporters]},
    )
    return key, raw


@transaction.atomic
def open311_key_revoke(*, key: Open311Key, by: User | None) -> Open311Key:
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    audit_record(actor=by, action=AuditEntry.Action.UPDATE, instance=key, changes={"revoked": [False, True]})
    return key
