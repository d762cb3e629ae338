import pytest

from tests.browser.conftest import axe_violations, only_this_server
from trygg.demo.reports import load_reports_demo
from trygg.demo.services import demo_load
from trygg.reports.models import Report, ReportPhoto
from trygg.reports.tests.conftest import jpeg_with_metadata

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server, settings, tmp_path, page):
    settings.MAP_TILES_URL = ""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    load_reports_demo(demo_load().municipality)
    only_this_server(page, live_server.url)
    return live_server


def _send(page) -> None:
    with page.expect_navigation():
        page.click("form.stack-form button[type=submit]")


def test_issue_19_a_photo_survives_a_refused_submission_and_the_fixed_one_files_it(
    demo, page, axe, tmp_path
) -> None:
    photo = tmp_path / "IMG_0412.jpg"
    photo.write_bytes(jpeg_with_metadata(size=(640, 480)))
    page.goto(f"{demo.url}/ljungby/felanmalan/")
    page.select_option("#id_category", label="Klotter")
    page.fill("#id_place", "Stora torget")
    page.set_input_files("#id_photos", str(photo))
    _send(page)  # without a description

    assert "Beskriv problemet" in page.locator(".error-summary, [role=alert]").first.inner_text()
    assert "Bilden är kvar: IMG_0412.jpg" in page.locator(".kept-photos").inner_text()
    assert page.locator("#id_photos").input_value() == ""  # nothing to choose again
    assert axe_violations(axe, page) == []
    assert not Report.objects.filter(source=Report.Source.WEB).exists()

    page.fill("#id_description", "Nytt klotter på muren mot torget.")
    _send(page)
    if page.locator("h1").inner_text() == "Kontrollera innan du skickar":
        # A report of the same kind nearby: the confirmation step keeps the photo too.
        assert "Bilden är kvar: IMG_0412.jpg" in page.locator(".kept-photos").inner_text()
        _send(page)

    assert page.locator("h1").inner_text() == "Tack för din felanmälan"
    report = Report.objects.get(source=Report.Source.WEB)
    assert report.description == "Nytt klotter på muren mot torget."
    assert list(report.photos.values_list("state", flat=True)) == [ReportPhoto.State.READY]
