from django import forms
from django.utils.translation import gettext_lazy as _


class PublishForm(forms.Form):
    confirm_findings = forms.BooleanField(
        label=_("Jag har läst anmärkningarna och vill publicera löftet ändå."),
        required=False,
    )
