"""Trygg's icon: a shield in the site's blue with a white tick, drawn here (no image file to keep in step) and
served as /favicon.ico, where browsers and feed readers look without being told. Pages also link the same
drawing as SVG (static/trygg/favicon.svg) for browsers that prefer a vector icon."""

import io
from functools import cache

from PIL import Image, ImageDraw

BLUE = (0, 90, 140, 255)  # --accent in site.css
WHITE = (255, 255, 255, 255)
SIZES = [(16, 16), (32, 32), (48, 48)]


def _drawing(side: int) -> Image.Image:
    image = Image.new("RGBA", (side, side), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    unit = side / 64
    shield = [(32, 3), (58, 12), (56, 36), (32, 61), (8, 36), (6, 12)]
    draw.polygon([(x * unit, y * unit) for x, y in shield], fill=BLUE)
    tick = [(19, 33), (28, 42), (46, 22)]
    draw.line([(x * unit, y * unit) for x, y in tick], fill=WHITE, width=round(7 * unit), joint="curve")
    return image


@cache
def favicon_ico() -> bytes:
    """The icon as ICO at 16, 32 and 48 pixels, each scaled down from a large drawing so its edges are smooth."""
    buffer = io.BytesIO()
    _drawing(256).save(buffer, format="ICO", sizes=SIZES)
    return buffer.getvalue()
