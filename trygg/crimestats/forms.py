from django import forms
from django.utils.translation import gettext_lazy as _

from trygg.municipalities.models import Municipality


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Vad filen innehåller"),
        choices=[("crime", _("Anmälda brott")), ("population", _("Folkmängd (SCB)"))],
        initial="crime",
    )
    file = forms.FileField(
        label=_("Fil"),
        help_text=_(
            "Trygg känner igen formatet: Trygg-CSV, Brås SOL-export, Brås kommunfil eller arbetsbok, SCB:s "
            "JSON-stat eller PC-Axis, Kolada. Du ser vad filen lästes som innan något sparas."
        ),
    )
    mapping = forms.FileField(
        label=_("Kolumnmappning (valfri)"),
        required=False,
        help_text=_("En TOML-fil för andra upplägg, t.ex. en tabell från Brås statistikdatabas."),
    )
    year = forms.IntegerField(
        label=_("År (valfritt)"),
        required=False,
        min_value=1950,
        max_value=2100,
        help_text=_("Bara för Brås fil per kommun, när filnamnet inte innehåller året."),
    )
    category = forms.CharField(
        label=_("Brottskategori (valfri)"),
        required=False,
        max_length=80,
        help_text=_(
            "Bara för Brås fil per kommun; annars samtliga brott. Kod eller namn ur categories.toml."
        ),
    )
    create_municipalities = forms.BooleanField(
        label=_("Lägg till kommuner som saknas i Trygg"),
        required=False,
        help_text=_("Behövs för jämförelser med länet och riket."),
    )


class ComparisonGroupForm(forms.Form):
    name = forms.CharField(label=_("Namn"), max_length=200, initial=_("Liknande kommuner"))
    members = forms.ModelMultipleChoiceField(
        label=_("Kommuner att jämföra med"),
        queryset=Municipality.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(label=_("Varför just de"), max_length=300, required=False)

    def __init__(self, *args: object, municipality: Municipality, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["members"].queryset = Municipality.objects.exclude(pk=municipality.pk).order_by(  # type: ignore[attr-defined]
            "county", "name"
        )
