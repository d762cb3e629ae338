import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from trygg.demo.services import demo_load
from trygg.reports.selectors import place_resolve

pytestmark = pytest.mark.django_db


class _Geocoder(BaseHTTPRequestHandler):
    answer: bytes = b"[]"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(self.answer)

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def geocoder(settings) -> Iterator[type[_Geocoder]]:
    server = HTTPServer(("127.0.0.1", 0), _Geocoder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.REPORTS_GEOCODER_URL = f"http://127.0.0.1:{server.server_port}/search"
    yield _Geocoder
    server.shutdown()
    server.server_close()


def test_without_a_configured_geocoder_an_unknown_address_is_not_found(settings) -> None:
    settings.REPORTS_GEOCODER_URL = ""

    match = place_resolve(municipality=demo_load().municipality, text="Okändavägen 3")

    assert match.place is None


def test_the_online_geocoder_answers_when_the_gazetteer_cannot(geocoder: type[_Geocoder]) -> None:
    geocoder.answer = json.dumps(
        [{"lat": "56.8341", "lon": "13.9412", "display_name": "Okändavägen 3, Ljungby"}]
    ).encode()

    match = place_resolve(municipality=demo_load().municipality, text="Okändavägen 3")

    assert match.place is not None
    assert (match.place.latitude, match.place.longitude) == (56.8341, 13.9412)
    assert match.place.pk is None


def test_a_broken_geocoder_answer_counts_as_not_found(geocoder: type[_Geocoder]) -> None:
    geocoder.answer = b"<html>not json</html>"

    assert place_resolve(municipality=demo_load().municipality, text="Okändavägen 3").place is None
