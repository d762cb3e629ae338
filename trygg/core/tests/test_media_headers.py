"""Issue 20, item 1: every uploaded file a view serves is inert in a browser, and no script reads the CSRF cookie."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from trygg.core.files import MEDIA_CONTENT_SECURITY_POLICY
from trygg.followup.models import Execution
from trygg.promises.models import Activity

PAYLOAD = b"<html><script>fetch('/admin/', {method: 'POST'})</script></html>"


@pytest.fixture
def logos(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.ROOT_URLCONF = "trygg.core.tests.urls_with_logos"
    (tmp_path / "logos").mkdir()
    return tmp_path / "logos"


@pytest.mark.parametrize("name", ["takeover.html", "takeover.svg", "takeover.htm", "takeover"])
def test_a_logo_that_is_not_an_image_is_downloaded_under_a_sandbox_policy(client, logos, name) -> None:
    (logos / name).write_bytes(PAYLOAD)

    response = client.get(f"/media/logos/{name}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == "attachment"
    assert response["Content-Security-Policy"] == MEDIA_CONTENT_SECURITY_POLICY
    assert MEDIA_CONTENT_SECURITY_POLICY.startswith("default-src 'none'; sandbox;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_png_logo_is_shown_inline_under_the_same_policy(client, logos) -> None:
    (logos / "ljungby.png").write_bytes(b"\x89PNG\r\n\x1a\n")

    response = client.get("/media/logos/ljungby.png")

    assert response["Content-Type"] == "image/png"
    assert not response.get("Content-Disposition", "inline").startswith("attachment")
    assert response["Content-Security-Policy"].startswith("default-src 'none'; sandbox;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_execution_attachment_named_like_a_pdf_or_an_image_is_still_only_downloaded(
    settings, tmp_path, login, coordinator, home_municipality
) -> None:
    settings.MEDIA_ROOT = tmp_path
    activity = Activity.objects.filter(focus_area__promise__municipality=home_municipality).first()
    assert activity is not None
    for name in ("rapport.pdf", "foto.png", "foto.jpg"):
        execution = Execution.objects.create(activity=activity, done_on=dt.date(2023, 5, 2), description="x")
        execution.attachment.save(name, ContentFile(PAYLOAD))

        response = login(coordinator).get(reverse("followup:attachment", args=[execution.pk]))

        assert response["Content-Disposition"].startswith("attachment;")
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Security-Policy"].startswith("default-src 'none'; sandbox;")


def test_a_report_photo_carries_the_sandbox_policy(settings, tmp_path, client, home_municipality) -> None:
    from trygg.reports.models import Report, ReportPhoto

    settings.MEDIA_ROOT = tmp_path
    report = Report.objects.filter(municipality=home_municipality, is_public=True).first()
    if report is None:
        from trygg.demo.reports import load_reports_demo

        load_reports_demo(home_municipality)
        report = Report.objects.filter(municipality=home_municipality, is_public=True).first()
    assert report is not None
    photo = ReportPhoto(report=report, name="ab" * 16 + ".jpg", width=1, height=1)
    photo.image.save(photo.name, ContentFile(b"\xff\xd8\xff\xd9"), save=False)
    photo.save()

    response = client.get(photo.get_absolute_url())

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Security-Policy"].startswith("default-src 'none'; sandbox;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_csrf_cookie_is_httponly_so_no_script_can_read_it(client) -> None:
    response = client.get("/personal/logga-in/")

    cookie = response.cookies["csrftoken"]
    assert cookie["httponly"] is True
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
