import io

import pytest
from PIL import Image

from trygg.core.images import CleanImage, ImageError, OutputFormat, image_reencode


def _reencode(data: bytes, output: OutputFormat = "JPEG") -> CleanImage:
    return image_reencode(data, max_bytes=1_000_000, max_pixels=1_000_000, max_side=64, output=output)


def _image(format: str, mode: str = "RGB", size: tuple[int, int] = (20, 10), **save: object) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, 120).save(buffer, format=format, **save)
    return buffer.getvalue()


def test_a_gif_with_html_appended_comes_out_as_a_png_holding_only_pixels() -> None:
    polyglot = _image("GIF", "P") + b"<html><script>alert(document.cookie)</script></html>"

    clean = _reencode(polyglot, output="PNG")

    assert clean.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert b"script" not in clean.data
    assert (clean.extension, clean.content_type) == ("png", "image/png")


def test_exif_is_dropped_and_large_images_are_scaled_to_the_longest_side() -> None:
    exif = Image.Exif()
    exif[0x010E] = "Hemlig beskrivning"  # ImageDescription
    data = _image("JPEG", size=(300, 150), exif=exif.tobytes())

    clean = _reencode(data, output="JPEG")

    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.size == (64, 32)
        assert not image.getexif()
    assert b"Hemlig" not in clean.data


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "markup"),
        (b"\xef\xbb\xbf  \n<!DOCTYPE html><p>hej</p>", "markup"),
        (b"%PDF-1.7 not an image", "not_an_image"),
        (b"", "not_an_image"),
    ],
)
def test_markup_and_non_images_are_refused_with_a_code(data: bytes, code: str) -> None:
    with pytest.raises(ImageError) as raised:
        _reencode(data)

    assert raised.value.code == code


def test_an_image_format_outside_the_list_is_unsupported() -> None:
    with pytest.raises(ImageError) as raised:
        _reencode(_image("TIFF"))

    assert raised.value.code == "unsupported"


def test_too_many_bytes_or_pixels_are_refused_before_decoding() -> None:
    with pytest.raises(ImageError) as too_large:
        image_reencode(b"x" * 11, max_bytes=10, max_pixels=100, max_side=10)
    with pytest.raises(ImageError) as too_many:
        image_reencode(_image("PNG", size=(200, 200)), max_bytes=10**6, max_pixels=100, max_side=10)

    assert (too_large.value.code, too_many.value.code) == ("too_large", "too_many_pixels")


def test_a_truncated_photo_is_refused_even_after_weasyprint_let_pillow_load_truncated_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PIL import ImageFile

    noise = Image.frombytes("RGB", (200, 100), bytes(range(256)) * 234 + bytes(96))
    buffer = io.BytesIO()
    noise.save(buffer, format="JPEG", quality=95)
    truncated = buffer.getvalue()[: len(buffer.getvalue()) // 2]
    # What importing WeasyPrint does to the whole process.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)

    with pytest.raises(ImageError):
        image_reencode(truncated, max_bytes=1_000_000, max_pixels=1_000_000, max_side=400)

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # WeasyPrint's own setting is left as it was
