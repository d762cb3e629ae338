"""The municipality's logo: a raster image, re-encoded like residents' photos, stored under a name Trygg chose.

nginx serves `/media/logos/` straight from disk on every public page, so nothing but freshly encoded pixels may
ever land there. The check sits in the model field itself, so that every way in (the staff profile page, the
platform operators' admin, a shell) stores the same clean PNG:

- `validate_logo` runs in `full_clean()` (every ModelForm, the admin included) and refuses SVG, HTML and anything
  that is not a JPEG, PNG, WebP or GIF, with a Swedish message;
- `LogoField.pre_save` re-encodes a new upload to PNG (transparency kept) named `logos/<random>.png`, and refuses
  to save what cannot be re-encoded even where no form validated it.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:  # Pillow is imported only when a logo is re-encoded (issue 21: commands start at once)
    from trygg.core.images import CleanImage

MAX_BYTES = 2 * 1024 * 1024
MAX_PIXELS = 16_000_000
#: Shown 2.5rem high in the header; 512 px is sharp on any screen and small to serve.
MAX_SIDE = 512
ACCEPT = "image/png,image/jpeg,image/webp,image/gif"

ERRORS = {
    "too_large": _("Logotypen är för stor: högst 2 MB."),
    "too_many_pixels": _("Logotypen har för många bildpunkter: högst 16 miljoner."),
    "markup": _(
        "SVG- och HTML-filer tas inte emot som logotyp. Spara logotypen som PNG (gärna med genomskinlig "
        "bakgrund), JPEG eller WebP och ladda upp den filen."
    ),
    "unsupported": _("Logotypen ska vara en bild i formatet PNG, JPEG, WebP eller GIF."),
    "not_an_image": _(
        "Filen är ingen bild som kan visas. Ladda upp logotypen som PNG, JPEG, WebP eller GIF (inte SVG)."
    ),
}


def logo_reencode(data: bytes) -> CleanImage:
    """A fresh PNG of the upload's pixels, or a ValidationError saying in Swedish why not."""
    from trygg.core.images import ImageError, image_reencode

    try:
        return image_reencode(
            data, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS, max_side=MAX_SIDE, output="PNG"
        )
    except ImageError as error:
        raise ValidationError(ERRORS[error.code], code=f"logo_{error.code}") from None


def _uploaded_bytes(value: Any) -> bytes:
    if getattr(value, "size", None) is not None and value.size > MAX_BYTES:
        raise ValidationError(ERRORS["too_large"], code="logo_too_large")
    handle = value.file if isinstance(value, FieldFile) else value
    handle.seek(0)
    # One byte more than the limit is enough to know it is too large.
    data = handle.read(MAX_BYTES + 1)
    handle.seek(0)
    return bytes(data)


def _is_new_upload(value: Any) -> bool:
    return bool(value) and not getattr(value, "_committed", True)


def validate_logo(value: Any) -> None:
    """Refuse an upload that is not a raster image; stored logos were re-encoded when they were saved."""
    if _is_new_upload(value):
        logo_reencode(_uploaded_bytes(value))


def logo_name(clean: CleanImage) -> str:
    """A name nobody chose: no extension, path or character of the upload's own name is kept."""
    return f"{secrets.token_hex(12)}.{clean.extension}"


class LogoField(models.FileField):
    default_validators = [validate_logo]

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        file = models.Field.pre_save(self, model_instance, add)
        if _is_new_upload(file):
            clean = logo_reencode(_uploaded_bytes(file))
            file.save(logo_name(clean), ContentFile(clean.data), save=False)
        return file

    def formfield(self, **kwargs: Any) -> Any:
        widget = forms.ClearableFileInput(attrs={"accept": ACCEPT})
        return super().formfield(**{"widget": widget, **kwargs})
