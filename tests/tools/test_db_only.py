"""What `make test-postgres` runs (`pytest --db-only`, the top conftest.py): every test that uses a database, browser
tests that read and write through the live server included, but not the `appearance` sweeps (axe-core and layout
at each width), which ran on SQLite."""

import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
PAGES = "tests/browser/test_public_pages.py"


def _collected(*options: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *options, PAGES],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=True,
    )
    return {line.split("::", 1)[1] for line in result.stdout.splitlines() if line.startswith(f"{PAGES}::")}


def test_db_only_keeps_the_browser_tests_that_use_the_database_and_leaves_out_the_appearance_sweeps() -> None:
    everything = _collected()
    database = _collected("--db-only")

    sweeps = {name for name in everything if "wcag_21_a_or_aa_violations_at_each_width" in name}
    assert len(sweeps) == 3
    assert "test_item_30_key_staff_pages_have_no_serious_or_critical_violations" in everything
    assert "test_the_promise_page_shows_the_focus_areas_in_chromium" in database
    assert "test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content" in database
    assert not sweeps & database
    assert "test_item_30_key_staff_pages_have_no_serious_or_critical_violations" not in database
    assert len(database) == len(everything) - len(sweeps) - 3
