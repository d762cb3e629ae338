"""Staff import of a promise text: upload or paste, review the parsed draft beside the source, fix, save."""

from dataclasses import dataclass
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
from trygg.core.validators import validate_not_reserved
from trygg.municipalities import rules
from trygg.municipalities.models import Municipality

from . import importing
from .doubts import Reading, Readings, readings
from .findings import Finding
from .models import Activity, slug_validator
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


class PromiseDraftForm(forms.Form):
    municipality = forms.ModelChoiceField(queryset=Municipality.objects.none(), widget=forms.HiddenInput)
    source_name = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)
    source_text = forms.CharField(
        label=gettext_lazy("Källtext"),
        max_length=importing.MAX_TEXT_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"readonly": True, "rows": 30, "class": "import-source"}),
    )
    title = forms.CharField(label=gettext_lazy("Rubrik"), max_length=200)
    slug = forms.CharField(
        label=gettext_lazy("Adress"),
        max_length=60,
        validators=[slug_validator, validate_not_reserved],
        help_text=gettext_lazy("Del av webbadressen: ”2023”, ”2024-2025” eller ”2024-centrum”."),
    )
    valid_from = forms.DateField(
        label=gettext_lazy("Gäller från"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=gettext_lazy("Gäller till och med"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["municipality"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = municipalities

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("Slutdatumet kan inte ligga före startdatumet."))
        return cleaned


class FocusAreaDraftForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Fokusområde"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Problembeskrivning"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ActivityDraftForm(forms.Form):
    focus_area = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    text = forms.CharField(label=gettext_lazy("Aktivitet"), widget=forms.Textarea(attrs={"rows": 3}))
    parties = forms.CharField(
        label=gettext_lazy("Ansvariga parter"),
        required=False,
        max_length=1000,
        help_text=gettext_lazy("Skilj parterna med kommatecken, t.ex. ”Ljungby kommun, Polisen”."),
    )
    partners = forms.CharField(label=gettext_lazy("Samarbetspartner"), required=False, max_length=1000)
    quantity = forms.IntegerField(label=gettext_lazy("Antal"), required=False, min_value=0)
    quantity_max = forms.IntegerField(label=gettext_lazy("Högst"), required=False, min_value=0)
    at_least = forms.BooleanField(label=gettext_lazy("Antalet är ett golv (”minst”)"), required=False)
    unit = forms.CharField(label=gettext_lazy("Enhet"), required=False, max_length=60)
    per = forms.ChoiceField(
        label=gettext_lazy("Räknas per"),
        required=False,
        choices=[("", "–"), *Activity.Per.choices],
    )
    target_group = forms.CharField(label=gettext_lazy("Målgrupp"), required=False, max_length=300)
    place = forms.CharField(label=gettext_lazy("Plats"), required=False, max_length=300)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        quantity, quantity_max = cleaned.get("quantity"), cleaned.get("quantity_max")
        if quantity is not None and quantity_max is not None and quantity_max < quantity:
            self.add_error("quantity_max", _("”Högst” kan inte vara mindre än antalet."))
        if (quantity is not None or quantity_max is not None) and not cleaned.get("per"):
            self.add_error("per", _("Ange vad antalet räknas per (år, månad, hela perioden …)."))
        return cleaned

    def draft(self) -> importing.ActivityDraft:
        data = self.cleaned_data
        return importing.ActivityDraft(
            text=data["text"].strip(),
            parties=importing.split_names(data["parties"]),
            partners=importing.split_names(data["partners"]),
            quantity=data["quantity"],
            quantity_max=data["quantity_max"],
            at_least=data["at_least"],
            unit=data["unit"].strip(),
            per=data["per"],
            target_group=data["target_group"].strip(),
            place=data["place"].strip(),
        )


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
class _ActivityRow:
    form: ActivityDraftForm
    number: int
    findings: list[Finding]
    reading: Reading | None = None


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
    draft: importing.PromiseDraft, *, municipality: Municipality, source_text: str, source_name: str
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    promise = {
        "municipality": municipality.pk,
        "source_name": source_name,
        "source_text": source_text,
        "title": draft.title,
        "slug": draft.slug,
        "valid_from": draft.valid_from,
        "valid_until": draft.valid_until,
    }
    areas = [{"title": area.title, "description": area.description} for area in draft.focus_areas]
    activities = [
        {
            "focus_area": index,
            "text": activity.text,
            "parties": ", ".join(activity.parties),
            "partners": ", ".join(activity.partners),
            "quantity": activity.quantity,
            "quantity_max": activity.quantity_max,
            "at_least": activity.at_least,
            "unit": activity.unit,
            "per": activity.per,
            "target_group": activity.target_group,
            "place": activity.place,
        }
        for index, area in enumerate(draft.focus_areas)
        for activity in area.activities
    ]
    return promise, areas, activities


def _activity_findings(form: ActivityDraftForm, *, promise_has_period: bool) -> list[Finding]:
    if form.is_bound and (form.errors or not hasattr(form, "cleaned_data")):
        return []
    if form.is_bound:
        activity = form.draft()
    else:
        initial = form.initial
        activity = importing.ActivityDraft(
            text=initial["text"],
            parties=importing.split_names(initial["parties"]),
            quantity=initial["quantity"],
            quantity_max=initial["quantity_max"],
            per=initial["per"],
        )
    return importing.draft_findings(activity=activity, promise_has_period=promise_has_period)


def _sections(
    areas: Any, activities: Any, *, promise_has_period: bool, parsed: Readings
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
        if municipality and text_municipality and text_municipality.casefold() != municipality.name.casefold()
        else None
    )
    has_period = bool(form["valid_from"].value() and form["valid_until"].value())
    # The parser's confidence and source lines, found again by the texts the forms hold (edited ones drop out).
    parsed = readings(parse_promise_text(source_text))
    sections, orphans = _sections(areas, activities, promise_has_period=has_period, parsed=parsed)
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
    errors = [*form.non_field_errors(), *areas.non_form_errors(), *activities.non_form_errors()]
    field_errors = [(field.id_for_label, field.label, error) for field in form for error in field.errors]
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
                (field.id_for_label, f"{where}, {field.label}", error)
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
            "sections": sections,
            "orphans": orphans,
            "municipality_name": municipality.name if municipality else "",
            "other_municipality": other_municipality,
            "summary_errors": errors,
            "summary_field_errors": field_errors,
            "finding_count": sum(1 for section in sections for row in section.activities if row.findings),
            "doubtful": doubtful,
            "period_source": parsed.period_line,
        },
    )
    response.status_code = status
    return response


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
            form.add_error("file", str(error))
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
                draft = importing.draft_from_parsed(parsed=parsed, municipality=municipality)
                promise, areas, activities = _initial_forms(
                    draft, municipality=municipality, source_text=text, source_name=source_name
                )
                return _render_preview(
                    request,
                    form=PromiseDraftForm(initial=promise, municipalities=municipalities),
                    areas=FocusAreaFormSet(initial=areas, prefix="area"),
                    activities=ActivityFormSet(initial=activities, prefix="activity"),
                )
    response = render(request, "promises/staff/import_start.html", {"form": form})
    response.status_code = 400
    return response


def _draft_from_forms(form: PromiseDraftForm, areas: Any, activities: Any) -> importing.PromiseDraft:
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
    )


@staff_required
@require_POST
def promise_import_save(request: HttpRequest) -> HttpResponse:
    """Step 2: the reviewed draft becomes a draft promise, or the review page comes back with its errors."""
    _editable_municipality_from_post(request)
    municipalities = _editable_municipalities(request)
    form = PromiseDraftForm(request.POST, municipalities=municipalities)
    areas = FocusAreaFormSet(request.POST, prefix="area")
    activities = ActivityFormSet(request.POST, prefix="activity")
    if all([form.is_valid(), areas.is_valid(), activities.is_valid()]):
        draft = _draft_from_forms(form, areas, activities)
        name = form.cleaned_data["source_name"]
        reason = (
            _("Importerad från fil %(name)s") % {"name": name}
            if name
            else _("Importerad från inklistrad text")
        )
        try:
            promise = importing.promise_import(
                municipality=form.cleaned_data["municipality"],
                draft=draft,
                actor=request.user,
                reason=reason,
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and set(error.error_dict) <= set(form.fields):
                form.add_error(None, error)
            else:
                form.add_error(None, ValidationError(error.messages))
        else:
            return HttpResponseRedirect(reverse("promises:staff_detail", args=[promise.pk]))
    return _render_preview(request, form=form, areas=areas, activities=activities, status=400)
