"""SQLite done right for small installations: concurrent writers wait for each other instead of failing."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
WRITER = """
import django, sys
django.setup()
from django.db import transaction
from trygg.core.models import RateLimitCounter
writer = sys.argv[1]
for index in range(int(sys.argv[2])):
    with transaction.atomic():
        RateLimitCounter.objects.create(key=f"{writer}-{index}", window_start=index)
        RateLimitCounter.objects.filter(key=f"{writer}-{index}").update(count=index)
print("done")
"""


def test_eight_concurrent_writers_never_see_database_is_locked(tmp_path: Path, sqlite_templates) -> None:
    inherited = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'busy.sqlite3'}",
        "TRYGG_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "trygg.settings",
        "PYTHONPATH": str(ROOT),
    }
    # A migrated database: what `manage.py migrate` makes, copied from the run's template.
    sqlite_templates.copy("migrated", tmp_path / "busy.sqlite3")

    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, f"w{number}", "500"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for number in range(8)
    ]
    outcomes = [writer.communicate(timeout=600) for writer in writers]

    assert [writer.returncode for writer in writers] == [0] * 8, [err[-500:] for _out, err in outcomes]
    assert all("locked" not in err for _out, err in outcomes)
    count = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from trygg.core.models import RateLimitCounter as C; print(C.objects.count())",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert count.stdout.strip() == "4000"
