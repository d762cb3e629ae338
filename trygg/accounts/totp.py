"""What a person needs to set up an authenticator app: the otpauth URI as a QR code (inline SVG, drawn by segno)
and the same secret as text, for apps without a camera."""

from base64 import b32encode
from dataclasses import dataclass

import segno
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice


@dataclass(frozen=True)
class AuthenticatorSetup:
    uri: str
    key_text: str
    qr_svg: SafeString


def authenticator_setup(device: TOTPDevice) -> AuthenticatorSetup:
    uri = device.config_url
    secret = b32encode(device.bin_key).decode().rstrip("=")
    # segno writes only its own elements and the escaped title: nothing from a user reaches the markup unescaped.
    svg = segno.make(uri, error="m", micro=False).svg_inline(
        scale=4,
        border=4,
        dark="#000000",
        light="#ffffff",
        omitsize=True,
        title=_("QR-kod för autentiseringsappen"),
    )
    return AuthenticatorSetup(
        uri=uri,
        key_text=" ".join(secret[index : index + 4] for index in range(0, len(secret), 4)),
        qr_svg=mark_safe(svg),  # noqa: S308 - segno's own SVG, see above
    )
