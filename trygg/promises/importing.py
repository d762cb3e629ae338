"""From a promise text to a draft Promise in the database: the Django side of parsing.py.

The command `import_promise` and the staff import page both go through `draft_from_parsed` (what the parser
found, in the shape of the models) and `promise_import` (one transaction that writes it, audited).
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from trygg.audit.models import AuditEntry
from trygg.audit.services import audit_record
from trygg.core.validators import validate_not_reserved
from trygg.municipalities.models import Municipality, Party

from .findings import EXPLANATIONS, Finding
from .models import Activity, FocusArea, Promise
from .parsing import GENERIC_MUNICIPALITY, POLICE, ParsedPromise, Period, check_activity
from .readers import SUPPORTED_SUFFIXES

# A Word or PDF promise is a few hundred kilobytes; anything far larger is not a promise.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_TEXT_CHARS = 500_000
ALLOWED_SUFFIXES = SUPPORTED_SUFFIXES

Actor = AbstractBaseUser | AnonymousUser | None


@dataclass
class ActivityDraft:
    text: str
    parties: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    quantity: int | None = None
    quantity_max: int | None = None
    at_least: bool = False
    unit: str = ""
    per: str = ""
    target_group: str = ""
    place: str = ""


@dataclass
class FocusAreaDraft:
    title: str
    description: str = ""
    activities: list[ActivityDraft] = field(default_factory=list)


@dataclass
class PromiseDraft:
    title: str
    slug: str
    valid_from: dt.date | None
    valid_until: dt.date | None
    focus_areas: list[FocusAreaDraft] = field(default_factory=list)
    # The municipality the text itself names ("Ljungby kommun"), to warn when it is not the chosen one.
    text_municipality: str | None = None

    @property
    def activity_count(self) -> int:
        return sum(len(area.activities) for area in self.focus_areas)


def no_activities_error() -> ValidationError:
    return ValidationError(
        _(
            "Inga aktiviteter hittades i texten. Kontrollera att fokusområdena har rubriker och att "
            "aktiviteterna står som punkter eller som meningar med ”ska”, ”lovar” eller ”genomför”."
        ),
        code="no_activities",
    )


def period_years(valid_from: dt.date, valid_until: dt.date) -> str:
    if valid_from.year == valid_until.year:
        return str(valid_from.year)
    return f"{valid_from.year}-{valid_until.year}"


def default_title(*, municipality: Municipality, valid_from: dt.date, valid_until: dt.date) -> str:
    years = period_years(valid_from, valid_until).replace("-", "–")
    return _("Medborgarlöfte %(years)s i %(municipality)s") % {
        "years": years,
        "municipality": municipality.name,
    }


def _canonical_party(name: str, *, municipality: Municipality, text_municipality: str | None) -> str:
    # The parser says "Kommunen" when the text never names its kommun; the chosen municipality is that kommun.
    folded = name.casefold()
    if folded == GENERIC_MUNICIPALITY.casefold() or (
        text_municipality and folded == text_municipality.casefold()
    ):
        return municipality.name
    return name


def _clip(value: str | None, length: int) -> str:
    return (value or "").strip()[:length]


def draft_from_parsed(
    *,
    parsed: ParsedPromise,
    municipality: Municipality,
    slug: str | None = None,
    title: str | None = None,
    period: Period | None = None,
) -> PromiseDraft:
    """The parse in the shape of the models; `period` (when given) wins over the one in the text."""
    if not parsed.activities:
        raise no_activities_error()
    period = period or parsed.period
    valid_from, valid_until = (period.start, period.end) if period else (None, None)
    if not slug and valid_from and valid_until:
        slug = period_years(valid_from, valid_until)
    if not title and valid_from and valid_until:
        title = default_title(municipality=municipality, valid_from=valid_from, valid_until=valid_until)

    def canonical(names: list[str]) -> list[str]:
        result: list[str] = []
        for name in names:
            resolved = _canonical_party(
                name, municipality=municipality, text_municipality=parsed.municipality
            )
            if resolved not in result:
                result.append(resolved)
        return result

    focus_areas = []
    for number, area in enumerate(parsed.focus_areas, start=1):
        activities = []
        for activity in area.activities:
            parties = canonical(activity.parties)
            activities.append(
                ActivityDraft(
                    text=activity.text,
                    parties=parties,
                    partners=[name for name in canonical(activity.partners) if name not in parties],
                    quantity=activity.quantity,
                    quantity_max=activity.quantity_max,
                    at_least=activity.at_least,
                    unit=_clip(activity.unit, 60),
                    per=activity.per or "",
                    target_group=_clip(activity.target_group, 300),
                    place=_clip(activity.place, 300),
                )
            )
        area_title = _clip(area.title, 200) or _("Fokusområde %(number)s") % {"number": number}
        focus_areas.append(
            FocusAreaDraft(title=area_title, description=area.description, activities=activities)
        )
    return PromiseDraft(
        title=_clip(title, 200),
        slug=slug or "",
        valid_from=valid_from,
        valid_until=valid_until,
        focus_areas=focus_areas,
        text_municipality=parsed.municipality,
    )


def draft_findings(*, activity: ActivityDraft, promise_has_period: bool) -> list[Finding]:
    """The measurability check on an activity that is not saved yet, explained as on the staff promise page."""
    codes = check_activity(
        text=activity.text,
        parties=activity.parties,
        quantity=activity.quantity,
        quantity_max=activity.quantity_max,
        per=activity.per or None,
        promise_has_period=promise_has_period,
    )
    return [Finding(code=code, explanation=str(EXPLANATIONS.get(code, code))) for code in codes]


def split_names(value: str) -> list[str]:
    """Party names as staff type them: separated by commas, semicolons or line breaks."""
    names: list[str] = []
    for name in re.split(r"[,;\n]", value):
        name = " ".join(name.split())
        if name and name.casefold() not in {existing.casefold() for existing in names}:
            names.append(name)
    return names


# ---------------------------------------------------------------------------------------------------
# Writing


class _PartyResolver:
    """Party rows for the names the parser (or staff) gave, created where missing, once per name."""

    def __init__(self, *, municipality: Municipality, actor: Actor, reason: str) -> None:
        self.municipality = municipality
        self.actor = actor
        self.reason = reason
        self.cache: dict[str, Party] = {}

    def resolve(self, name: str) -> Party:
        name = " ".join(name.split())[:200]
        key = name.casefold()
        if key not in self.cache:
            if key in {self.municipality.name.casefold(), GENERIC_MUNICIPALITY.casefold()}:
                self.cache[key] = self._municipality_party()
            elif key == POLICE.casefold():
                self.cache[key] = self._police_party()
            else:
                self.cache[key] = self._other_party(name)
        return self.cache[key]

    def _created(self, party: Party) -> Party:
        audit_record(
            actor=self.actor,
            action=AuditEntry.Action.CREATE,
            instance=party,
            changes={"name": [None, party.name], "kind": [None, party.kind]},
            reason=self.reason,
        )
        return party

    def _municipality_party(self) -> Party:
        candidates = Party.objects.filter(municipality=self.municipality, kind=Party.Kind.MUNICIPALITY)
        party = (
            candidates.filter(name__iexact=self.municipality.name).first()
            or candidates.order_by("pk").first()
        )
        if party is not None:
            return party
        return self._created(
            Party.objects.create(
                municipality=self.municipality, name=self.municipality.name, kind=Party.Kind.MUNICIPALITY
            )
        )

    def _police_party(self) -> Party:
        candidates = Party.objects.filter(kind=Party.Kind.POLICE).filter(
            Q(police_area__municipalities=self.municipality) | Q(municipality=self.municipality)
        )
        party = (
            candidates.filter(name__iexact=POLICE).order_by("pk").first() or candidates.order_by("pk").first()
        )
        if party is not None:
            return party
        police_area = self.municipality.police_areas.order_by("name").first()
        # Without a police area the party belongs to the municipality, so that it is still found next time.
        return self._created(
            Party.objects.create(
                name=POLICE,
                kind=Party.Kind.POLICE,
                police_area=police_area,
                municipality=None if police_area else self.municipality,
            )
        )

    def _other_party(self, name: str) -> Party:
        party = Party.objects.filter(municipality=self.municipality, name__iexact=name).order_by("pk").first()
        if party is not None:
            return party
        return self._created(
            Party.objects.create(municipality=self.municipality, name=name, kind=Party.Kind.OTHER)
        )


def _unique_slug(title: str, used: set[str]) -> str:
    base = slugify(title).replace("_", "-")
    base = re.sub(r"-{2,}", "-", base).strip("-")[:70].strip("-") or "fokusomrade"
    try:
        validate_not_reserved(base)
    except ValidationError:
        base = f"{base}-omrade"
    slug, number = base, 2
    while slug in used:
        slug, number = f"{base}-{number}", number + 1
    used.add(slug)
    return slug


def _where(focus_area: int, activity: int | None = None) -> str:
    if activity is None:
        return _("Fokusområde %(focus_area)s") % {"focus_area": focus_area}
    return _("Fokusområde %(focus_area)s, aktivitet %(activity)s") % {
        "focus_area": focus_area,
        "activity": activity,
    }


def _checked(instance: FocusArea | Activity, where: str) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        messages = []
        for name, field_messages in error.message_dict.items():
            label = (
                ""
                if name == NON_FIELD_ERRORS
                else f"{getattr(instance._meta.get_field(name), 'verbose_name', name)}: "
            )
            messages += [f"{where}: {label}{message}" for message in field_messages]
        raise ValidationError(messages) from error


def _focus_area_create(
    *,
    promise: Promise,
    draft: FocusAreaDraft,
    order: int,
    slug: str,
    parties: _PartyResolver,
    actor: Actor,
    reason: str,
) -> FocusArea:
    focus_area = FocusArea(
        promise=promise, title=draft.title, slug=slug, description=draft.description, order=order
    )
    _checked(focus_area, _where(order))
    focus_area.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=focus_area,
        changes={"title": [None, focus_area.title]},
        reason=reason,
    )
    for activity_order, activity_draft in enumerate(draft.activities, start=1):
        activity = Activity(
            focus_area=focus_area,
            text=activity_draft.text,
            quantity=activity_draft.quantity,
            quantity_max=activity_draft.quantity_max,
            at_least=activity_draft.at_least,
            unit=activity_draft.unit,
            per=activity_draft.per,
            target_group=activity_draft.target_group,
            place=activity_draft.place,
            order=activity_order,
        )
        _checked(activity, _where(order, activity_order))
        activity.save()
        responsible = [parties.resolve(name) for name in activity_draft.parties]
        partners = [parties.resolve(name) for name in activity_draft.partners]
        activity.responsible_parties.set(responsible)
        activity.partners.set([party for party in partners if party not in responsible])
        audit_record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            instance=activity,
            changes={
                "text": [None, activity.text],
                "responsible_parties": [None, sorted(party.name for party in responsible)],
            },
            reason=reason,
        )
    return focus_area


@transaction.atomic
def promise_import(
    *,
    municipality: Municipality,
    draft: PromiseDraft,
    actor: Actor,
    reason: str,
    replace_draft: bool = False,
) -> Promise:
    """Create a draft promise with its focus areas and activities; all of it or, on any error, nothing.

    A published or closed promise with the same slug is never touched. An earlier draft with the same slug is
    refused too, unless `replace_draft` is set: then it is deleted (and audited) and the new one takes its place.
    """
    if draft.valid_from is None or draft.valid_until is None:
        raise ValidationError(
            {"valid_from": _("Texten säger inte vilken period löftet gäller. Ange start- och slutdatum.")},
            code="no_period",
        )
    if not draft.activity_count:
        raise no_activities_error()
    existing = Promise.objects.select_for_update().filter(municipality=municipality, slug=draft.slug).first()
    if existing is not None:
        if existing.status != Promise.Status.DRAFT:
            raise ValidationError(
                {
                    "slug": _(
                        "Det finns redan ett %(status)s löfte med adressen ”%(slug)s”. Det skrivs aldrig över: "
                        "välj en annan adress."
                    )
                    % {"status": existing.get_status_display(), "slug": draft.slug}
                },
                code="published_exists",
            )
        if not replace_draft:
            raise ValidationError(
                {
                    "slug": _(
                        "Det finns redan ett utkast med adressen ”%(slug)s”. Välj en annan adress eller ersätt "
                        "utkastet."
                    )
                    % {"slug": draft.slug}
                },
                code="draft_exists",
            )
        audit_record(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            instance=existing,
            reason=_("Ersatt av en ny import. %(reason)s") % {"reason": reason},
        )
        try:
            existing.delete()
        except ProtectedError as error:
            raise ValidationError(
                _(
                    "Utkastet ”%(slug)s” har uppföljningar eller annat som hänger ihop med det och kan inte ersättas."
                )
                % {"slug": draft.slug},
                code="draft_protected",
            ) from error
    promise = Promise(
        municipality=municipality,
        slug=draft.slug,
        title=draft.title,
        valid_from=draft.valid_from,
        valid_until=draft.valid_until,
        status=Promise.Status.DRAFT,
    )
    promise.full_clean()
    promise.save()
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=promise,
        changes={
            "slug": [None, promise.slug],
            "title": [None, promise.title],
            "status": [None, promise.status],
            "valid_from": [None, draft.valid_from.isoformat()],
            "valid_until": [None, draft.valid_until.isoformat()],
        },
        reason=reason,
    )
    parties = _PartyResolver(municipality=municipality, actor=actor, reason=reason)
    used_slugs: set[str] = set()
    for order, area_draft in enumerate(draft.focus_areas, start=1):
        _focus_area_create(
            promise=promise,
            draft=area_draft,
            order=order,
            slug=_unique_slug(area_draft.title, used_slugs),
            parties=parties,
            actor=actor,
            reason=reason,
        )
    return promise
