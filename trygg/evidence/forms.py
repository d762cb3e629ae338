from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from trygg.municipalities.models import Municipality, Party
from trygg.problems.models import Problem
from trygg.promises.models import FocusArea, Promise

from .models import Dialogue


class DateInput(forms.DateInput):
    input_type = "date"


class DialogueForm(forms.Form):
    date = forms.DateField(label=_("Datum"), widget=DateInput)
    kind = forms.ChoiceField(label=_("Slag av dialog"), choices=Dialogue.Kind.choices)
    place = forms.CharField(label=_("Plats"), max_length=200, required=False)
    participants = forms.IntegerField(label=_("Antal deltagare"), min_value=0, required=False)
    notes = forms.CharField(label=_("Anteckningar"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class RaisedProblemForm(forms.Form):
    problem = forms.ModelChoiceField(label=_("Problem"), queryset=Problem.objects.all(), required=False)
    raised_by = forms.IntegerField(label=_("Hur många tog upp det"), min_value=1, required=False)
    notes = forms.CharField(label=_("Anteckning"), max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("problem") and not cleaned.get("raised_by"):
            self.add_error("raised_by", _("Ange hur många som tog upp problemet (minst 1)."))
        if cleaned.get("raised_by") and not cleaned.get("problem"):
            self.add_error("problem", _("Välj vilket problem det gäller."))
        return cleaned


RaisedProblemFormSet = forms.formset_factory(RaisedProblemForm, extra=0, min_num=5, validate_min=False)


class MeasureForm(forms.Form):
    year = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)
    text = forms.CharField(label=_("Åtgärd"), widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.ModelChoiceField(label=_("Ansvarig part"), queryset=Party.objects.none())
    is_public = forms.BooleanField(
        label=_("Offentlig"),
        required=False,
        initial=True,
        help_text=_("Interna åtgärder visas bara för personal."),
    )
    problems = forms.ModelMultipleChoiceField(
        label=_("Problem som åtgärden gäller"),
        queryset=Problem.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    start_date = forms.DateField(label=_("Från"), required=False, widget=DateInput)
    end_date = forms.DateField(label=_("Till"), required=False, widget=DateInput)
    order = forms.IntegerField(label=_("Ordning"), min_value=0, initial=0, required=False)

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parties = Party.objects.filter(municipality=municipality) | Party.objects.filter(
            police_area__municipalities=municipality
        )
        self.fields["owner"].queryset = parties.distinct()  # type: ignore[attr-defined]


class PublishMeasureForm(forms.Form):
    focus_area = forms.ModelChoiceField(
        label=_("Fokusområde i ett utkast"), queryset=FocusArea.objects.none()
    )

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["focus_area"].queryset = FocusArea.objects.filter(  # type: ignore[attr-defined]
            promise__municipality=municipality, promise__status=Promise.Status.DRAFT
        ).select_related("promise")
        self.fields["focus_area"].label_from_instance = lambda area: f"{area.promise.title}: {area.title}"  # type: ignore[attr-defined]


class FocusAreaFromEvidenceForm(forms.Form):
    problem = forms.ModelChoiceField(
        queryset=Problem.objects.all(), to_field_name="slug", widget=forms.HiddenInput
    )
    promise = forms.ModelChoiceField(label=_("Utkast till medborgarlöfte"), queryset=Promise.objects.none())
    title = forms.CharField(label=_("Rubrik (valfri)"), max_length=200, required=False)

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["promise"].queryset = Promise.objects.filter(  # type: ignore[attr-defined]
            municipality=municipality, status=Promise.Status.DRAFT
        )
