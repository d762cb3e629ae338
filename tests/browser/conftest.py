import os
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from conftest import CHROMIUM, require_program

# Playwright's sync API runs an event loop in the test thread; the tests never touch the database from
# inside that loop, so Django's async-safety guard would only get in the way.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

WCAG_21_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Debian's Chromium, never a downloaded browser; as root it needs --no-sandbox, and the closed network
# here refuses the background connections Chromium would otherwise keep opening.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    executable = require_program(CHROMIUM, "Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


def axe_violations(axe: Axe, page: object, *, impacts: set[str] | None = None) -> list[dict]:
    results = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_A_AA}})
    violations = results.response["violations"]
    if impacts is not None:
        violations = [violation for violation in violations if violation["impact"] in impacts]
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [node["target"] for node in v["nodes"]][:5]}
        for v in violations
    ]


def staff_login(page: Any, url: str, username: str = "samordnare") -> None:
    """Log a demo member of staff in through the login form, with a valid one-time code."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from trygg.demo import ljungby

    device = TOTPDevice.objects.get(user__username=username)
    page.goto(f"{url}/personal/logga-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", ljungby.DEMO_PASSWORD)
    code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
    page.fill("#id_otp_token", f"{code:06d}")
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/personal/")
