"""Image intake shared by every upload that is shown to others: refuse what is too big before decoding, then keep
only the pixels.

Pure module (Pillow only). An image is re-encoded from its decoded pixels to a fresh file, so no EXIF, GPS, XMP, ICC
profile, comment or trailing bytes of the original survive, and whatever the upload claimed to be (an SVG, an HTML
page named logo.png, a polyglot) nothing of it is stored but pixels. The EXIF orientation is applied first so that
the picture stands the right way up without it.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

#: Raster formats accepted from an upload; everything else (SVG, PDF, HTML, TIFF, ICO…) is refused.
ALLOWED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "MPO"})
OutputFormat = Literal["JPEG", "PNG", "WEBP"]
EXTENSIONS: dict[str, str] = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES: dict[str, str] = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class ImageError(ValueError):
    """The file cannot be accepted; the code says why, the caller words it for the person who sent it.

    Codes: ``too_large`` (bytes), ``too_many_pixels``, ``not_an_image``, ``unsupported`` (an image format not in
    ALLOWED_FORMATS), ``markup`` (SVG, HTML or other text starting with ``<``).
    """

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


@dataclass(frozen=True, slots=True)
class CleanImage:
    data: bytes
    width: int
    height: int
    format: str = "JPEG"

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]


def _looks_like_markup(data: bytes) -> bool:
    # SVG and HTML are text that starts with a tag (after a byte order mark and white space).
    head = data[:512].lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")
    return head.startswith(b"<")


@dataclass(frozen=True, slots=True)
class CheckedImage:
    """An upload whose header passed the checks; its pixels have not been decoded."""

    data: bytes
    width: int
    height: int
    format: str


def _open_checked(data: bytes, *, max_bytes: int, max_pixels: int) -> Image.Image:
    if len(data) > max_bytes:
        raise ImageError("too_large")
    if _looks_like_markup(data):
        raise ImageError("markup")
    image: Image.Image = Image.open(io.BytesIO(data))
    # Image.open reads only the header: the size is known before any pixel is decoded.
    width, height = image.size
    if width <= 0 or height <= 0 or width * height > max_pixels:
        raise ImageError("too_many_pixels")
    if image.format not in ALLOWED_FORMATS:
        raise ImageError("unsupported")
    return image


def image_check(data: bytes, *, max_bytes: int, max_pixels: int) -> CheckedImage:
    """The cheap checks of an upload, for a request that stores it and leaves the decoding to a task: size in
    bytes, markup, the header's format and pixel count, and Pillow's verify (chunk checksums where the format has
    them). A file that passes can still fail to decode; :func:`image_reencode` then raises ``not_an_image``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = _open_checked(data, max_bytes=max_bytes, max_pixels=max_pixels)
            width, height, image_format = image.size[0], image.size[1], str(image.format)
            image.verify()
    except ImageError:
        raise
    except Image.DecompressionBombError:
        raise ImageError("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageError("not_an_image") from None
    return CheckedImage(data=data, width=width, height=height, format=image_format)


_WHOLE_IMAGES_ONLY = threading.Lock()


@contextmanager
def _whole_images_only() -> Iterator[None]:
    """Decode with Pillow refusing truncated files, whatever the process-wide setting says: WeasyPrint turns
    `ImageFile.LOAD_TRUNCATED_IMAGES` on for the whole process when it is imported (for its PDFs), which would let a
    photo cut off half-way through be published with its lower half grey."""
    with _WHOLE_IMAGES_ONLY:
        before = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = before


def image_reencode(
    data: bytes,
    *,
    max_bytes: int,
    max_pixels: int,
    max_side: int,
    output: OutputFormat = "JPEG",
    quality: int = 85,
) -> CleanImage:
    """Check and re-encode one uploaded raster image; raises :class:`ImageError` with a code.

    JPEG output drops transparency (onto black, as Pillow converts); PNG and WebP keep it.
    """
    try:
        with warnings.catch_warnings():
            # Pillow warns (and past twice the limit raises) on decompression bombs; we check ourselves.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = _open_checked(data, max_bytes=max_bytes, max_pixels=max_pixels)
            with _whole_images_only():
                image.load()
            image = ImageOps.exif_transpose(image)
            if output == "JPEG":
                if image.mode not in ("RGB", "L"):
                    # Transparency goes to RGBA first so that palette images keep their colours.
                    image = image.convert("RGBA").convert("RGB")
            elif image.mode not in ("RGB", "RGBA", "L", "LA"):
                image = image.convert("RGBA")
            if max(image.size) > max_side:
                image.thumbnail((max_side, max_side))
            # A new image from the bare pixels: nothing in .info or the EXIF block comes along.
            clean = Image.new(image.mode, image.size)
            clean.paste(image)
            buffer = io.BytesIO()
            if output == "JPEG":
                clean.save(buffer, format="JPEG", quality=quality, optimize=True)
            elif output == "PNG":
                clean.save(buffer, format="PNG", optimize=True)
            else:
                clean.save(buffer, format="WEBP", quality=quality)
    except ImageError:
        raise
    except Image.DecompressionBombError:
        # Pillow's own guard, raised by Image.open from the header for far too large pictures.
        raise ImageError("too_many_pixels") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ImageError("not_an_image") from None
    return CleanImage(data=buffer.getvalue(), width=clean.size[0], height=clean.size[1], format=output)
