"""Item 39 against real processes: gunicorn on a PostgreSQL cluster that is stopped and started again under it.
Migrating and loading the demo into a new cluster takes most of a minute on two busy cores, so this runs with the
drills (`make drill`); trygg/core/tests/test_unavailable.py covers the same answers in process in `make test`."""

import os
import re
import time
import uuid
from pathlib import Path

import pytest
import requests

from .processes import Cluster, app_server, environment, fast_cluster, prepare

__all__ = ["fast_cluster"]  # a fixture, used by name

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.drill,
    pytest.mark.skipif(os.environ.get("TRYGG_DRILL") != "1", reason="fault drills run with `make drill`"),
]

FORM = "/ljungby/felanmalan/"


def test_item_39_with_postgresql_stopped_pages_answer_within_2_s_posts_keep_their_input_and_the_app_recovers(
    fast_cluster: Cluster, tmp_path: Path
) -> None:
    cluster = fast_cluster
    env = environment(tmp_path, cluster.url)
    prepare(env)
    with app_server(env, tmp_path) as app:
        resident = requests.Session()
        form = resident.get(f"{app.url}{FORM}", timeout=10)
        category = re.search(r'<option value="(\d+)"[^>]*>\s*Belysning', form.text)
        assert category is not None
        report: dict[str, str] = {
            "category": category.group(1),
            "place": "Salvesbacken",
            "description": "Lampan vid busshållplatsen är trasig",
            "reporter_name": "Alva",
            "submission_id": str(uuid.uuid4()),
            "website": "",
            "csrfmiddlewaretoken": str(resident.cookies["csrftoken"]),
        }
        for path in ("/ljungby/", "/ljungby/felanmalan/karta/", "/om/"):
            assert requests.get(f"{app.url}{path}", timeout=10).status_code == 200

        cluster.crash()

        for path in ("/ljungby/", "/ljungby/felanmalan/karta/", "/om/", FORM, "/api/v1/municipalities/"):
            started = time.monotonic()
            answer = requests.get(f"{app.url}{path}", timeout=10)
            assert time.monotonic() - started < 2, path
            # A page this worker has cached may still be served; anything else says "try again later".
            assert answer.status_code in {200, 503}, (path, answer.status_code)
            if answer.status_code == 503:
                assert int(answer.headers["Retry-After"]) > 0
        unavailable = requests.get(f"{app.url}{FORM}", timeout=10)
        assert unavailable.status_code == 503
        assert "Tjänsten är tillfälligt otillgänglig" in unavailable.text
        started = time.monotonic()
        refused = resident.post(f"{app.url}{FORM}", data=report, allow_redirects=False, timeout=10)
        assert time.monotonic() - started < 2
        assert refused.status_code == 503 and "Inte sparat" in refused.text
        assert (
            "Lampan vid busshållplatsen är trasig" in refused.text and report["submission_id"] in refused.text
        )

        cluster.start()
        returned = time.monotonic()
        while requests.get(f"{app.url}{FORM}", timeout=10).status_code != 200:
            assert time.monotonic() - returned < 30, "no recovery within 30 s of the database returning"
            time.sleep(0.5)
        # The kept form, sent again, is filed: the same gunicorn, never restarted.
        kept = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', refused.text))
        kept.update(re.findall(r'<input id="kept-[^"]+" name="([^"]+)" value="([^"]*)"', refused.text))
        kept.update(
            re.findall(r'<textarea id="kept-[^"]+" name="([^"]+)"[^>]*>([^<]*)</textarea>', refused.text)
        )
        kept["csrfmiddlewaretoken"] = resident.cookies["csrftoken"]
        filed = resident.post(f"{app.url}{FORM}", data=kept, allow_redirects=False, timeout=10)
        assert filed.status_code == 302 and filed.headers["Location"].endswith("/tack/")
        assert app.process.poll() is None
        assert app.tracebacks() == 0, app.log.read_text(errors="replace")[-3000:]
