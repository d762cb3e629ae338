"""Issue 19: /favicon.ico answered 404; now it is Trygg's icon, an ICO that Pillow reads at 16, 32 and 48 px."""

import io

from PIL import Image


def test_favicon_ico_is_an_icon_at_three_sizes_in_the_sites_blue(client) -> None:
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/vnd.microsoft.icon"
    icon = Image.open(io.BytesIO(response.content))
    assert icon.format == "ICO"
    assert {(16, 16), (32, 32), (48, 48)} <= set(icon.info["sizes"])
    icon.size = (32, 32)  # type: ignore[misc]  # how Pillow picks one of an ICO's sizes
    pixels = icon.convert("RGBA")
    top, corner = pixels.getpixel((16, 4)), pixels.getpixel((0, 31))
    assert isinstance(top, tuple) and isinstance(corner, tuple)
    assert top[:3] == (0, 90, 140)  # the shield's top
    assert corner[3] == 0  # the corners are transparent


def test_every_page_links_the_svg_icon(client, db) -> None:
    page = client.get("/om/").content.decode()

    assert 'rel="icon"' in page and "favicon.svg" in page
