import datetime as dt
import io
import struct
import zlib

import pytest
from PIL import Image

from trygg.reports.deadlines import add_working_days, due_at, is_working_day
from trygg.reports.photos import PhotoError, photo_reencode
from trygg.reports.tests.conftest import jpeg_with_metadata
from trygg.reports.wording import reads_like_emergency

pytestmark = pytest.mark.date_sensitive


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims a huge picture; its pixel data is a few bytes of nothing."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 16))
        + chunk(b"IEND", b"")
    )


def test_a_reencoded_photo_keeps_no_exif_gps_xmp_or_comment():
    original = jpeg_with_metadata()
    clean = photo_reencode(original)

    for secret in (
        b"SecretCam",
        b"SECRETXMP",
        b"SECRETCOMMENT",
        b"hemlig kommentar",
        b"Exif",
        b"http://ns.adobe.com",
    ):
        assert secret in original or secret in (b"Exif", b"http://ns.adobe.com")
        assert secret not in clean.data
    reopened = Image.open(io.BytesIO(clean.data))
    assert reopened.format == "JPEG"
    assert not reopened.getexif()
    assert "comment" not in reopened.info and "xmp" not in reopened.info


def test_the_exif_orientation_is_applied_to_the_pixels():
    clean = photo_reencode(jpeg_with_metadata(size=(40, 20), orientation=6))

    assert (clean.width, clean.height) == (20, 40)


def test_a_photo_over_the_byte_limit_is_refused_before_anything_is_read():
    with pytest.raises(PhotoError) as refused:
        photo_reencode(b"\xff\xd8" + b"0" * 2000, max_bytes=1000)
    assert refused.value.code == "too_large"


@pytest.mark.parametrize("side", [7_000, 30_000])
def test_a_picture_with_too_many_pixels_is_refused_from_its_header(monkeypatch, side):
    decoded = []
    monkeypatch.setattr(Image.Image, "load", lambda self: decoded.append(True))

    with pytest.raises(PhotoError) as refused:
        photo_reencode(_png_header_only(side, side))

    assert refused.value.code == "too_many_pixels"
    assert decoded == []


@pytest.mark.parametrize(
    "content", [b"GIF89a not really", b"<svg xmlns='http://www.w3.org/2000/svg'/>", b"", b"%PDF-1.4"]
)
def test_files_that_are_not_images_are_refused(content):
    with pytest.raises(PhotoError) as refused:
        photo_reencode(content)
    assert refused.value.code == "not_an_image"


def test_a_truncated_jpeg_is_refused():
    with pytest.raises(PhotoError):
        photo_reencode(jpeg_with_metadata()[:200])


def test_a_png_with_transparency_becomes_a_jpeg():
    output = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(output, format="PNG")
    assert Image.open(io.BytesIO(photo_reencode(output.getvalue()).data)).format == "JPEG"


def test_working_days_skip_weekends_easter_and_midsummer_eve():
    tz = dt.timezone(dt.timedelta(hours=1))
    maundy_thursday = dt.datetime(2024, 3, 28, 10, 0, tzinfo=tz)
    assert add_working_days(maundy_thursday, 1) == dt.datetime(2024, 4, 2, 10, 0, tzinfo=tz)
    friday = dt.datetime(2024, 5, 3, 14, 0, tzinfo=tz)
    assert add_working_days(friday, 5) == dt.datetime(2024, 5, 13, 14, 0, tzinfo=tz)  # Ascension Day 9 May
    assert not is_working_day(dt.date(2024, 6, 21))  # Midsummer Eve
    assert not is_working_day(dt.date(2024, 12, 24))
    assert is_working_day(dt.date(2024, 6, 20))


def test_hours_are_counted_on_the_clock_over_weekends():
    saturday = dt.datetime(2024, 5, 4, 12, 0, tzinfo=dt.UTC)
    assert due_at(saturday, amount=24, unit="hours") == dt.datetime(2024, 5, 5, 12, 0, tzinfo=dt.UTC)


def test_text_about_violence_or_danger_reads_like_an_emergency():
    assert reads_like_emergency("En man hotade mig med kniv vid busshållplatsen") == ["hotade", "kniv"]
    assert reads_like_emergency("Det brinner i en soptunna")
    assert reads_like_emergency("Min granne blev misshandlad")


def test_ordinary_reports_do_not_read_like_an_emergency():
    for text in (
        "Klotter på hotellets vägg",
        "Trasig gatlampa",
        "Krossad ruta, skadegörelse i busskuren",
        "Skräp vid torget",
    ):
        assert reads_like_emergency(text) == []
