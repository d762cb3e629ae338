import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[index : index + 2], 16) / 255 for index in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def validate_accent_colour(value: str) -> None:
    # The accent colour carries white text in headers and buttons: WCAG 1.4.3 asks for 4.5:1.
    if not HEX_COLOUR.match(value):
        raise ValidationError(_("Ange färgen som #rrggbb, till exempel #005a8c."))
    if contrast_ratio(value, "#ffffff") < 4.5:
        raise ValidationError(
            _("Färgen är för ljus: vit text på den behöver kontrast minst 4,5:1 (nu %(ratio).1f:1)."),
            params={"ratio": contrast_ratio(value, "#ffffff")},
        )


def validate_not_reserved(value: str) -> None:
    if value in settings.RESERVED_SLUGS:
        raise ValidationError(
            _("”%(value)s” används av webbplatsen själv och kan inte väljas."), params={"value": value}
        )
