"""What residents leave behind, put in through the public forms, for the tests of retention, export and erasure."""

import io
import uuid
from pathlib import Path

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client, TestCase
from PIL import Image

from trygg.reports.models import Report, ReportCategory


def jpeg(colour: tuple[int, int, int] = (200, 30, 30)) -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(output, format="JPEG")
    return SimpleUploadedFile("foto.jpg", output.getvalue(), content_type="image/jpeg")


def report_file(client: Client, *, photos: int = 1, **fields: object) -> Report:
    """File a report through the public form, as a resident does, and return it."""
    submission = uuid.uuid4()
    category = ReportCategory.objects.get(municipality__slug="ljungby", slug="belysning")
    data = {
        "category": category.pk,
        "place": "Salvesbacken",
        "description": "Lampan vid parkens ingång lyser inte.",
        "submission_id": str(submission),
        "website": "",
        **fields,
    }
    # The commit callbacks run as after a real commit (the photos stashed for a check step are let go then).
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/ljungby/felanmalan/", {**data, "photos": [jpeg() for _ in range(photos)]})
        if response.status_code == 200 and 'name="step" value="check"' in response.content.decode():
            # A possible duplicate nearby: the resident files theirs anyway; the photos wait on the server.
            response = client.post("/ljungby/felanmalan/", {**data, "step": "check", "not_emergency": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Report.objects.get(submission_id=submission)


def media_files(root: Path) -> set[str]:
    """Every file under the media root, as the names file fields store."""
    if not root.exists():
        return set()
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def file_names_in_database() -> set[str]:
    """Every name any file field of any model holds: read here on its own, not through the code under test."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                names.update(
                    name for name in model._default_manager.values_list(field.name, flat=True) if name
                )
    return names
