"""The WSGI entry point (`trygg/wsgi.py`), as gunicorn loads it: in a fresh interpreter, not in the test process."""

import os
from pathlib import Path
from typing import Any

from trygg.core.tests.processes import program_json

PROGRAM = """
import gc, json, sys
import trygg.wsgi
frozen = gc.get_freeze_count()
imported = {name: name in sys.modules for name in ("trygg.urls", "trygg.api.api", "trygg.followup.promise_views")}
garbage = []
garbage.append(garbage)  # a cycle made after the start: the collector must still find it
del garbage
print(json.dumps({"frozen": frozen, "enabled": gc.isenabled(), "collected": gc.collect(),
                  "callable": callable(trygg.wsgi.application), "imported": imported}))
"""


def _started(tmp_path: Path) -> dict[str, Any]:
    """What a fresh interpreter finds after importing the entry point, as a gunicorn worker does."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "trygg.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path}/wsgi.sqlite3",
        "TRYGG_DATA_DIR": str(tmp_path),
    }
    found: dict[str, Any] = program_json(PROGRAM, environment)
    return found


def test_what_starting_django_made_is_frozen_and_later_garbage_is_still_collected(tmp_path: Path) -> None:
    found = _started(tmp_path)

    # Django, the settings and the models alone are tens of thousands of objects.
    assert found["frozen"] > 10_000
    assert found["enabled"] is True
    assert found["collected"] >= 1
    assert found["callable"] is True


def test_a_worker_imports_every_url_pattern_view_and_the_api_while_it_boots(tmp_path: Path) -> None:
    # Not on the first request it serves: that request waited about a second for them (docs/performance.md).
    assert _started(tmp_path)["imported"] == {
        "trygg.urls": True,
        "trygg.api.api": True,
        "trygg.followup.promise_views": True,
    }
