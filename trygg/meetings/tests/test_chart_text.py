"""Issue 20, item 13: a walk titled `$\\frac{$` broke the route drawing (matplotlib read it as mathtext)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("title", ["$\\frac{$", "$x$ och $y$", "kostar $5", "$$", "\\$\\frac{a}{"])
def test_a_walk_title_with_dollar_signs_is_drawn_as_written(client, walk, title: str) -> None:
    walk.title = title
    walk.is_public = True
    walk.save()

    response = client.get(reverse("meetings:walk_route", args=[walk.municipality.slug, walk.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    # The text itself, dollar signs and all (svg.fonttype none keeps it as text).
    assert title.replace("&", "&amp;").replace("<", "&lt;") in response.content.decode()
