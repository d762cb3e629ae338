"""Photo intake: the shared image re-encoding (trygg.core.images) with the limits of residents' photos.

Pure module (Pillow only). A photo is re-encoded from its decoded pixels to a fresh JPEG, so no EXIF, GPS, XMP, ICC
profile or comment of the original survives; the EXIF orientation is applied first so that the picture stands the
right way up without it.
"""

from __future__ import annotations

from trygg.core.images import ALLOWED_FORMATS, CleanImage, ImageError, image_reencode

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
#: Stored photos are scaled down to this longest side: enough to see graffiti, small enough to serve.
MAX_SIDE = 2048

PhotoError = ImageError
CleanPhoto = CleanImage

__all__ = [
    "ALLOWED_FORMATS",
    "MAX_BYTES",
    "MAX_PIXELS",
    "MAX_SIDE",
    "CleanPhoto",
    "PhotoError",
    "photo_reencode",
]


def photo_reencode(data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> CleanPhoto:
    """Check and re-encode one uploaded photo; raises :class:`PhotoError` with a code.

    Codes: ``too_large`` (bytes), ``too_many_pixels``, ``not_an_image``, ``unsupported``.
    """
    try:
        return image_reencode(
            data, max_bytes=max_bytes, max_pixels=max_pixels, max_side=MAX_SIDE, output="JPEG"
        )
    except ImageError as error:
        if error.code == "markup":
            # An SVG or an HTML page is, for a resident sending a photo, simply not a photo.
            raise PhotoError("not_an_image") from None
        raise
