"""Photo intake: refuse what is too big before decoding, then keep only the pixels.

Pure module (Pillow only). A photo is re-encoded from its decoded pixels to a fresh JPEG, so no EXIF,
GPS, XMP, ICC profile or comment of the original survives; the EXIF orientation is applied first so that
the picture stands the right way up without it.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
#: Stored photos are scaled down to this longest side: enough to see graffiti, small enough to serve.
MAX_SIDE = 2048
ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "MPO"})


class PhotoError(ValueError):
    """The file cannot be accepted; the message is for the person who sent it."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


@dataclass(frozen=True, slots=True)
class CleanPhoto:
    data: bytes
    width: int
    height: int


def photo_reencode(data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> CleanPhoto:
    """Check and re-encode one uploaded photo; raises :class:`PhotoError` with a code.

    Codes: ``too_large`` (bytes), ``too_many_pixels``, ``not_an_image``, ``unsupported``.
    """
    if len(data) > max_bytes:
        raise PhotoError("too_large")
    try:
        with warnings.catch_warnings():
            # Pillow warns (and past twice the limit raises) on decompression bombs; we check ourselves.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(io.BytesIO(data))
            # Image.open reads only the header: the size is known before any pixel is decoded.
            width, height = image.size
            if width <= 0 or height <= 0 or width * height > max_pixels:
                raise PhotoError("too_many_pixels")
            if image.format not in ALLOWED_FORMATS:
                raise PhotoError("unsupported")
            image.load()
            image = ImageOps.exif_transpose(image)
            if image.mode not in ("RGB", "L"):
                # Transparency goes to RGBA first so that palette images keep their colours.
                image = image.convert("RGBA").convert("RGB")
            if max(image.size) > MAX_SIDE:
                image.thumbnail((MAX_SIDE, MAX_SIDE))
            # A new image from the bare pixels: nothing in .info or the EXIF block comes along.
            clean = Image.new(image.mode, image.size)
            clean.paste(image)
            output = io.BytesIO()
            clean.save(output, format="JPEG", quality=85, optimize=True)
    except PhotoError:
        raise
    except Image.DecompressionBombError:
        # Pillow's own guard, raised by Image.open from the header for far too large pictures.
        raise PhotoError("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoError("not_an_image") from None
    return CleanPhoto(data=output.getvalue(), width=clean.size[0], height=clean.size[1])
