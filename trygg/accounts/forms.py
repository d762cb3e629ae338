from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_otp.forms import OTPAuthenticationForm
from django_otp.plugins.otp_totp.models import TOTPDevice

from trygg.municipalities.models import Municipality

from . import lockout


class StaffLoginForm(OTPAuthenticationForm):
    """Username, password and the one-time code from the authenticator app, in one step.

    Every failure gives the same message, so the form does not tell whether an account exists.
    """

    error_messages = {
        "invalid_login": _("Fel användarnamn, lösenord eller engångskod."),
        "inactive": _("Fel användarnamn, lösenord eller engångskod."),
    }
    otp_error_messages = {
        key: _("Fel användarnamn, lösenord eller engångskod.")
        for key in OTPAuthenticationForm.otp_error_messages
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only authenticator apps (TOTP) are offered, so there is no device to choose and no challenge.
        del self.fields["otp_device"]
        del self.fields["otp_challenge"]
        self.fields["username"].label = _("Användarnamn")
        self.fields["password"].label = _("Lösenord")
        self.fields["otp_token"].label = _("Engångskod från din autentiseringsapp")
        self.fields["otp_token"].widget = forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        )
        self.fields["otp_token"].required = True

    def clean_otp(self, user: Any) -> None:
        try:
            super().clean_otp(user)
        except ValidationError:
            # The password was right: without this, codes could be guessed with no lockout and no trace.
            lockout.second_factor_failed(request=self.request, username=user.get_username())
            raise

    def _chosen_device(self, user: Any) -> TOTPDevice | None:
        # Each staff user has one authenticator app; with none, verification fails with the same answer.
        return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Namn på nyckeln"), max_length=100, help_text=_("T.ex. systemet som ska använda den.")
    )
    municipality: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Kommun"), queryset=Municipality.objects.none()
    )
    days = forms.IntegerField(
        label=_("Giltig i antal dagar"), min_value=1, max_value=90, initial=30, help_text=_("Högst 90 dagar.")
    )

    def __init__(self, *args: Any, municipalities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities  # type: ignore[attr-defined]


class PersonalDataLookupForm(forms.Form):
    # Posted, never in the query string: the address must not reach the access log.
    email = forms.EmailField(
        label=_("Den registrerades e-postadress"),
        help_text=_(
            "Adressen som personen har använt i felanmälningar, kommentarer, prenumerationer eller anmälningar."
        ),
    )


class PersonalDataErasureForm(forms.Form):
    email = forms.EmailField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Ärende"),
        max_length=500,
        help_text=_("Diarienummer eller datum för begäran. Skriv inte personens namn eller e-postadress."),
    )
    confirm = forms.BooleanField(
        label=_("Jag har kontrollerat att begäran kommer från personen själv"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own prefix: the page shows it beside the search form, whose field has the same name.
        kwargs.setdefault("prefix", "radera")
        super().__init__(*args, **kwargs)
