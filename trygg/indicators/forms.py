from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from trygg.municipalities.models import Municipality

from .models import Indicator, Measurement
from .services import IndicatorDetails


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


class IndicatorForm(forms.Form):
    """An indicator's own settings; the municipality is chosen only by those who work in several."""

    municipality = forms.ModelChoiceField(label=_("Kommun"), queryset=Municipality.objects.none())
    name = forms.CharField(label=_("Namn"), max_length=200)
    slug = forms.CharField(
        label=_("Adress"),
        max_length=60,
        required=False,
        help_text=_("Del av webbadressen, t.ex. ”avloppsvatten”. Lämna tomt så görs den av namnet."),
    )
    kind = forms.ChoiceField(label=_("Slag"), choices=Indicator.Kind.choices)
    unit = forms.CharField(
        label=_("Enhet"),
        max_length=100,
        required=False,
        help_text=_("T.ex. ”mg per 1000 invånare och dygn”."),
    )
    description = forms.CharField(
        label=_("Beskrivning"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    caveats = forms.CharField(
        label=_("Vad siffrorna inte säger"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Metodens begränsningar på enkel svenska; visas bredvid siffrorna."),
    )
    is_public = forms.BooleanField(
        label=_("Visa indikatorn på den publika webbplatsen"), required=False, initial=True
    )

    def __init__(self, *args: Any, municipalities: QuerySet[Municipality] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if municipalities is None:
            del self.fields["municipality"]
        else:
            field = self.fields["municipality"]
            field.queryset = municipalities  # type: ignore[attr-defined]
            if len(municipalities) == 1:
                field.initial = municipalities[0].pk
                field.widget = forms.HiddenInput()

    def details(self) -> IndicatorDetails:
        data = self.cleaned_data
        return IndicatorDetails(
            name=data["name"],
            slug=data["slug"],
            kind=data["kind"],
            unit=data["unit"],
            description=data["description"],
            caveats=data["caveats"],
            is_public=data["is_public"],
        )


class LinkForm(forms.Form):
    activity = forms.TypedChoiceField(label=_("Aktivitet"), coerce=int)

    def __init__(self, *args: Any, choices: list[tuple[str, list[tuple[int, str]]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].choices = [("", "–"), *choices]  # type: ignore[attr-defined]


class UnlinkForm(forms.Form):
    activity = forms.IntegerField(widget=forms.HiddenInput)


class RelinkForm(forms.Form):
    to_activity = forms.TypedChoiceField(
        label=_("Räkna provet för"), coerce=int, empty_value=None, required=False
    )
    reason = forms.CharField(
        label=_("Varför"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("T.ex. ”provet togs 2026 och hör till 2026 års aktivitet”. Sparas i historiken."),
    )

    def __init__(self, *args: Any, targets: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_activity"].choices = [  # type: ignore[attr-defined]
            ("", _("Ingen aktivitet: provet ska inte räknas")),
            *targets,
        ]
