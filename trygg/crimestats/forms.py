from django import forms
from django.utils.translation import gettext_lazy as _

from trygg.municipalities.models import Municipality


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Vad filen innehåller"),
        choices=[("crime", _("Anmälda brott")), ("population", _("Folkmängd (SCB)"))],
        initial="crime",
    )
    file = forms.FileField(label=_("CSV-fil"), help_text=_("UTF-8. Se dokumentationen för kolumnerna."))
    mapping = forms.FileField(
        label=_("Kolumnmappning (valfri)"),
        required=False,
        help_text=_("En TOML-fil för andra upplägg, t.ex. en tabell från Brås statistikdatabas."),
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
