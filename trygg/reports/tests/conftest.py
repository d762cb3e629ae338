import io

import pytest
from PIL import Image

from trygg.demo.reports import load_reports_demo
from trygg.municipalities.models import Municipality


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MAP_TILES_URL = ""


@pytest.fixture
def reports_demo(home_municipality: Municipality) -> Municipality:
    load_reports_demo(home_municipality)
    return home_municipality


def jpeg_with_metadata(size: tuple[int, int] = (40, 20), orientation: int = 6) -> bytes:
    """A JPEG carrying EXIF (orientation, GPS, camera, a comment) and an XMP packet."""
    image = Image.new("RGB", size, (200, 30, 30))
    for x in range(size[0] // 2):
        for y in range(size[1]):
            image.putpixel((x, y), (20, 20, 200))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "SecretCam"  # Make
    exif[0x9286] = "hemlig kommentar"
    exif[0x8825] = {1: "N", 2: (56.0, 50.0, 1.0), 3: "E", 4: (13.0, 56.0, 2.0)}  # GPS IFD
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>SECRETXMP</rdf:Description></x:xmpmeta>'
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif.tobytes(), comment=b"SECRETCOMMENT", xmp=xmp)
    return output.getvalue()
