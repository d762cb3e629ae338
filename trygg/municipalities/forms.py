from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from . import logos
from .models import Municipality
from .selectors import police_areas_choosable


class MunicipalityProfileForm(forms.ModelForm):
    """The municipality's public profile. Only parses: `municipality_profile_update` validates and saves."""

    remove_logo = forms.BooleanField(label=_("Ta bort logotypen"), required=False)
    website = forms.URLField(
        label=capfirst(Municipality._meta.get_field("website").verbose_name),
        required=False,
        assume_scheme="https",
        help_text=_("Kommunens egen webbplats."),
    )

    class Meta:
        model = Municipality
        fields = [
            "name",
            "name_genitive",
            "contact_email",
            "contact_phone",
            "contact_address",
            "website",
            "logo",
            "accent_colour",
            "map_latitude",
            "map_longitude",
            "police_areas",
        ]
        widgets = {
            "police_areas": forms.CheckboxSelectMultiple,
            "logo": forms.FileInput(attrs={"accept": logos.ACCEPT}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "map_latitude": forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            "map_longitude": forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        }
        help_texts = {
            "police_areas": _(
                "Lokalpolisområden som täcker kommunen. Ett område som redan täcker en annan kommun kopplas av "
                "plattformens drift."
            ),
            "map_latitude": _("I grader, t.ex. 56.833. Lämna båda tomma för standardläget."),
            "map_longitude": _("I grader, t.ex. 13.941."),
            "accent_colour": _(
                "Färgen på sidhuvud och knappar, t.ex. #005a8c. Vit text på den måste gå att läsa."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["police_areas"].queryset = police_areas_choosable(  # type: ignore[attr-defined]
            municipality=self.instance
        )
        self.fields["name_genitive"].required = True
        if not self.instance.name_genitive and not self.is_bound:
            self.initial["name_genitive"] = self.instance.genitive

    def _post_clean(self) -> None:
        # No model validation or instance changes here: the service does both, inside its transaction.
        pass
