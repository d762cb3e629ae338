"""The pages one machine's processes share through files when there is no Redis (`PAGE_CACHE_SHARED_DIR`).

Two gunicorn workers are played in one test process by swapping the "pages" cache's memory (`worker`): what one
worker keeps in memory the other does not see, while the files in the shared directory are the same for both.
Whether a request was answered from a cache or rendered is read from its queries: an answer from a cache reads
only the generation numbers (one query).
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import sys
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from trygg.core import pagecache
from trygg.core.models import PageGeneration
from trygg.core.pagecache import CACHE_ALIAS, EPOCH, epoch_renew, generation_bump
from trygg.demo.reports import load_reports_demo
from trygg.municipalities.models import Municipality

MAP = "/ljungby/felanmalan/karta/"
pytestmark = pytest.mark.django_db

REPORTS = 2  # the reports' scope (pagecache.SCOPES)


class Worker:
    """One process's own memory of pages."""

    def __init__(self) -> None:
        self.cache: OrderedDict[str, Any] = OrderedDict()
        self.expire_info: dict[str, Any] = {}


@contextlib.contextmanager
def worker(process: Worker) -> Iterator[None]:
    pages: Any = caches[CACHE_ALIAS]  # a LocMemCache
    kept = pages._cache, pages._expire_info
    pages._cache, pages._expire_info = process.cache, process.expire_info
    try:
        yield
    finally:
        pages._cache, pages._expire_info = kept


def get(client: Client, process: Worker, path: str = MAP) -> tuple[bytes, int]:
    """The page as this worker answers it, and how many queries that took."""
    with worker(process), CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return response.content, len(queries)


@pytest.fixture
def shared(settings, tmp_path: Path, home_municipality: Municipality) -> Path:
    settings.PAGE_CACHE_SECONDS = 300
    settings.MAP_TILES_URL = ""
    settings.PAGE_CACHE_SHARED_DIR = str(tmp_path / "pages")
    load_reports_demo(home_municipality)
    return tmp_path / "pages"


def test_the_database_has_an_epoch_from_migrate() -> None:
    # The test database was migrated: post_migrate drew its epoch (row 0), which the shared files are named under.
    assert PageGeneration.objects.get(pk=EPOCH).number > 0
    assert EPOCH in pagecache._generations_from_database()


def test_a_page_one_worker_rendered_is_served_by_another_without_rendering_it(
    client: Client, shared: Path
) -> None:
    first, second = Worker(), Worker()

    rendered, rendering_queries = get(client, first)
    served, queries = get(client, second)

    assert rendering_queries > 1 and any(shared.iterdir())
    assert queries == 1
    assert served == rendered
    # The second worker now keeps the page itself as well.
    assert get(client, second) == (rendered, 1)


def test_without_a_shared_directory_each_worker_renders_the_page_itself(
    client: Client, shared: Path, settings
) -> None:
    settings.PAGE_CACHE_SHARED_DIR = ""
    first, second = Worker(), Worker()

    get(client, first)
    _served, queries = get(client, second)

    assert queries > 1
    assert not shared.exists()


def test_after_a_report_one_worker_renders_the_list_and_the_other_takes_it_from_the_machine(
    client: Client, shared: Path
) -> None:
    first, second = Worker(), Worker()
    get(client, first)
    get(client, second)

    generation_bump(scope=REPORTS)  # a report was filed: the map's list of reports is out of date
    anew, rendering_queries = get(client, second)
    taken, queries = get(client, first)

    assert rendering_queries > 1
    assert queries == 1
    assert taken == anew


def test_a_worker_whose_own_copy_is_out_of_date_takes_the_machines_current_page(
    client: Client, shared: Path, settings
) -> None:
    # A whole page that reads the reports' scope (no fragment): the GeoJSON of the map.
    first, second = Worker(), Worker()
    path = "/ljungby/felanmalan/karta.geojson"
    get(client, first, path)

    generation_bump(scope=REPORTS)
    current, rendering_queries = get(client, second, path)
    taken, queries = get(client, first, path)

    assert rendering_queries > 1
    assert queries == 1 and taken == current


def test_pages_shared_under_another_epoch_are_not_served(client: Client, shared: Path) -> None:
    # A restored database goes back to numbers pages were shared under before (`trygg restore` renews the epoch).
    first, second = Worker(), Worker()
    get(client, first)
    before = PageGeneration.objects.get(pk=EPOCH).number

    epoch_renew()
    _page, queries = get(client, second)

    assert PageGeneration.objects.get(pk=EPOCH).number != before
    assert queries > 1


def test_a_shared_file_that_cannot_be_read_is_a_warning_and_the_page_is_rendered(
    client: Client, shared: Path, caplog
) -> None:
    first, second = Worker(), Worker()
    rendered, _queries = get(client, first)
    for path in shared.iterdir():
        path.write_bytes(b"not a page")

    with caplog.at_level(logging.WARNING, logger="trygg.core.pagecache"):
        served, queries = get(client, second)

    assert queries > 1 and served == rendered
    assert "A shared page could not be read" in caplog.text


class Gone:
    """A class a later version of the code no longer has."""


def test_a_shared_file_of_classes_the_code_no_longer_has_is_a_warning_and_the_page_is_rendered(
    client: Client, shared: Path, caplog, monkeypatch
) -> None:
    first, second = Worker(), Worker()
    rendered, _queries = get(client, first)
    for path in shared.iterdir():
        with path.open("rb") as file:
            expiry = pickle.load(
                file
            )  # Django's file cache: the expiry, then the value, pickled and compressed
        path.write_bytes(pickle.dumps(expiry) + zlib.compress(pickle.dumps(Gone())))
    monkeypatch.delattr(sys.modules[__name__], "Gone")

    with caplog.at_level(logging.WARNING, logger="trygg.core.pagecache"):
        served, queries = get(client, second)

    assert queries > 1 and served == rendered
    assert "A shared page could not be read: AttributeError" in caplog.text


def test_a_page_that_cannot_be_shared_is_a_warning_and_still_answered(
    client: Client, shared: Path, caplog
) -> None:
    shared.parent.joinpath("pages").write_text("a file where the directory should be")

    with caplog.at_level(logging.WARNING, logger="trygg.core.pagecache"):
        rendered, _queries = get(client, Worker())

    assert b"<html" in rendered
    assert "A page could not be shared" in caplog.text


def test_the_shared_directory_is_made_for_the_service_alone(client: Client, shared: Path) -> None:
    get(client, Worker())

    assert shared.stat().st_mode & 0o777 == 0o700


def test_pages_are_not_shared_through_a_directory_others_can_write_in(
    client: Client, shared: Path, caplog
) -> None:
    # The files are pickles, which run code when they are read: a directory others can write in is not used.
    shared.mkdir()
    shared.chmod(0o777)
    first, second = Worker(), Worker()

    with caplog.at_level(logging.WARNING, logger="trygg.core.pagecache"):
        get(client, first)
        _served, queries = get(client, second)

    assert queries > 1
    assert list(shared.iterdir()) == []
    assert "Pages are not shared" in caplog.text
