"""Photos off the request path (issue 21, item 3) and photos kept through a refused form (issue 19, item 4)."""

import io
import logging
import uuid
from pathlib import Path
from typing import Any

import exifread
import numpy as np
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.municipalities.models import Municipality
from trygg.reports.models import Report, ReportCategory, ReportPhoto
from trygg.reports.photos import THUMBNAIL_SIDE, photo_check
from trygg.reports.tasks import report_photo_process_task
from trygg.reports.tests.conftest import jpeg_with_metadata

pytestmark = pytest.mark.django_db

FORM = "/ljungby/felanmalan/"


@pytest.fixture
def queued_tasks(settings: Any) -> None:
    """Tasks are queued, as with the database backend in production, instead of run at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _form(municipality: Municipality, **fields: object) -> dict[str, object]:
    category = ReportCategory.objects.get(municipality=municipality, slug="klotter")
    return {
        "category": category.pk,
        "place": "Salvesbacken",
        "description": "Klotter på muren vid lekplatsen.",
        "submission_id": str(uuid.uuid4()),
        "website": "",
        **fields,
    }


def _media(name: str) -> Path:
    return Path(django_settings.MEDIA_ROOT) / name


def _exif_tags(data: bytes) -> dict[str, Any]:
    # ExifRead: a reader of EXIF written independently of Pillow, which wrote the test photo.
    return exifread.process_file(io.BytesIO(data), details=False)


def _noise_jpeg(size: tuple[int, int] = (800, 600)) -> bytes:
    pixels = np.random.default_rng(3).integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    output = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(output, format="JPEG", quality=90)
    return output.getvalue()


def test_a_post_with_a_photo_answers_before_re_encoding_and_nothing_of_the_upload_is_public(
    client: Client, reports_demo: Municipality, queued_tasks: None, django_capture_on_commit_callbacks: Any
) -> None:
    upload = jpeg_with_metadata(size=(960, 480))

    response = client.post(FORM, _form(reports_demo, photos=[SimpleUploadedFile("IMG_1.jpg", upload)]))

    assert response.status_code == 302
    photo = ReportPhoto.objects.get()
    assert photo.state == ReportPhoto.State.PROCESSING
    # The request stored the upload as it came, in a directory nothing serves: it did not decode or re-encode it.
    assert (photo.image.name or "").startswith("reports/incoming/")
    assert _media(photo.image.name or "").read_bytes() == upload
    assert not photo.thumbnail
    assert client.get(photo.get_absolute_url()).status_code == 404
    page = client.get(photo.report.get_absolute_url()).content.decode()
    assert "Bilden bearbetas" in page
    assert photo.name not in page
    assert client.get(f"/media/{photo.image.name}").status_code == 404
    queued = report_photo_process_task.get_backend().results  # type: ignore[attr-defined]
    assert [result.kwargs for result in queued] == [{"photo_id": photo.pk}]

    with django_capture_on_commit_callbacks(execute=True):
        assert report_photo_process_task.call(photo_id=photo.pk) == ReportPhoto.State.READY

    photo.refresh_from_db()
    assert not _media("reports/incoming").exists() or not any(_media("reports/incoming").iterdir())
    assert client.get(photo.get_absolute_url()).status_code == 200
    page = client.get(photo.report.get_absolute_url()).content.decode()
    assert "Bilden bearbetas" not in page
    assert f'src="{photo.get_thumbnail_url()}"' in page and f'href="{photo.get_absolute_url()}"' in page


def test_the_task_strips_the_gps_position_and_every_other_tag_as_an_independent_reader_sees(
    client: Client, reports_demo: Municipality, queued_tasks: None
) -> None:
    upload = jpeg_with_metadata(size=(960, 480))
    assert "GPS GPSLatitude" in _exif_tags(upload)  # the reader does see the position in what was sent
    client.post(FORM, _form(reports_demo, photos=[SimpleUploadedFile("IMG_1.jpg", upload)]))
    photo = ReportPhoto.objects.get()

    report_photo_process_task.call(photo_id=photo.pk)

    photo.refresh_from_db()
    stored, thumbnail = photo.image.read(), photo.thumbnail.read()
    for data in (stored, thumbnail):
        assert _exif_tags(data) == {}
        assert b"SecretCam" not in data and b"SECRETXMP" not in data and b"Exif" not in data
    # The EXIF orientation (6: turned a quarter) was applied to the pixels before it was dropped.
    assert Image.open(io.BytesIO(stored)).size == (480, 960) == (photo.width, photo.height)
    assert max(Image.open(io.BytesIO(thumbnail)).size) == THUMBNAIL_SIDE
    served = client.get(photo.get_thumbnail_url())
    assert served.status_code == 200 and b"".join(served.streaming_content) == thumbnail  # type: ignore[attr-defined]


def test_a_corrupt_photo_that_passes_the_request_check_fails_in_the_task_is_removed_and_staff_are_told(
    client: Client,
    reports_demo: Municipality,
    queued_tasks: None,
    login: Any,
    coordinator: User,
    outsider: User,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Any,
) -> None:
    whole = _noise_jpeg()
    broken = whole[: len(whole) // 2]  # the header is whole, the picture's data stops half-way
    assert photo_check(broken).width == 800

    assert (
        client.post(FORM, _form(reports_demo, photos=[SimpleUploadedFile("a.jpg", broken)])).status_code
        == 302
    )
    photo = ReportPhoto.objects.get()
    upload = _media(photo.image.name or "")
    assert upload.exists()

    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        assert report_photo_process_task.call(photo_id=photo.pk) == ReportPhoto.State.FAILED

    photo.refresh_from_db()
    assert photo.state == ReportPhoto.State.FAILED and not photo.image and not photo.thumbnail
    assert not upload.exists()
    assert any("could not be re-encoded" in record.getMessage() for record in caplog.records)
    entry = AuditEntry.objects.filter(object_id=str(photo.report_id), changes__photo__isnull=False).get()
    assert "kunde inte bearbetas" in entry.reason
    public = client.get(photo.report.get_absolute_url()).content.decode()
    assert "Bilden bearbetas" not in public and photo.name not in public
    staff_url = f"/personal/felanmalan/{photo.report_id}/"
    assert "kunde inte bearbetas och togs bort" in login(coordinator).get(staff_url).content.decode()
    assert login(outsider).get(staff_url).status_code == 404


def test_a_photo_sent_twice_to_the_worker_is_processed_once(
    client: Client, reports_demo: Municipality, queued_tasks: None
) -> None:
    client.post(FORM, _form(reports_demo, photos=[SimpleUploadedFile("a.jpg", jpeg_with_metadata())]))
    photo = ReportPhoto.objects.get()

    assert report_photo_process_task.call(photo_id=photo.pk) == ReportPhoto.State.READY
    assert report_photo_process_task.call(photo_id=photo.pk) == "gone"
    assert report_photo_process_task.call(photo_id=photo.pk + 1000) == "gone"


# ------------------------------------------------------------------ kept photos


def test_a_photo_is_kept_when_the_description_is_missing_and_the_fixed_post_files_it(
    client: Client, reports_demo: Municipality, django_capture_on_commit_callbacks: Any
) -> None:
    data = _form(reports_demo, description="")

    refused = client.post(
        FORM, {**data, "photos": [SimpleUploadedFile("IMG_0412.jpg", jpeg_with_metadata())]}
    )

    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Bilden är kvar: <strong>IMG_0412.jpg</strong>" in page
    assert 'name="remove_photo"' in page
    assert not Report.objects.filter(source=Report.Source.WEB).exists()

    pending = _media(f"reports/pending/{uuid.UUID(str(data['submission_id'])).hex}")
    assert len(list(pending.iterdir())) == 1

    with django_capture_on_commit_callbacks(execute=True):
        filed = client.post(FORM, {**data, "description": "Klotter på muren."})

    assert filed.status_code == 302
    report = Report.objects.get(submission_id=str(data["submission_id"]))
    assert report.photos.get().state == ReportPhoto.State.READY
    assert not list(pending.iterdir())
    assert "reports_kept_photos" not in client.session or not client.session["reports_kept_photos"]


def test_a_photo_is_kept_when_the_place_is_outside_the_municipality(
    client: Client, reports_demo: Municipality
) -> None:
    data = _form(reports_demo, place="", latitude="59.3293", longitude="18.0686")

    refused = client.post(FORM, {**data, "photos": [SimpleUploadedFile("muren.jpg", jpeg_with_metadata())]})

    assert refused.status_code == 400
    assert "utanför" in refused.content.decode() and "Bilden är kvar" in refused.content.decode()
    filed = client.post(FORM, {**data, "place": "Salvesbacken", "latitude": "", "longitude": ""})
    assert filed.status_code == 302
    assert ReportPhoto.objects.filter(report__submission_id=str(data["submission_id"])).count() == 1


def test_a_kept_photo_can_be_removed_and_is_then_not_filed(
    client: Client, reports_demo: Municipality
) -> None:
    data = _form(reports_demo, description="")
    client.post(FORM, {**data, "photos": [SimpleUploadedFile("a.jpg", jpeg_with_metadata())]})
    token = client.session["reports_kept_photos"][uuid.UUID(str(data["submission_id"])).hex][0][0]
    kept = _media(f"reports/pending/{uuid.UUID(str(data['submission_id'])).hex}/{token}")
    assert kept.exists()

    filed = client.post(FORM, {**data, "description": "Klotter.", "remove_photo": token})

    assert filed.status_code == 302
    assert not ReportPhoto.objects.exists()
    assert not kept.exists()


def test_a_kept_photo_is_tied_to_the_session_that_chose_it(
    client: Client, reports_demo: Municipality
) -> None:
    data = _form(reports_demo, description="")
    client.post(FORM, {**data, "photos": [SimpleUploadedFile("a.jpg", jpeg_with_metadata())]})
    token = client.session["reports_kept_photos"][uuid.UUID(str(data["submission_id"])).hex][0][0]

    # Another visitor who somehow had the submission id and the token cannot file or remove the photo.
    stranger = Client()
    page = stranger.post(FORM, {**data, "description": "Klotter.", "remove_photo": token})

    assert page.status_code == 302
    assert not ReportPhoto.objects.exists()
    assert _media(f"reports/pending/{uuid.UUID(str(data['submission_id'])).hex}/{token}").exists()


def test_kept_photos_count_towards_the_limit_of_three(client: Client, reports_demo: Municipality) -> None:
    data = _form(reports_demo, description="")
    photos = [SimpleUploadedFile(f"{n}.jpg", jpeg_with_metadata()) for n in range(2)]
    client.post(FORM, {**data, "photos": photos})

    again = client.post(
        FORM, {**data, "photos": [SimpleUploadedFile(f"{n}.jpg", jpeg_with_metadata()) for n in range(2)]}
    )

    assert again.status_code == 400
    assert "högst 3 bilder" in again.content.decode()
    assert again.content.decode().count("Bilden är kvar") == 2
