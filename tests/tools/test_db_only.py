"""What `make test-postgres` runs (`pytest --db-only`, the top conftest.py): every test that uses a database, browser
tests that read and write through the live server included, but not the `appearance` sweeps (axe-core and layout
at each width, the PDFs' tables, the charts' text sizes) nor the `page_sweep` ones (every URL's headers, refusals
and admin links), which ran on SQLite."""

import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
PAGES = "tests/browser/test_public_pages.py"


def _collected(*arguments: str, path: str | None = PAGES) -> set[str]:
    """The ids pytest collects: names within `path`, or, with path=None, "<file name>::<name>" of the files given."""
    files = [path] if path else []
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            *arguments,
            *files,
        ],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        check=True,
    )
    ids = [line for line in result.stdout.splitlines() if "::" in line]
    if path:
        return {line.split("::", 1)[1] for line in ids if line.startswith(f"{path}::")}
    return {
        "::".join((file.rsplit("/", 1)[-1], name)) for file, name in (line.split("::", 1) for line in ids)
    }


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


def test_db_only_leaves_out_the_page_sweeps_and_the_pdf_and_chart_drawings_but_keeps_the_engine_sensitive_sweeps() -> (
    None
):
    files = [
        "trygg/core/tests/test_production_headers.py",
        "trygg/core/tests/test_admin_lockdown.py",
        "trygg/core/tests/test_pdf_tables.py",
        "trygg/core/tests/test_chart_sizes.py",
        "trygg/core/tests/test_permission_matrix.py",
        "trygg/core/tests/test_query_fuzz.py",
    ]
    everything = _collected(*files, path=None)
    database = _collected("--db-only", *files, path=None)

    left_out = everything - database
    assert (
        "test_production_headers.py::test_item_2_every_url_pattern_answers_with_the_production_security_headers"
        in left_out
    )
    assert (
        "test_admin_lockdown.py::test_no_page_a_municipal_role_opens_links_to_the_admin[coordinator]"
        in left_out
    )
    assert any(name.startswith("test_pdf_tables.py::test_every_column_header") for name in left_out)
    assert any(name.startswith("test_chart_sizes.py::") for name in left_out)
    # A production-settings test that is not a sweep stays, and so do the sweeps whose answers depend on the engine.
    assert (
        "test_production_headers.py::test_item_3_a_real_login_in_production_gets_host_prefixed_secure_samesite_cookies"
        in database
    )
    assert (
        "test_query_fuzz.py::test_no_query_string_makes_any_get_route_answer_with_a_server_error" in database
    )
    assert any(
        name.startswith("test_permission_matrix.py::test_no_persona_gets_a_server_error") for name in database
    )
