"""A minimum fill time for public forms, beside their honeypot field.

A form carries the time it was rendered, signed, in a hidden field; a post that comes back sooner than
FORM_MIN_FILL_SECONDS after (or without the field, or with a forged one) is not stored. People take longer than
that to fill in any form; scripts that post at once give themselves away. The post is refused as a form error,
so a person who was quick anyway keeps what they typed and sends it again.
"""

import time
from typing import Any

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

SALT = "trygg.core.formtiming"
TOO_FAST = "too_fast"


def fill_time_token(*, now: float | None = None) -> str:
    return signing.dumps(round(time.time() if now is None else now, 1), salt=SALT)


def filled_too_fast(token: str | None, *, now: float | None = None) -> bool:
    """True when the form came back sooner than the minimum fill time, or its render time is missing or forged."""
    minimum = settings.FORM_MIN_FILL_SECONDS
    if minimum <= 0:
        return False
    try:
        rendered = float(signing.loads(token or "", salt=SALT, max_age=24 * 3600))
    except (signing.BadSignature, TypeError, ValueError):
        return True
    return (time.time() if now is None else now) - rendered < minimum


class FillTimeMixin(forms.Form):
    # Rendered afresh with every unbound form (a callable initial); a bound form keeps the first time.
    form_started = forms.CharField(widget=forms.HiddenInput, required=False, initial=fill_time_token)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if filled_too_fast(self.data.get(self.add_prefix("form_started"))):
            raise ValidationError(
                _(
                    "Formuläret skickades för snabbt efter att sidan öppnades. Kontrollera uppgifterna och skicka igen."
                ),
                code=TOO_FAST,
            )
        return cleaned

    @property
    def filled_too_fast(self) -> bool:
        return self.has_error(NON_FIELD_ERRORS, TOO_FAST)
