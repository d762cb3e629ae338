import datetime as dt
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread

from conftest import CHROMIUM, require_program

# Playwright's sync API runs an event loop in the test thread; the tests never touch the database from
# inside that loop, so Django's async-safety guard would only get in the way.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class _OneRequestAtATime(WSGIServer):
    """The live server answers one request at a time, in its own thread.

    On SQLite the test database lives in memory and Django hands the server the test thread's one connection;
    with a thread per request, a browser's parallel requests (a page and a script's fetch) would use that one
    connection at once. Without threads Django also closes each connection after its response, so a browser's
    kept-alive connection never holds the server up.
    """

    def __init__(self, *args: Any, connections_override: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = _OneRequestAtATime

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


def only_this_server(page: Any, url: str) -> None:
    """The page may load only what the live server at `url` serves: map tiles, fonts or anything else from outside
    would fail in the closed network here and make a test depend on it."""
    page.route(
        "**/*", lambda route: route.continue_() if route.request.url.startswith(url) else route.abort()
    )


# The day the dated demo is served on: the 2023 promise has ended, the 2026 one is running.
DEMO_NOW = dt.datetime(2026, 12, 6, 10, tzinfo=ZoneInfo("Europe/Stockholm"))


@pytest.fixture
def dated_demo(live_server, settings, time_machine) -> str:
    """The demo with its example data as it stands on DEMO_NOW, served live; the server's address.

    The server runs in this process, so it reads the travelled clock; Chromium only renders."""
    from trygg.demo.services import demo_load

    time_machine.move_to(DEMO_NOW, tick=True)
    settings.MAP_TILES_URL = ""
    demo_load(with_examples=True, now=DEMO_NOW)
    return live_server.url


@pytest.fixture
def open_page(browser) -> Iterator[Any]:
    """Opens pages at the viewport a test asks for (`open_page(url, width=375, height=812)`), each in its own
    context that may load only from `url`'s server."""
    contexts: list[Any] = []

    def opened(url: str, *, width: int = 1280, height: int = 900) -> Any:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="sv-SE")
        contexts.append(context)
        page = context.new_page()
        only_this_server(page, url)
        return page

    yield opened
    for context in contexts:
        context.close()


# axe-core at the version `make axe-core` pins (the Python package's own copy is older): WCAG rules it lacks,
# such as link-in-text-block's distinguishability checks of 4.14, would otherwise pass unseen.
AXE_CORE_JS = Path(__file__).resolve().parents[2] / "var" / "axe-core" / "axe.min.js"
AXE_CORE_OLDEST = (4, 14)


def axe_core_version(script: str) -> tuple[int, ...]:
    found = re.match(r"/\*! axe v(\d+)\.(\d+)\.(\d+)", script)
    return tuple(int(part) for part in found.groups()) if found else ()


@pytest.fixture(scope="session")
def axe() -> Axe:
    if not AXE_CORE_JS.exists():
        message = f"axe-core is not set up at {AXE_CORE_JS}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI must have it (`make axe-core`).")
        pytest.skip(f"{message}; run `make axe-core` to run this test.")
    script = AXE_CORE_JS.read_text(encoding="utf-8")
    assert axe_core_version(script) >= AXE_CORE_OLDEST, f"axe-core {axe_core_version(script)} is too old"
    return Axe(axe_script=script)


def axe_violations(axe: Axe, page: Any, *, impacts: set[str] | None = None) -> list[dict]:
    # A test may reach here as soon as the top of a new page is in (an error summary, say) while the
    # rest is still arriving; axe then judges a half-parsed document, such as a <summary> whose text
    # has not come yet. Wait for the whole page first.
    page.wait_for_load_state("load")
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


# Whether the focused element shows it: an outline or a box shadow (the site's :focus-visible draws both).
_FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  if ((style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none') return null;
  return el.outerHTML.slice(0, 120);
}"""


def press(page: Any, key: str) -> None:
    """Press a key and check that wherever focus lands, it can be seen."""
    from playwright.sync_api import Error

    page.keyboard.press(key)
    try:
        hidden = page.evaluate(_FOCUS_SHOWN)
    except Error:
        return  # the key sent a form and the page is being replaced; the next key checks the new page
    assert hidden is None, f"after {key}, focus is not visible on {hidden}"


def tab_until(page: Any, script: str, limit: int = 400) -> None:
    """Press Tab until `script` (about `el`, the focused element) is true: the keyboard is the only input."""
    for _ in range(limit):
        press(page, "Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return {script}; }})()"):
            return
    raise AssertionError(f"Tab never reached: {script}")


def tab_to(page: Any, element_id: str, limit: int = 400) -> None:
    tab_until(page, f"el.id === {element_id!r}", limit)


def assert_no_keyboard_trap(page: Any, limit: int = 600) -> int:
    """Tab through the whole page until focus comes round to the first stop again, then Shift-Tab round the other
    way: focus leaves every element it enters, in both directions. Returns the number of stops."""
    current = "document.activeElement === document.body ? null : document.activeElement.outerHTML"
    press(page, "Tab")
    first = page.evaluate(current)
    assert first is not None, "nothing on the page takes focus"
    rounds = {}
    for key in ["Tab", "Shift+Tab"]:
        stops = [first]
        for _ in range(limit):
            press(page, key)
            here = page.evaluate(current)
            if here == first:
                break
            if here is not None:
                stops.append(here)
        else:
            raise AssertionError(f"{key} never came round again; the last stops: {stops[-3:]}")
        rounds[key] = len(stops)
    assert rounds["Tab"] == rounds["Shift+Tab"], rounds
    return rounds["Tab"]
