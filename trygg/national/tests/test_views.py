import datetime as dt

import pytest
import time_machine

from trygg.national.tests.conftest import make_promise

pytestmark = pytest.mark.django_db

FROZEN = time_machine.travel(dt.datetime(2026, 12, 6, 10, tzinfo=dt.UTC), tick=False)


@FROZEN
def test_the_national_page_lists_every_kommun_with_or_without_a_promise(client, official) -> None:
    make_promise(official["0781"])
    response = client.get("/nationellt/")
    assert response.status_code == 200
    text = response.content.decode()
    assert text.count('<tr id="kommun-') == 290
    assert "Medborgarlöfte 2026 i Ljungby" in text
    assert "4 av 4 aktiviteter genomförda" in text
    assert "Inget medborgarlöfte finns här för kommunen." in text
