"""The coordinator's people pages in a real browser: an invitation, a first login with a new authenticator app read
from the QR code on screen, and the reminders that reach both parties. No /admin/ URL is used."""

import datetime as dt
import io
import re
from base64 import b32decode
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.core import mail
from django.core.management import call_command
from django_otp.oath import TOTP

from tests.browser.conftest import axe_violations, staff_login
from trygg.accounts.models import User
from trygg.demo.services import demo_load
from trygg.followup.models import ReminderSent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "ett långt lösenord för Nora"


def _code(secret: str, *, steps_ahead: int = 0) -> str:
    key = b32decode(secret + "=" * (-len(secret) % 8))
    totp = TOTP(key, step=30, digits=6)
    totp.time = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30 * steps_ahead)).timestamp()
    return f"{totp.token():06d}"


def _decode_qr(png: bytes) -> str:
    """Read the QR code the way a phone's camera would: from the pixels on screen, with zxing-cpp."""
    import zxingcpp
    from PIL import Image

    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert found, "no QR code could be read from the screen"
    return str(found[0].text)


@pytest.fixture
def demo(live_server, settings):
    settings.SITE_URL = live_server.url
    demo_load()
    return live_server


def test_a_coordinator_invites_a_user_who_enrols_an_app_logs_in_and_reminders_reach_both_parties(
    demo, browser, page, axe
) -> None:
    staff_login(page, demo.url, "samordnare")
    page.get_by_role("link", name=re.compile("Personal i Ljungby kommun")).click()
    assert axe_violations(axe, page) == []
    page.fill("#id_inbjudan-email", "nora.nyberg@ljungby.example")
    page.fill("#id_inbjudan-first_name", "Nora")
    page.fill("#id_inbjudan-last_name", "Nyberg")
    page.select_option("#id_inbjudan-role", "crew")
    page.select_option("#id_inbjudan-party", label="Ljungby kommun")
    page.get_by_role("button", name="Skicka inbjudan").click()
    page.wait_for_selector("text=En inbjudan har skickats till nora.nyberg@ljungby.example")
    assert "nora.nyberg@ljungby.example" in page.locator("table").first.inner_text()

    invitation = mail.outbox[-1]
    assert invitation.to == ["nora.nyberg@ljungby.example"]
    found = re.search(r"http://\S+/personal/inbjudan/\S+/", invitation.body)
    assert found is not None
    link = found.group(0)
    assert link.startswith(demo.url)

    context = browser.new_context(viewport={"width": 375, "height": 800}, locale="sv-SE")
    invitee = context.new_page()
    invitee.goto(link)
    invitee.fill("#id_username", "nora")
    invitee.fill("#id_password1", PASSWORD)
    invitee.fill("#id_password2", PASSWORD)
    invitee.get_by_role("button", name="Fortsätt").click()
    invitee.wait_for_url(f"{demo.url}/personal/autentiseringsapp/")
    assert axe_violations(axe, invitee) == []

    uri = _decode_qr(invitee.locator(".qr-code svg").screenshot())
    parsed = urlsplit(uri)
    assert (parsed.scheme, parsed.netloc) == ("otpauth", "totp")
    assert unquote(parsed.path) == "/Trygg:nora"
    secret = parse_qs(parsed.query)["secret"][0]
    assert invitee.locator("#secret-key").inner_text().replace(" ", "") == secret
    invitee.fill("#id_token", _code(secret))
    invitee.get_by_role("button", name="Bekräfta").click()
    invitee.wait_for_url(f"{demo.url}/personal/")
    assert "Autentiseringsappen är klar" in invitee.content()

    invitee.get_by_role("button", name="Logga ut").click()
    invitee.goto(f"{demo.url}/personal/logga-in/")
    invitee.fill("#id_username", "nora")
    invitee.fill("#id_password", PASSWORD)
    invitee.fill("#id_otp_token", _code(secret, steps_ahead=1))  # the first code is spent; the next one works
    invitee.get_by_role("button", name="Logga in").click()
    invitee.wait_for_url(f"{demo.url}/personal/")
    assert "Inloggad som Nora Nyberg" in invitee.content()
    assert invitee.goto(f"{demo.url}/admin/").status == 403
    context.close()

    mail.outbox.clear()
    call_command("send_reminders", "--date", "2023-12-10")

    by_address = {message.to[0]: message for message in mail.outbox}
    assert {
        "samordnare@ljungby.example",
        "kommunpolis@ljungby.example",
        "nora.nyberg@ljungby.example",
    } <= set(by_address)
    police = by_address["kommunpolis@ljungby.example"].body
    assert "Polisen bjuder in Centrumföreningen" in police
    assert f"{demo.url}/personal/aktiviteter/" in police
    assert ReminderSent.objects.filter(user=User.objects.get(username="kommunpolis")).exists()

    page.goto(f"{demo.url}/personal/")
    page.get_by_role("link", name=re.compile("Påminnelser i Ljungby kommun")).click()
    log = page.locator("main").inner_text()
    assert "Kim Polis" in log and "Sam Ordnare" in log and "Nora Nyberg" in log
    assert axe_violations(axe, page) == []
    assert "/admin/" not in page.content()
