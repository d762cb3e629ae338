"""From a promise text to a draft Promise in the database: the Django side of parsing.py.

The command `import_promise` and the staff import page both go through `draft_from_parsed` (what the parser
found, with the introduction, background and signatories that `sections.py` reads around it, in the shape of the
models) and `promise_import` (one transaction that writes it through the promise services, audited).

Actors are matched against the municipality's parties and the police (`actors.py`); an actor that matches none
is named on the activity as a partner (`other_partners`) and never becomes a new party. Only the municipality's
own party and the police party are created, once, when the municipality has none yet.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils.translation import gettext as _

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.audit.services import audit_record
from trygg.municipalities.models import Municipality, Party

from . import selectors, services
from .actors import Candidate, match_actor
from .findings import EXPLANATIONS, Finding
from .models import Activity, FocusArea, Promise, Signatory
from .parsing import GENERIC_MUNICIPALITY, POLICE, ParsedPromise, Period, check_activity
from .readers import SUPPORTED_SUFFIXES
from .sections import promise_sections

# A Word or PDF promise is a few hundred kilobytes; anything far larger is not a promise.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_TEXT_CHARS = 500_000
ALLOWED_SUFFIXES = SUPPORTED_SUFFIXES

Actor = AbstractBaseUser | AnonymousUser | None


@dataclass
class ActivityDraft:
    text: str
    # The actors as the text names them; matched to parties when the draft is saved.
    parties: list[str] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    # The parties staff chose on the review page; when given, they win over matching the names above.
    party_ids: list[int] | None = None
    partner_ids: list[int] | None = None
    # Organisations that are not parties ("civilsamhället"), named on the activity as partners.
    other_partners: list[str] = field(default_factory=list)
    quantity: int | None = None
    quantity_max: int | None = None
    at_least: bool = False
    unit: str = ""
    per: str = ""
    target_group: str = ""
    place: str = ""


@dataclass
class SignatoryDraft:
    name: str
    role: str
    party_id: int | None = None
    signed_on: dt.date | None = None
    # "municipality" or "police" when the role says which side signs, to find the party when none is chosen.
    side: str | None = None


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
    introduction: str = ""
    background: str = ""
    signatories: list[SignatoryDraft] = field(default_factory=list)

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
    text: str = "",
    slug: str | None = None,
    title: str | None = None,
    period: Period | None = None,
) -> PromiseDraft:
    """The parse in the shape of the models; `period` (when given) wins over the one in the text.

    `text` is the text that was parsed: its introduction, background and signatories are kept on the draft."""
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
    sections = promise_sections(text, area_titles=[area.title for area in parsed.focus_areas])
    return PromiseDraft(
        title=_clip(title, 200),
        slug=slug or "",
        valid_from=valid_from,
        valid_until=valid_until,
        focus_areas=focus_areas,
        text_municipality=parsed.municipality,
        introduction=sections.introduction,
        background=sections.background,
        signatories=[
            SignatoryDraft(
                name=_clip(signatory.name, 200),
                role=_clip(signatory.role, 200),
                signed_on=signatory.signed_on,
                side=signatory.side,
            )
            for signatory in sections.signatories
        ],
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
# Actors


def _created(party: Party, *, actor: Actor, reason: str) -> Party:
    audit_record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=party,
        changes={"name": [None, party.name], "kind": [None, party.kind]},
        reason=reason,
    )
    return party


def parties_ensure_core(*, municipality: Municipality, actor: Actor, reason: str) -> None:
    """The municipality's own party and the police party of its police area, created once if missing.

    These two always sign a promise; every other actor must already be a party to be matched."""
    if not Party.objects.filter(municipality=municipality, kind=Party.Kind.MUNICIPALITY).exists():
        _created(
            Party.objects.create(
                municipality=municipality, name=municipality.name, kind=Party.Kind.MUNICIPALITY
            ),
            actor=actor,
            reason=reason,
        )
    police = Party.objects.filter(kind=Party.Kind.POLICE).filter(
        Q(police_area__municipalities=municipality) | Q(municipality=municipality)
    )
    if not police.exists():
        police_area = municipality.police_areas.order_by("name").first()
        # Without a police area the party belongs to the municipality, so that it is still found next time.
        _created(
            Party.objects.create(
                name=POLICE,
                kind=Party.Kind.POLICE,
                police_area=police_area,
                municipality=None if police_area else municipality,
            ),
            actor=actor,
            reason=reason,
        )


def party_candidates(*, municipality: Municipality) -> list[Candidate]:
    """The parties an actor may be: the municipality's own and the police of its police areas."""
    parties = selectors.municipality_parties(municipality).select_related("police_area")
    return [
        Candidate(
            id=party.pk,
            name=party.name,
            kind=party.kind,
            police_area=party.police_area.name if party.police_area else "",
        )
        for party in sorted(
            parties,
            key=lambda party: (selectors.PARTY_ORDER.get(party.kind, 2), party.name.casefold(), party.pk),
        )
    ]


@dataclass(frozen=True)
class Resolved:
    party_ids: list[int]
    unmatched: list[str]


def resolve_actors(names: list[str], *, candidates: list[Candidate], municipality: Municipality) -> Resolved:
    """Names as the text writes them → the parties they mean, and the names that are no party."""
    ids: list[int] = []
    unmatched: list[str] = []
    for name in names:
        found = match_actor(name, candidates=candidates, municipality_name=municipality.name)
        if found is None:
            if name.casefold() not in {other.casefold() for other in unmatched}:
                unmatched.append(name)
        elif found.id not in ids:
            ids.append(found.id)
    return Resolved(party_ids=ids, unmatched=unmatched)


@dataclass(frozen=True)
class ActivityActors:
    party_ids: list[int]
    partner_ids: list[int]
    other_partners: list[str]


def activity_actors(
    activity: ActivityDraft, *, candidates: list[Candidate], municipality: Municipality
) -> ActivityActors:
    """Who is responsible and who takes part: chosen parties if staff chose, else the names matched.

    A responsible actor that is no party is named as a partner: the activity then has fewer responsible
    parties (and perhaps a finding), but no near-duplicate party is ever created."""
    responsible = resolve_actors(activity.parties, candidates=candidates, municipality=municipality)
    taking_part = resolve_actors(activity.partners, candidates=candidates, municipality=municipality)
    party_ids = activity.party_ids if activity.party_ids is not None else responsible.party_ids
    partner_ids = activity.partner_ids if activity.partner_ids is not None else taking_part.party_ids
    others = list(activity.other_partners)
    if activity.party_ids is None:
        others += responsible.unmatched
    if activity.partner_ids is None:
        others += taking_part.unmatched
    named: list[str] = []
    for name in others:
        name = " ".join(name.split())
        if name and name.casefold() not in {other.casefold() for other in named}:
            named.append(name)
    return ActivityActors(
        party_ids=list(party_ids),
        partner_ids=[pk for pk in partner_ids if pk not in party_ids],
        other_partners=named,
    )


def signatory_party_id(signatory: SignatoryDraft, *, candidates: list[Candidate]) -> int | None:
    if signatory.party_id is not None:
        return signatory.party_id
    kinds = {"municipality": Party.Kind.MUNICIPALITY, "police": Party.Kind.POLICE}
    kind = kinds.get(signatory.side or "")
    return next((candidate.id for candidate in candidates if candidate.kind == kind), None)


# ---------------------------------------------------------------------------------------------------
# Writing


def _where(focus_area: int, activity: int | None = None) -> str:
    if activity is None:
        return _("Fokusområde %(focus_area)s") % {"focus_area": focus_area}
    return _("Fokusområde %(focus_area)s, aktivitet %(activity)s") % {
        "focus_area": focus_area,
        "activity": activity,
    }


def _located(error: ValidationError, where: str, model: type[Any]) -> ValidationError:
    """The service's error with the place of the draft it concerns, for the error summary."""
    messages = []
    if hasattr(error, "error_dict"):
        for name, field_errors in error.error_dict.items():
            try:
                label = f"{model._meta.get_field(name).verbose_name}: " if name != NON_FIELD_ERRORS else ""
            except FieldDoesNotExist:  # a name that is no model field gets no label
                label = ""
            messages += [f"{where}: {label}{message}" for item in field_errors for message in item.messages]
    else:
        messages = [f"{where}: {message}" for message in error.messages]
    return ValidationError(messages)


def _focus_area_create(
    *,
    promise: Promise,
    draft: FocusAreaDraft,
    order: int,
    parties: dict[int, Party],
    candidates: list[Candidate],
    actor: Actor,
    reason: str,
    today: dt.date,
) -> FocusArea:
    try:
        focus_area = services.focus_area_create_unchecked(
            promise=promise,
            by=_user(actor),
            today=today,
            title=draft.title,
            description=draft.description,
        )
    except ValidationError as error:
        raise _located(error, _where(order), FocusArea) from error
    for activity_order, activity_draft in enumerate(draft.activities, start=1):
        actors = activity_actors(activity_draft, candidates=candidates, municipality=promise.municipality)
        if any(pk not in parties for pk in [*actors.party_ids, *actors.partner_ids]):
            raise ValidationError(
                _("%(where)s: en vald part hör inte till kommunen.")
                % {"where": _where(order, activity_order)}
            )
        try:
            services.activity_create_unchecked(
                focus_area=focus_area,
                by=_user(actor),
                today=today,
                text=activity_draft.text,
                responsible_parties=[parties[pk] for pk in actors.party_ids],
                partners=[parties[pk] for pk in actors.partner_ids],
                other_partners=_clip(", ".join(actors.other_partners), 500),
                quantity=activity_draft.quantity,
                quantity_max=activity_draft.quantity_max,
                at_least=activity_draft.at_least,
                unit=activity_draft.unit,
                per=activity_draft.per,
                target_group=activity_draft.target_group,
                place=activity_draft.place,
                audit_reason=reason,
            )
        except ValidationError as error:
            raise _located(error, _where(order, activity_order), Activity) from error
    return focus_area


def _user(actor: Actor) -> User | None:
    return actor if isinstance(actor, User) else None


@transaction.atomic
def promise_import(
    *,
    municipality: Municipality,
    draft: PromiseDraft,
    actor: Actor,
    reason: str,
    today: dt.date | None = None,
    replace_draft: bool = False,
) -> Promise:
    """Create a draft promise with its signatories, focus areas and activities; all of it or, on any error, nothing.

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
    # A draft has no rättelser, so the day only dates audit-free records; the period's start is a fine default.
    today = today or draft.valid_from
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
    parties_ensure_core(municipality=municipality, actor=actor, reason=reason)
    candidates = party_candidates(municipality=municipality)
    parties = Party.objects.in_bulk([candidate.id for candidate in candidates])
    promise = services.promise_create_unchecked(
        municipality=municipality,
        by=_user(actor),
        title=draft.title,
        slug=draft.slug,
        valid_from=draft.valid_from,
        valid_until=draft.valid_until,
        introduction=draft.introduction,
        background=draft.background,
        reason=reason,
    )
    for signatory in draft.signatories:
        party_id = signatory_party_id(signatory, candidates=candidates)
        try:
            services.signatory_add_unchecked(
                promise=promise,
                by=_user(actor),
                today=today,
                name=signatory.name,
                role=signatory.role,
                party=parties.get(party_id) if party_id is not None else None,
                signed_on=signatory.signed_on,
            )
        except ValidationError as error:
            raise _located(
                error, _("Undertecknaren %(name)s") % {"name": signatory.name}, Signatory
            ) from error
    for order, area_draft in enumerate(draft.focus_areas, start=1):
        _focus_area_create(
            promise=promise,
            draft=area_draft,
            order=order,
            parties=parties,
            candidates=candidates,
            actor=actor,
            reason=reason,
            today=today,
        )
    return promise
