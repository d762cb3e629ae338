"""Issue 20, item 1, end to end in Chromium: the chain from an HTML "logo" to a forged admin post.

The review's chain: an HTML file uploaded as a logo was served from /media/logos/ as text/html without a policy;
a superuser opened it; its script read the CSRF cookie and posted to the admin. Each link owned here now fails:
the file is not rendered (a download; as an "image" it is inert under a sandbox policy), and a script on the
site's origin finds no CSRF token in document.cookie. (Refusing the upload and keeping municipal roles out of
the admin are the municipalities app's links.) The files are fetched through trygg.core.views.logo_file, the
development twin of nginx's /media/logos/ (tests/deploy checks nginx's headers).
"""

import contextlib

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import only_this_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOAD = (
    b"<!doctype html><title>logo</title><script>"
    b"document.title = 'pwned:' + document.cookie;"
    b"fetch('/admin/accounts/user/', {method: 'POST', body: 'x=1'});"
    b"</script>"
)


@pytest.fixture
def site(live_server, settings, tmp_path, page):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ROOT_URLCONF = "trygg.core.tests.urls_with_logos"
    (tmp_path / "media" / "logos").mkdir(parents=True)
    for name in ("kommun.html", "kommun.png", "kommun.svg"):
        (tmp_path / "media" / "logos" / name).write_bytes(PAYLOAD)
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    only_this_server(page, live_server.url)
    return live_server.url, posts


def test_an_html_logo_is_downloaded_never_rendered(site, page) -> None:
    url, posts = site
    for name in ("kommun.html", "kommun.svg"):
        # Chromium aborts the navigation when the answer is a download.
        with page.expect_download() as download, contextlib.suppress(PlaywrightError):
            page.goto(f"{url}/logos-in-test/{name}")
        assert download.value.suggested_filename == name
    assert not page.title().startswith("pwned")
    assert posts == []


def test_html_named_as_an_image_runs_no_script_under_the_sandbox_policy(site, page) -> None:
    url, posts = site

    response = page.goto(f"{url}/logos-in-test/kommun.png")

    assert response is not None and response.headers["content-security-policy"].startswith(
        "default-src 'none'; sandbox;"
    )
    page.wait_for_timeout(300)
    assert not page.title().startswith("pwned")
    assert posts == []


def test_a_script_on_the_sites_origin_finds_no_csrf_token_in_the_cookies(site, page) -> None:
    url, _posts = site
    page.goto(f"{url}/personal/logga-in/")

    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert cookies["csrftoken"]["httpOnly"] is True
    assert "csrftoken" not in page.evaluate("document.cookie")
    # Without the token a post to the admin is refused, as the forged post of the review would be.
    status = page.evaluate(
        "fetch('/admin/accounts/user/add/', {method: 'POST', body: new URLSearchParams({username: 'x'})})"
        ".then(response => response.status)"
    )
    assert status == 403
