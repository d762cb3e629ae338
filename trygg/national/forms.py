from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import Choice, Filters


def _choices(choices: tuple[Choice, ...], everything: str) -> list[tuple[str, str]]:
    return [("", everything), *[(choice.value, choice.label) for choice in choices]]


class NationalFilterForm(forms.Form):
    """The filters of the national table; a value that is not among the choices is an error, not ignored."""

    q = forms.CharField(label=_("Sök kommun"), required=False, max_length=100)
    lan = forms.ChoiceField(label=_("Län"), required=False)
    region = forms.ChoiceField(label=_("Polisregion"), required=False)
    polisomrade = forms.ChoiceField(label=_("Polisområde"), required=False)
    lpo = forms.ChoiceField(label=_("Lokalpolisområde"), required=False)
    grupp = forms.ChoiceField(label=_("Kommungrupp (SKR 2023)"), required=False)

    def __init__(
        self,
        data: object,
        *,
        counties: tuple[Choice, ...],
        regions: tuple[Choice, ...],
        districts: tuple[Choice, ...],
        police_areas: tuple[Choice, ...],
        groups: tuple[Choice, ...],
    ) -> None:
        super().__init__(data)  # type: ignore[arg-type]
        self.fields["lan"].choices = _choices(counties, str(_("Alla län")))  # type: ignore[attr-defined]
        self.fields["region"].choices = _choices(regions, str(_("Alla regioner")))  # type: ignore[attr-defined]
        self.fields["polisomrade"].choices = _choices(districts, str(_("Alla polisområden")))  # type: ignore[attr-defined]
        self.fields["lpo"].choices = _choices(police_areas, str(_("Alla lokalpolisområden")))  # type: ignore[attr-defined]
        self.fields["grupp"].choices = _choices(groups, str(_("Alla kommungrupper")))  # type: ignore[attr-defined]

    def filters(self) -> Filters:
        data = (
            self.cleaned_data
            if self.is_valid()
            else {
                name: value
                for name, value in getattr(self, "cleaned_data", {}).items()
                if name not in self.errors
            }
        )
        return Filters(
            county=data.get("lan", ""),
            region=data.get("region", ""),
            district=data.get("polisomrade", ""),
            police_area=data.get("lpo", ""),
            group=data.get("grupp", ""),
            query=data.get("q", "").strip(),
        )
