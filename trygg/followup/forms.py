import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from trygg.municipalities.models import Area, Municipality

from .models import ASSESSMENT_CHOICES
from .status import FINAL, Status


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class ExecutionForm(forms.Form):
    done_on = forms.DateField(label=_("Datum då det gjordes"), widget=DateInput())
    description = forms.CharField(
        label=_("Vad som gjordes"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_("Texten visas för invånarna. Skriv inga personuppgifter."),
    )
    count = forms.IntegerField(
        label=_("Antal"),
        min_value=1,
        initial=1,
        help_text=_("Hur många av det som lovas det här gäller, t.ex. 5 för fem skolbesök."),
    )
    participants = forms.IntegerField(label=_("Antal deltagare"), min_value=0, required=False)
    place = forms.CharField(label=_("Plats"), max_length=300, required=False)
    area = forms.ModelChoiceField(label=_("Område"), queryset=Area.objects.none(), required=False)
    link_note = forms.CharField(
        label=_("Koppling till möte eller mätning"),
        max_length=300,
        required=False,
        help_text=_("T.ex. namnet på mötet eller mätningen som detta gäller."),
    )

    def __init__(self, *args: object, municipality: Municipality, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["area"].queryset = Area.objects.filter(municipality=municipality)  # type: ignore[attr-defined]


class ExecutionRecordForm(ExecutionForm):
    attachment = forms.FileField(
        label=_("Bilaga eller foto"),
        required=False,
        help_text=_("Visas bara för personalen. Högst 10 MB."),
    )
    # One id per form shown: the same form posted twice records one execution (services.execution_record).
    submission_id = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: object, **kwargs: Any) -> None:
        kwargs["initial"] = {"submission_id": uuid.uuid4(), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)

    def clean_attachment(self) -> object:
        attachment = self.cleaned_data.get("attachment")
        if attachment is not None and attachment.size > 10 * 1024 * 1024:
            raise forms.ValidationError(_("Filen är större än 10 MB."))
        return attachment


class ExecutionCorrectionForm(ExecutionForm):
    withdrawn = forms.BooleanField(
        label=_("Registrerades av misstag: räkna inte med det"),
        required=False,
        help_text=_("Uppgiften finns kvar i historiken men räknas inte längre."),
    )
    reason = forms.CharField(
        label=_("Varför rättas uppgiften?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sparas tillsammans med ditt namn och tidpunkten."),
    )


class PlannedDateForm(forms.Form):
    date = forms.DateField(label=_("Datum"), widget=DateInput())
    note = forms.CharField(label=_("Vad som planeras"), max_length=300, required=False)


class AssessmentForm(forms.Form):
    status = forms.ChoiceField(label=_("Bedömning"), choices=ASSESSMENT_CHOICES)
    reason = forms.CharField(
        label=_("Motivering"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Visas för invånarna tillsammans med bedömningen."),
    )

    def __init__(self, *args: object, final: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if final:
            # After the period only a final assessment settles the activity (genomförd, delvis, ej genomförd).
            field = self.fields["status"]
            field.label = _("Slutbedömning")
            field.choices = [(value, label) for value, label in ASSESSMENT_CHOICES if Status(value) in FINAL]  # type: ignore[attr-defined]


class CancellationForm(forms.Form):
    reason = forms.CharField(
        label=_("Varför ställs aktiviteten in?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Visas för invånarna."),
    )


class ReportDateForm(forms.Form):
    datum = forms.DateField(label=_("Läget den"), widget=DateInput(), required=False)
