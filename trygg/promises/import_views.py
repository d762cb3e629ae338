"""Staff import of a promise text: upload or paste, review the parsed draft beside the source, fix, save."""

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from trygg.accounts.decorators import staff_required
from trygg.core.submissions import once_per_form
from trygg.core.templatetags.site_tags import anchor
from trygg.crimestats.kommuner import same_kommun
from trygg.municipalities import rules
from trygg.municipalities.models import Municipality

from . import importing
from .actors import Candidate, match_actor
from .doubts import Reading, Readings, readings
from .findings import Finding
from .forms import ActivityAmountsForm, PromiseBasicsForm
from .parsing import find_municipality, parse_promise_text
from .readers import DocumentError, read_document

# Each activity posts about a dozen fields; Django refuses a request with more than 1000 fields.
MAX_ACTIVITIES_ON_PAGE = 70

# ---------------------------------------------------------------------------------------------------
# Forms


class ImportSourceForm(forms.Form):
    municipality = forms.ModelChoiceField(
        label=gettext_lazy("Kommun"), queryset=Municipality.objects.none(), empty_label=None
    )
    file = forms.FileField(
        label=gettext_lazy("Fil med löftet"),
        required=False,
    )
    text = forms.CharField(
        label=gettext_lazy("… eller klistra in texten"),
        required=False,
        max_length=importing.MAX_TEXT_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=gettext_lazy("Rubriker på egna rader; aktiviteter gärna som punkter (”- …”)."),
    )

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = municipalities
        self.fields["file"].help_text = _(
            "En .txt-, .md-, .html-, .pdf- eller .docx-fil på högst %(size)s."
        ) % {"size": filesizeformat(importing.MAX_UPLOAD_BYTES)}

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if not upload:
            return upload
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in importing.ALLOWED_SUFFIXES:
            raise ValidationError(
                _(
                    "Filtypen %(suffix)s stöds inte. Använd .txt, .md, .html, .pdf eller .docx, eller klistra in texten."
                )
                % {"suffix": suffix or _("(ingen)")}
            )
        if upload.size is not None and upload.size > importing.MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("Filen är för stor (%(size)s). Den får vara högst %(limit)s.")
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(importing.MAX_UPLOAD_BYTES)}
            )
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        has_file, has_text = bool(cleaned.get("file")), bool((cleaned.get("text") or "").strip())
        if not self.errors and not has_file and not has_text:
            raise ValidationError(_("Välj en fil eller klistra in texten."))
        if has_file and has_text:
            raise ValidationError(_("Välj en fil eller klistra in texten, inte båda."))
        return cleaned


class PromiseDraftForm(PromiseBasicsForm):
    municipality = forms.ModelChoiceField(queryset=Municipality.objects.none(), widget=forms.HiddenInput)
    source_name = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    source_text = forms.CharField(
        label=gettext_lazy("Källtext"),
        max_length=importing.MAX_TEXT_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"readonly": True, "rows": 30, "class": "import-source"}),
    )
    introduction = forms.CharField(
        label=gettext_lazy("Inledning"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Texten före fokusområdena, som den lästes in."),
    )
    background = forms.CharField(
        label=gettext_lazy("Bakgrund"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Avsnittet ”Bakgrund”, ”Lägesbild” eller liknande, om texten har ett."),
    )

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = municipalities


class FocusAreaDraftForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Fokusområde"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Problembeskrivning"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class SignatoryDraftForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Namn"), max_length=200)
    role = forms.CharField(label=gettext_lazy("Befattning"), max_length=200)
    party = forms.TypedChoiceField(label=gettext_lazy("Part"), coerce=int, required=False, empty_value=None)
    signed_on = forms.DateField(
        label=gettext_lazy("Undertecknat den"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, candidates: list[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = [("", "–"), *_party_choices(candidates)]  # type: ignore[attr-defined]

    def draft(self) -> importing.SignatoryDraft:
        data = self.cleaned_data
        return importing.SignatoryDraft(
            name=data["name"].strip(),
            role=data["role"].strip(),
            party_id=data["party"],
            signed_on=data["signed_on"],
        )


class ActivityDraftForm(ActivityAmountsForm):
    parties_field = "parties"

    focus_area = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    # The actors as the text names them, kept so that the page can show what each was matched to.
    written_parties = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
    written_partners = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
    text = forms.CharField(label=gettext_lazy("Aktivitet"), widget=forms.Textarea(attrs={"rows": 3}))
    parties = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Ansvariga parter"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    partners = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Samarbetspartner bland parterna"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, candidates: list[Candidate], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        self.fields["parties"].choices = _party_choices(candidates)  # type: ignore[attr-defined]
        self.fields["partners"].choices = _party_choices(candidates)  # type: ignore[attr-defined]

    def party_names(self, ids: list[int]) -> list[str]:
        names = {candidate.id: candidate.name for candidate in self.candidates}
        return [names[pk] for pk in ids if pk in names]

    def draft(self) -> importing.ActivityDraft:
        data = self.cleaned_data
        return importing.ActivityDraft(
            text=data["text"].strip(),
            parties=_written(data["written_parties"]),
            partners=_written(data["written_partners"]),
            party_ids=list(data["parties"]),
            partner_ids=list(data["partners"]),
            other_partners=importing.split_names(data["other_partners"]),
            quantity=data["quantity"],
            quantity_max=data["quantity_max"],
            at_least=data["at_least"],
            unit=data["unit"].strip(),
            per=data["per"],
            target_group=data["target_group"].strip(),
            place=data["place"].strip(),
        )


def _party_choices(candidates: list[Candidate]) -> list[tuple[int, str]]:
    return [
        (
            candidate.id,
            f"{candidate.name} ({candidate.police_area})" if candidate.police_area else candidate.name,
        )
        for candidate in candidates
    ]


def _written(value: str) -> list[str]:
    return [name.strip() for name in value.split(";") if name.strip()]


class _FocusAreaBaseFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        form.fields["DELETE"].label = gettext_lazy("Ta bort fokusområdet och dess aktiviteter")


class _ActivityBaseFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        form.fields["DELETE"].label = gettext_lazy("Ta bort aktiviteten (den är ingen aktivitet)")


FocusAreaFormSet = forms.formset_factory(
    FocusAreaDraftForm, formset=_FocusAreaBaseFormSet, extra=0, can_delete=True
)
ActivityFormSet = forms.formset_factory(
    ActivityDraftForm, formset=_ActivityBaseFormSet, extra=0, can_delete=True
)


class _SignatoryBaseFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        form.fields["DELETE"].label = gettext_lazy("Ta bort undertecknaren")


# One empty row: a signatory the text did not name can be added during the review.
SignatoryFormSet = forms.formset_factory(
    SignatoryDraftForm, formset=_SignatoryBaseFormSet, extra=1, can_delete=True
)


# ---------------------------------------------------------------------------------------------------
# Views


def _editable_municipality_from_post(request: HttpRequest) -> None:
    """Another municipality's id answers 404; one of the user's own where they may not edit answers 403."""
    value = request.POST.get("municipality", "")
    if not value:
        return
    if not value.isdigit():
        raise Http404
    municipality = get_object_or_404(rules.staff_municipalities(request.user), pk=int(value))
    if not rules.can_edit_promises(request.user, municipality):
        raise PermissionDenied


def _editable_municipalities(request: HttpRequest) -> QuerySet[Municipality]:
    municipalities = rules.editable_municipalities(request.user).order_by("name")
    if not municipalities.exists():
        raise PermissionDenied
    return municipalities


@dataclass
class _Proposal:
    """An actor as the text names it, and the party the import proposes for it (None: no party, a partner)."""

    written: str
    party: str | None


@dataclass
class _ActivityRow:
    form: ActivityDraftForm
    number: int
    findings: list[Finding]
    reading: Reading | None = None
    proposals: list[_Proposal] = field(default_factory=list)


@dataclass
class _Section:
    form: FocusAreaDraftForm
    number: int
    activities: list[_ActivityRow]
    reading: Reading | None = None


@dataclass(frozen=True)
class _Doubtful:
    """A low-confidence part, listed first on the review page with a link to it."""

    label: str
    anchor: str
    reading: Reading


def _initial_forms(
    draft: importing.PromiseDraft,
    *,
    municipality: Municipality,
    candidates: list[Candidate],
    source_text: str,
    source_name: str,
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    promise = {
        "municipality": municipality.pk,
        "source_name": source_name,
        "source_text": source_text,
        "title": draft.title,
        "slug": draft.slug,
        "valid_from": draft.valid_from,
        "valid_until": draft.valid_until,
        "introduction": draft.introduction,
        "background": draft.background,
    }
    areas = [{"title": area.title, "description": area.description} for area in draft.focus_areas]
    activities = []
    for index, area in enumerate(draft.focus_areas):
        for activity in area.activities:
            actors = importing.activity_actors(activity, candidates=candidates, municipality=municipality)
            activities.append(
                {
                    "focus_area": index,
                    "written_parties": "; ".join(activity.parties),
                    "written_partners": "; ".join(activity.partners),
                    "text": activity.text,
                    "parties": actors.party_ids,
                    "partners": actors.partner_ids,
                    "other_partners": ", ".join(actors.other_partners),
                    "quantity": activity.quantity,
                    "quantity_max": activity.quantity_max,
                    "at_least": activity.at_least,
                    "unit": activity.unit,
                    "per": activity.per,
                    "target_group": activity.target_group,
                    "place": activity.place,
                }
            )
    signatories = [
        {
            "name": signatory.name,
            "role": signatory.role,
            "party": importing.signatory_party_id(signatory, candidates=candidates),
            "signed_on": signatory.signed_on,
        }
        for signatory in draft.signatories
    ]
    return promise, areas, activities, signatories


def _activity_findings(form: ActivityDraftForm, *, promise_has_period: bool) -> list[Finding]:
    if form.is_bound and (form.errors or not hasattr(form, "cleaned_data")):
        return []
    if form.is_bound:
        activity = form.draft()
        parties = form.party_names(activity.party_ids or [])
    else:
        initial = form.initial
        activity = importing.ActivityDraft(
            text=initial["text"],
            quantity=initial["quantity"],
            quantity_max=initial["quantity_max"],
            per=initial["per"],
        )
        parties = form.party_names(initial["parties"])
    activity.parties = parties
    return importing.draft_findings(activity=activity, promise_has_period=promise_has_period)


def _proposals(form: ActivityDraftForm, municipality: Municipality | None) -> list[_Proposal]:
    """What the import proposes for each actor the text names: the party it found, or none (a partner)."""
    if municipality is None:
        return []
    written = form["written_parties"].value() or ""
    written_partners = form["written_partners"].value() or ""
    proposals = []
    for name in [*_written(written), *_written(written_partners)]:
        found = match_actor(name, candidates=form.candidates, municipality_name=municipality.name)
        label = dict(_party_choices(form.candidates)).get(found.id) if found else None
        proposals.append(_Proposal(written=name, party=label))
    return proposals


def _sections(
    areas: Any,
    activities: Any,
    *,
    promise_has_period: bool,
    parsed: Readings,
    municipality: Municipality | None,
) -> tuple[list[_Section], list[_ActivityRow]]:
    """Activities under their focus areas; those that point to no focus area are returned apart."""
    sections = [
        _Section(form=form, number=index + 1, activities=[], reading=parsed.area(form["title"].value()))
        for index, form in enumerate(areas.forms)
    ]
    orphans = []
    for number, form in enumerate(activities.forms, start=1):
        index = (
            form.cleaned_data.get("focus_area") if form.is_bound and hasattr(form, "cleaned_data") else None
        )
        if not form.is_bound:
            index = form.initial.get("focus_area")
        elif index is None:
            raw = form["focus_area"].value()
            index = int(raw) if str(raw).isdigit() else None
        row = _ActivityRow(
            form=form,
            number=number,
            findings=_activity_findings(form, promise_has_period=promise_has_period),
            reading=parsed.activity(form["text"].value()),
            proposals=_proposals(form, municipality),
        )
        if index is not None and 0 <= index < len(sections):
            sections[index].activities.append(row)
        else:
            orphans.append(row)
    return sections, orphans


def _render_preview(
    request: HttpRequest,
    *,
    form: PromiseDraftForm,
    areas: Any,
    activities: Any,
    signatories: Any,
    status: int = 200,
) -> HttpResponse:
    source_text = form["source_text"].value() or ""
    municipality_field = form["municipality"].value()
    municipality = (
        Municipality.objects.filter(pk=municipality_field).first()
        if str(municipality_field).isdigit()
        else None
    )
    text_municipality = find_municipality(source_text)
    other_municipality = (
        text_municipality
        if municipality and text_municipality and not same_kommun(text_municipality, municipality.name)
        else None
    )
    has_period = bool(form["valid_from"].value() and form["valid_until"].value())
    # The parser's confidence and source lines, found again by the texts the forms hold (edited ones drop out).
    parsed = readings(parse_promise_text(source_text))
    sections, orphans = _sections(
        areas, activities, promise_has_period=has_period, parsed=parsed, municipality=municipality
    )
    doubtful = [
        _Doubtful(
            _("Fokusområde %(number)s: %(title)s")
            % {"number": section.number, "title": section.form["title"].value()},
            f"import-area-{section.number}",
            section.reading,
        )
        for section in sections
        if section.reading is not None and section.reading.low
    ] + [
        _Doubtful(
            _("Aktivitet %(number)s: %(text)s") % {"number": row.number, "text": row.form["text"].value()},
            f"import-activity-{row.number}",
            row.reading,
        )
        for section in sections
        for row in section.activities
        if row.reading is not None and row.reading.low
    ]
    doubtful.sort(key=lambda part: part.reading.confidence)
    errors = [
        *form.non_field_errors(),
        *areas.non_form_errors(),
        *activities.non_form_errors(),
        *signatories.non_form_errors(),
    ]
    field_errors = [(field.id_for_label, field.label, error) for field in form for error in field.errors]
    for number, signatory_form in enumerate(signatories.forms, start=1):
        where = _("Undertecknare %(number)s") % {"number": number}
        field_errors += [
            (field.id_for_label, f"{where}, {field.label}", error)
            for field in signatory_form
            for error in field.errors
        ]
    for section in sections:
        where = _("Fokusområde %(number)s") % {"number": section.number}
        field_errors += [
            (field.id_for_label, f"{where}, {field.label}", error)
            for field in section.form
            for error in field.errors
        ]
        for row in [*section.activities]:
            where = _("Aktivitet %(number)s") % {"number": row.number}
            errors += [f"{where}: {error}" for error in row.form.non_field_errors()]
            field_errors += [
                (anchor(field), f"{where}, {field.label}", error)
                for field in row.form
                for error in field.errors
            ]
    response = render(
        request,
        "promises/staff/import_preview.html",
        {
            "form": form,
            "areas": areas,
            "activities": activities,
            "signatories": signatories,
            "sections": sections,
            "orphans": orphans,
            "municipality_name": municipality.name if municipality else "",
            "other_municipality": other_municipality,
            "summary_errors": errors,
            "summary_field_errors": field_errors,
            "finding_count": sum(1 for section in sections for row in section.activities if row.findings),
            "doubtful": doubtful,
            "period_source": parsed.period_line,
            "unmatched_count": sum(
                1
                for section in sections
                for row in section.activities
                for proposal in row.proposals
                if proposal.party is None
            ),
        },
    )
    response.status_code = status
    return response


def _import_reason(source_name: str) -> str:
    if source_name:
        return _("Importerad från fil %(name)s") % {"name": source_name}
    return _("Importerad från inklistrad text")


@staff_required
def promise_import(request: HttpRequest) -> HttpResponse:
    """Step 1: choose the municipality and give the text; a readable text with activities goes to review."""
    if request.method == "POST":
        _editable_municipality_from_post(request)
    municipalities = _editable_municipalities(request)
    if request.method != "POST":
        form = ImportSourceForm(municipalities=municipalities)
        return render(request, "promises/staff/import_start.html", {"form": form})
    form = ImportSourceForm(request.POST, request.FILES, municipalities=municipalities)
    if form.is_valid():
        municipality = form.cleaned_data["municipality"]
        upload = form.cleaned_data["file"]
        source_name = PurePath(upload.name).name if upload else ""
        try:
            text = (
                read_document(upload.read(), PurePath(upload.name).suffix)
                if upload
                else form.cleaned_data["text"]
            )
        except DocumentError as error:
            form.add_error("file", error.message_in(_))
        else:
            parsed = parse_promise_text(text)
            if not parsed.activities:
                if upload:
                    # Give staff the text that was read so that they can fix its headings and try again.
                    data = request.POST.copy()
                    data["text"] = text[: importing.MAX_TEXT_CHARS]
                    form = ImportSourceForm(data, municipalities=municipalities)
                    form.is_valid()
                form.add_error(None, importing.no_activities_error())
            elif len(parsed.activities) > MAX_ACTIVITIES_ON_PAGE:
                form.add_error(
                    None,
                    _(
                        "Texten har %(count)s aktiviteter, fler än sidan kan granska (%(max)s). Dela upp texten "
                        "eller läs in den med kommandot import_promise."
                    )
                    % {"count": len(parsed.activities), "max": MAX_ACTIVITIES_ON_PAGE},
                )
            else:
                # The kommun and the police sign every promise: their parties exist before anything is matched.
                importing.parties_ensure_core(
                    municipality=municipality, actor=request.user, reason=_import_reason(source_name)
                )
                candidates = importing.party_candidates(municipality=municipality)
                draft = importing.draft_from_parsed(parsed=parsed, municipality=municipality, text=text)
                promise, areas, activities, signatories = _initial_forms(
                    draft,
                    municipality=municipality,
                    candidates=candidates,
                    source_text=text,
                    source_name=source_name,
                )
                return _render_preview(
                    request,
                    form=PromiseDraftForm(initial=promise, municipalities=municipalities),
                    areas=FocusAreaFormSet(initial=areas, prefix="area"),
                    activities=ActivityFormSet(
                        initial=activities, prefix="activity", form_kwargs={"candidates": candidates}
                    ),
                    signatories=SignatoryFormSet(
                        initial=signatories, prefix="signatory", form_kwargs={"candidates": candidates}
                    ),
                )
    response = render(request, "promises/staff/import_start.html", {"form": form})
    response.status_code = 400
    return response


def _draft_from_forms(
    form: PromiseDraftForm, areas: Any, activities: Any, signatories: Any
) -> importing.PromiseDraft:
    kept_areas: dict[int, importing.FocusAreaDraft] = {}
    for index, area_form in enumerate(areas.forms):
        if area_form.cleaned_data.get("DELETE"):
            continue
        kept_areas[index] = importing.FocusAreaDraft(
            title=area_form.cleaned_data["title"].strip(),
            description=area_form.cleaned_data["description"].strip(),
        )
    for activity_form in activities.forms:
        index = activity_form.cleaned_data["focus_area"]
        if activity_form.cleaned_data.get("DELETE") or index not in kept_areas:
            continue
        kept_areas[index].activities.append(activity_form.draft())
    data = form.cleaned_data
    return importing.PromiseDraft(
        title=data["title"].strip(),
        slug=data["slug"],
        valid_from=data["valid_from"],
        valid_until=data["valid_until"],
        focus_areas=list(kept_areas.values()),
        introduction=data["introduction"].strip(),
        background=data["background"].strip(),
        signatories=[
            signatory_form.draft()
            for signatory_form in signatories.forms
            if signatory_form.has_changed() and not signatory_form.cleaned_data.get("DELETE")
        ],
    )


@staff_required
@require_POST
@once_per_form
def promise_import_save(request: HttpRequest) -> HttpResponse:
    """Step 2: the reviewed draft becomes a draft promise, or the review page comes back with its errors."""
    _editable_municipality_from_post(request)
    municipalities = _editable_municipalities(request)
    form = PromiseDraftForm(request.POST, municipalities=municipalities)
    municipality = municipalities.filter(pk=request.POST.get("municipality") or 0).first()
    candidates = importing.party_candidates(municipality=municipality) if municipality else []
    areas = FocusAreaFormSet(request.POST, prefix="area")
    activities = ActivityFormSet(request.POST, prefix="activity", form_kwargs={"candidates": candidates})
    signatories = SignatoryFormSet(request.POST, prefix="signatory", form_kwargs={"candidates": candidates})
    if all([form.is_valid(), areas.is_valid(), activities.is_valid(), signatories.is_valid()]):
        draft = _draft_from_forms(form, areas, activities, signatories)
        try:
            promise = importing.promise_import(
                municipality=form.cleaned_data["municipality"],
                draft=draft,
                actor=request.user,
                reason=_import_reason(form.cleaned_data["source_name"]),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and set(error.error_dict) <= set(form.fields):
                form.add_error(None, error)
            else:
                form.add_error(None, ValidationError(error.messages))
        else:
            return HttpResponseRedirect(reverse("promises:staff_detail", args=[promise.pk]))
    return _render_preview(
        request, form=form, areas=areas, activities=activities, signatories=signatories, status=400
    )
