"""Issue 20, items 6 and 7: following needs a confirmed address, every mail can be stopped, and takedown."""

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.core.privacy import personal_data_erase
from trygg.municipalities.models import Municipality
from trygg.reports.models import Report, ReportCategory, ReportFlag, ReportFollower, ReportPhoto
from trygg.reports.services import report_change

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run an action and the mail it queues when its transaction commits."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def _public_report(municipality: Municipality) -> Report:
    report = Report.objects.filter(municipality=municipality, is_public=True, state=Report.State.NEW).first()
    assert report is not None
    return report


def _links(message: mail.EmailMessage) -> list[str]:
    return re.findall(r"https?://\S+", str(message.body))


def test_following_sends_only_a_confirmation_until_the_address_is_confirmed(
    client: Client, reports_demo: Municipality, coordinator: User, sent
) -> None:
    report = _public_report(reports_demo)
    mail.outbox.clear()

    sent(lambda: client.post(f"{report.get_absolute_url()}folj/", {"email": "offer@example.org"}))
    sent(lambda: report_change(report=report, by=coordinator, state=Report.State.RECEIVED, note="Vi tittar."))

    assert [message.to for message in mail.outbox] == [["offer@example.org"]]
    assert "Bekräfta" in mail.outbox[0].subject
    assert not ReportFollower.objects.get(email="offer@example.org").confirmed_at


def test_a_confirmed_follower_gets_status_mail_with_an_unsubscribe_link_and_headers(
    client: Client, reports_demo: Municipality, coordinator: User, sent
) -> None:
    report = _public_report(reports_demo)
    sent(lambda: client.post(f"{report.get_absolute_url()}folj/", {"email": "granne@example.org"}))
    confirm = next(link for link in _links(mail.outbox[-1]) if "/folj/" in link)
    assert Client().get(confirm.split("8000", 1)[-1]).status_code == 200
    mail.outbox.clear()

    sent(lambda: report_change(report=report, by=coordinator, state=Report.State.RECEIVED, note="Vi tittar."))

    [message] = [message for message in mail.outbox if message.to == ["granne@example.org"]]
    stop = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert stop in message.body
    # One click in the mail client: a POST without a session or CSRF token.
    answer = Client(enforce_csrf_checks=True).post(
        stop.split("8000", 1)[-1], {"List-Unsubscribe": "One-Click"}
    )
    assert answer.status_code == 200
    assert not ReportFollower.objects.filter(email="granne@example.org").exists()


def test_the_reporter_can_stop_the_mail_about_their_report(
    reports_demo: Municipality, coordinator: User, sent
) -> None:
    report = _public_report(reports_demo)
    report.reporter_email = "anmalare@example.org"
    report.save()
    sent(lambda: report_change(report=report, by=coordinator, state=Report.State.RECEIVED, note="Mottagen."))
    [first] = [message for message in mail.outbox if message.to == ["anmalare@example.org"]]
    stop = first.extra_headers["List-Unsubscribe"].strip("<>")
    mail.outbox.clear()

    Client().post(stop.split("8000", 1)[-1])
    sent(lambda: report_change(report=report, by=coordinator, state=Report.State.RESOLVED, note="Klart."))

    assert not [message for message in mail.outbox if message.to == ["anmalare@example.org"]]
    report.refresh_from_db()
    assert report.reporter_mail_stopped and report.reporter_email == "anmalare@example.org"


def _photo(report: Report, *, is_public: bool = True) -> ReportPhoto:
    photo = ReportPhoto(report=report, name=f"{report.pk:032x}.jpg", width=1, height=1, is_public=is_public)
    photo.image.save(photo.name, SimpleUploadedFile(photo.name, b"\xff\xd8\xff\xd9"), save=False)
    photo.save()
    return photo


def test_staff_hide_and_show_a_report_and_a_photo_with_a_logged_reason(
    login, client: Client, reports_demo: Municipality, coordinator: User, police_officer: User
) -> None:
    report = _public_report(reports_demo)
    photo = _photo(report)
    staff = login(coordinator)
    url = f"/personal/felanmalan/{report.pk}/synlighet/"

    assert staff.post(url, {"show": "0", "reason": ""}).status_code == 400
    staff.post(url, {"photo": photo.pk, "show": "0", "reason": "En person syns i bilden"})
    assert client.get(photo.get_absolute_url()).status_code == 404
    assert photo.get_absolute_url() not in client.get(report.get_absolute_url()).content.decode()
    staff.post(url, {"show": "0", "reason": "Personuppgifter i beskrivningen"})
    assert client.get(report.get_absolute_url()).status_code == 404
    staff.post(url, {"show": "1", "reason": "Beskrivningen är rättad"})
    assert client.get(report.get_absolute_url()).status_code == 200

    reasons = set(AuditEntry.objects.filter(object_id=str(report.pk)).values_list("reason", flat=True))
    assert {
        "En person syns i bilden",
        "Personuppgifter i beskrivningen",
        "Beskrivningen är rättad",
    } <= reasons
    # A police officer does not handle the kommun's reports: 403 and nothing changes.
    assert login(police_officer).post(url, {"show": "0", "reason": "x"}).status_code == 403
    report.refresh_from_db()
    assert report.is_public


def test_staff_of_another_municipality_get_404_for_the_visibility_of_a_report(
    login, reports_demo: Municipality, outsider: User
) -> None:
    report = _public_report(reports_demo)

    response = login(outsider).post(
        f"/personal/felanmalan/{report.pk}/synlighet/", {"show": "0", "reason": "x"}
    )

    assert response.status_code == 404
    report.refresh_from_db()
    assert report.is_public


def _jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 30, 30)).save(buffer, format="JPEG")
    return SimpleUploadedFile("bild.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_a_category_that_holds_photos_for_review_stores_them_hidden(
    client: Client, reports_demo: Municipality
) -> None:
    import uuid

    category = ReportCategory.objects.get(municipality=reports_demo, slug="belysning")
    category.photos_need_review = True
    category.save()

    answer = client.post(
        "/ljungby/felanmalan/",
        {
            "category": category.pk,
            "place": "Stora torget",
            "description": "Lampan lyser inte.",
            "submission_id": str(uuid.uuid4()),
            "photos": _jpeg(),
            "step": "check",
            "not_emergency": "on",
        },
    )

    assert answer.status_code == 302
    photo = ReportPhoto.objects.latest("pk")
    assert not photo.is_public
    assert client.get(photo.get_absolute_url()).status_code == 404


def test_a_resident_reports_content_and_staff_see_it(
    client: Client, login, reports_demo: Municipality, coordinator: User
) -> None:
    report = _public_report(reports_demo)

    answer = client.post(f"{report.get_absolute_url()}anmal/", {"anmal-reason": "Mitt namn står i texten"})
    again = client.post(f"{report.get_absolute_url()}anmal/", {"anmal-reason": "Mitt namn står i texten"})

    assert answer.status_code == again.status_code == 302
    flag = ReportFlag.objects.get(report=report)
    assert flag.created_on == timezone.localdate() and len(flag.client_key) == 32
    assert (
        "Mitt namn står i texten"
        in login(coordinator).get(f"/personal/felanmalan/{report.pk}/").content.decode()
    )
    assert "Anmäl innehåll" in client.get(report.get_absolute_url()).content.decode()


def test_erasure_removes_the_persons_photos(settings, reports_demo: Municipality, coordinator: User) -> None:
    report = _public_report(reports_demo)
    report.reporter_email = "radera@example.org"
    report.save()
    _photo(report)

    personal_data_erase(email="radera@example.org", municipality=reports_demo, by=coordinator)

    assert not ReportPhoto.objects.filter(report=report).exists()
    assert AuditEntry.objects.filter(object_id=str(report.pk), changes__photos=[1, 0]).exists()


def test_unconfirmed_followers_and_handled_flags_are_purged(reports_demo: Municipality) -> None:
    from trygg.core.privacy import personal_data_purge

    report = _public_report(reports_demo)
    ReportFollower.objects.create(report=report, email="aldrig@example.org")
    ReportFlag.objects.create(
        report=report,
        reason="x",
        client_key="k",
        created_on=dt.date(2026, 1, 1),
        handled_on=dt.date(2026, 1, 2),
    )

    personal_data_purge(now=timezone.now() + dt.timedelta(days=8))

    assert not ReportFollower.objects.filter(email="aldrig@example.org").exists()
    assert not ReportFlag.objects.exists()


def test_stopping_the_mail_in_a_browser_answers_with_a_redirect_and_a_reload_posts_nothing(
    reports_demo: Municipality, coordinator: User, sent
) -> None:
    report = _public_report(reports_demo)
    sent(lambda: Client().post(f"{report.get_absolute_url()}folj/", {"email": "granne@example.org"}))
    confirm = next(link for link in _links(mail.outbox[-1]) if "/folj/" in link)
    Client().get(confirm.split("8000", 1)[-1])
    mail.outbox.clear()
    sent(lambda: report_change(report=report, by=coordinator, state=Report.State.RECEIVED, note="Vi tittar."))
    [message] = [message for message in mail.outbox if message.to == ["granne@example.org"]]
    stop = message.extra_headers["List-Unsubscribe"].strip("<>").split("8000", 1)[-1]
    browser = Client()

    answer = browser.post(stop)

    assert answer.status_code == 303
    assert not ReportFollower.objects.filter(email="granne@example.org").exists()
    page = browser.get(answer["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    assert "Du får ingen mer e-post om ärendet" in text and "<form" not in text.split("<main", 1)[1]
    assert f'href="{report.get_absolute_url()}"' in text
    # The same link posted again is refused as used, not taken as a new request.
    assert browser.post(stop).status_code == 400
