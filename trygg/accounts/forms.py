from typing import Any

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.forms import OTPAuthenticationForm
from django_otp.plugins.otp_totp.models import TOTPDevice

from trygg.municipalities.models import Membership, Municipality, Party
from trygg.municipalities.selectors import parties_choosable

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
        # Checked in clean_otp instead: someone setting up their first authenticator has no code yet.
        self.fields["otp_token"].required = False
        self.fields["otp_token"].help_text = _(
            "Första gången lämnar du fältet tomt och ställer in appen efteråt."
        )
        self.needs_authenticator = False

    def clean_otp(self, user: Any) -> None:
        from .services import second_factor_pending

        # Invited, or reset by a coordinator: the password alone leads to setting up an authenticator, nothing more.
        if user is not None and second_factor_pending(user=user, now=timezone.now()) is not None:
            self.needs_authenticator = True
            return
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


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-postadress"), widget=forms.EmailInput(attrs={"autocomplete": "off"}), max_length=254
    )
    first_name = forms.CharField(label=_("Förnamn"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Efternamn"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Roll"), choices=[("", "---------"), *Membership.Role.choices])
    party: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Part"),
        queryset=Party.objects.none(),
        help_text=_("Kommunpoliser hör till polisen, övriga oftast till kommunen."),
    )

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "inbjudan")
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = parties_choosable(municipality=municipality)  # type: ignore[attr-defined]


class InvitationAcceptForm(forms.Form):
    username = forms.CharField(
        label=_("Användarnamn"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Bokstäver, siffror och @ . + - _. Du loggar in med det."),
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
    )
    first_name = forms.CharField(
        label=_("Förnamn"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Efternamn"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    password1 = forms.CharField(
        label=_("Lösenord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Minst 12 tecken. Ett långt lösenord av flera ord är både säkert och lätt att minnas."),
    )
    password2 = forms.CharField(
        label=_("Lösenordet en gång till"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("Lösenorden är inte likadana."))
        return data


class AuthenticatorConfirmForm(forms.Form):
    token = forms.CharField(
        label=_("Sexsiffrig kod från appen"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )


class AccountForm(forms.Form):
    first_name = forms.CharField(
        label=_("Förnamn"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Efternamn"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("E-postadress"),
        required=False,
        help_text=_("Påminnelser om dina aktiviteter skickas hit. Utan adress får du inga påminnelser."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
