"""Photo intake: the shared image checks and re-encoding (trygg.core.images) with the limits of residents' photos.

Pure module (Pillow only). The request only checks a photo (`photo_check`: size, type, header, no decoding) and
stores it privately; the task worker re-encodes it (`photo_reencode`) from its decoded pixels to a fresh JPEG, so no
EXIF, GPS, XMP, ICC profile or comment of the original survives, and makes its thumbnail (`photo_thumbnail`). The
EXIF orientation is applied first so that the picture stands the right way up without it.
"""

from __future__ import annotations

from trygg.core.images import (
    ALLOWED_FORMATS,
    CheckedImage,
    CleanImage,
    ImageError,
    image_check,
    image_reencode,
)

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
#: Stored photos are scaled down to this longest side: enough to see graffiti, small enough to serve.
MAX_SIDE = 2048
#: The thumbnail a report's public page shows, linked to the whole photo.
THUMBNAIL_SIDE = 480

PhotoError = ImageError
CleanPhoto = CleanImage
CheckedPhoto = CheckedImage

__all__ = [
    "ALLOWED_FORMATS",
    "MAX_BYTES",
    "MAX_PIXELS",
    "MAX_SIDE",
    "THUMBNAIL_SIDE",
    "CheckedPhoto",
    "CleanPhoto",
    "PhotoError",
    "photo_check",
    "photo_reencode",
    "photo_thumbnail",
]


def _markup_is_not_an_image(error: ImageError) -> ImageError:
    # An SVG or an HTML page is, for a resident sending a photo, simply not a photo.
    return PhotoError("not_an_image") if error.code == "markup" else error


def photo_check(data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> CheckedPhoto:
    """The request's checks of one uploaded photo, without decoding it; raises :class:`PhotoError` with a code.

    Codes: ``too_large`` (bytes), ``too_many_pixels``, ``not_an_image``, ``unsupported``.
    """
    try:
        return image_check(data, max_bytes=max_bytes, max_pixels=max_pixels)
    except ImageError as error:
        raise _markup_is_not_an_image(error) from None


def photo_reencode(data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS) -> CleanPhoto:
    """Check and re-encode one uploaded photo; raises :class:`PhotoError` with a code (as `photo_check`)."""
    try:
        return image_reencode(
            data, max_bytes=max_bytes, max_pixels=max_pixels, max_side=MAX_SIDE, output="JPEG"
        )
    except ImageError as error:
        raise _markup_is_not_an_image(error) from None


def photo_thumbnail(photo: CleanPhoto) -> CleanPhoto:
    """The small copy of a re-encoded photo."""
    return image_reencode(
        photo.data,
        max_bytes=MAX_BYTES,
        max_pixels=MAX_PIXELS,
        max_side=THUMBNAIL_SIDE,
        output="JPEG",
        quality=80,
    )
