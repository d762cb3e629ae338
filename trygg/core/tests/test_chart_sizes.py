"""Issue 19: charts shrank to 5 px text on a phone. Each chart page offers a narrow drawing through <picture>; drawn
for a 296 px wide column (a 320 px screen), its smallest text is still at least 12 CSS px. The survey chart names
each problem once (not "Problemindex:" on every bar) and writes its value on the bar."""

import re
import xml.etree.ElementTree as ET

import pytest

from trygg.core.charts import NARROW_MEDIA
from trygg.demo.services import demo_load

pytestmark = [pytest.mark.django_db, pytest.mark.appearance]

PAGES = [
    "/ljungby/2023/rapport/",
    "/ljungby/brottsstatistik/",
    "/ljungby/trygghetsmatning/exempel-2024/resultat/",
    "/ljungby/matningar/avloppsvatten/",
]
PHONE_COLUMN = 296  # CSS px: a 320 px screen less the page's margins
SVG = "{http://www.w3.org/2000/svg}"


def smallest_text_px(svg: bytes, shown_at: float) -> float:
    """The smallest text of an SVG shown `shown_at` CSS px wide, from its viewBox and each text's font size."""
    root = ET.fromstring(svg)
    view_width = float(root.attrib["viewBox"].split()[2])
    sizes = []
    for text in root.iter(f"{SVG}text"):
        style = text.attrib.get("style", "")
        found = re.search(r"font(?:-size)?:\s*([\d.]+)px", style)
        assert found, style
        sizes.append(float(found.group(1)))
    assert sizes, "a chart without text"
    return min(sizes) * shown_at / view_width


@pytest.fixture
def demo(settings):
    settings.RATE_LIMITS_ENABLED = False
    demo_load(with_examples=True)


def test_each_charts_narrow_drawing_keeps_its_text_at_12_px_on_a_phone(client, demo) -> None:
    found = {}
    for path in PAGES:
        page = client.get(path).content.decode()
        sources = re.findall(r'<source media="([^"]+)" srcset="([^"]+)">', page)
        assert sources, path
        for media, url in sources:
            assert media == NARROW_MEDIA
            narrow = client.get(url.replace("&amp;", "&"))
            wide = client.get(url.replace("?smal=1", ""))
            assert narrow.status_code == wide.status_code == 200
            found[url] = (
                smallest_text_px(narrow.content, PHONE_COLUMN),
                smallest_text_px(wide.content, PHONE_COLUMN),
            )

    assert all(narrow >= 12 for narrow, _wide in found.values()), found
    # The wide drawing alone would not do on a phone: the narrow one is what makes the difference.
    assert all(wide < 12 for _narrow, wide in found.values()), found


def test_the_survey_chart_names_each_problem_once_and_writes_its_value_on_the_bar(client, demo) -> None:
    svg = client.get("/ljungby/trygghetsmatning/exempel-2024/resultat/problem.svg").content.decode()
    texts = ["".join(text.itertext()).strip() for text in ET.fromstring(svg).iter(f"{SVG}text")]

    assert not any("Problemindex:" in text for text in texts)
    assert "Klotter" in texts
    values = [text for text in texts if re.fullmatch(r"\d,\d", text)]
    assert len(values) >= 8  # one per problem in the example survey
