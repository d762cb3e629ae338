import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from trygg.followup.models import Execution
from trygg.promises.models import Activity


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def execution_with_attachment(home_municipality, media_root) -> Execution:
    activity = Activity.objects.filter(focus_area__promise__municipality=home_municipality).first()
    assert activity is not None
    execution = Execution.objects.create(activity=activity, done_on=dt.date(2023, 5, 2), description="Besök")
    execution.attachment.save("kvitto.html", ContentFile(b"<script>alert(1)</script>"))
    return execution


def test_staff_of_the_municipality_download_an_attachment_as_bytes_whatever_its_name_claims(
    login, coordinator, execution_with_attachment
) -> None:
    response = login(coordinator).get(reverse("followup:attachment", args=[execution_with_attachment.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"


def test_staff_of_another_municipality_get_404_for_an_attachment(login, outsider, execution_with_attachment):
    response = login(outsider).get(reverse("followup:attachment", args=[execution_with_attachment.pk]))

    assert response.status_code == 404


def test_an_anonymous_visitor_is_sent_to_login_for_an_attachment(client, execution_with_attachment) -> None:
    response = client.get(reverse("followup:attachment", args=[execution_with_attachment.pk]))

    assert response.status_code == 302 and "/personal/logga-in/" in response["Location"]


def test_uploads_are_not_served_from_the_media_url(client, execution_with_attachment) -> None:
    response = client.get(f"/media/{execution_with_attachment.attachment.name}")

    assert response.status_code == 404
