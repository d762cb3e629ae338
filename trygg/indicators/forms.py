from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Indicator, Measurement


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class MeasurementForm(forms.Form):
    sampled_on = forms.DateField(label=_("Provdatum"), widget=DateInput())
    substance = forms.ChoiceField(
        label=_("Ämne"), choices=[("", "–"), *Measurement.Substance.choices], required=False
    )
    value = forms.DecimalField(label=_("Värde"), required=False, min_value=0, max_digits=12, decimal_places=3)
    tested = forms.IntegerField(label=_("Antal testade"), required=False, min_value=0)
    positive = forms.IntegerField(label=_("Antal positiva"), required=False, min_value=0)
    lab = forms.CharField(label=_("Laboratorium"), max_length=200, required=False)
    note = forms.CharField(label=_("Anteckning"), max_length=500, required=False)

    def __init__(self, *args: object, indicator: Indicator, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        if indicator.kind == Indicator.Kind.SCHOOL_DRUG_TESTS:
            del self.fields["substance"]
            del self.fields["value"]
            self.fields["tested"].required = True
            self.fields["positive"].required = True
            self.fields["positive"].help_text = _(
                "Bara antal lagras, aldrig uppgifter om enskilda elever. Färre än 5 visas som ”färre än 5”."
            )
        else:
            del self.fields["tested"]
            del self.fields["positive"]
            self.fields["value"].required = True
            self.fields["value"].help_text = indicator.unit
            if indicator.kind != Indicator.Kind.WASTEWATER:
                del self.fields["substance"]
            else:
                self.fields["substance"].required = True
