import datetime as dt
from typing import Any

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from trygg.core.models import PageGeneration
from trygg.core.pagecache import CACHE_ALIAS, EPOCH, generation_read
from trygg.demo.reports import load_reports_demo
from trygg.municipalities.models import Municipality
from trygg.reports import services as report_services
from trygg.reports.models import Report

MAP = "/ljungby/felanmalan/karta/"


def stored_pages() -> int:
    pages: Any = caches[CACHE_ALIAS]  # a LocMemCache, whose entries are countable
    return len(pages._cache)


@pytest.fixture
def page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 300
    settings.MAP_TILES_URL = ""
    caches[CACHE_ALIAS].clear()
    yield caches[CACHE_ALIAS]
    caches[CACHE_ALIAS].clear()


@pytest.fixture
def reports_demo(home_municipality: Municipality) -> Municipality:
    load_reports_demo(home_municipality)
    return home_municipality


def test_an_anonymous_visitor_gets_the_second_view_from_the_cache_with_one_query(
    client: Client, reports_demo: Municipality, page_cache, django_assert_num_queries
) -> None:
    first = client.get(MAP)
    with django_assert_num_queries(1):  # the generation number, nothing else
        second = client.get(MAP)

    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert "csrftoken" not in second.cookies and "sessionid" not in second.cookies


@pytest.mark.django_db(transaction=True)
def test_a_change_made_through_a_service_is_visible_on_the_next_request(
    client: Client, reports_demo: Municipality, coordinator, page_cache, django_assert_num_queries
) -> None:
    report = Report.objects.get(reference="EX-LJU-B1")
    assert report.reference in client.get(MAP).content.decode()
    with django_assert_num_queries(1):
        assert report.reference in client.get(MAP).content.decode()

    report_services.report_update_details(report=report, by=coordinator, is_public=False)

    assert report.reference not in client.get(MAP).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_transaction_raises_the_generation_once_and_a_rolled_back_one_not_at_all(
    home_municipality: Municipality,
) -> None:
    before = generation_read()
    with transaction.atomic():
        Municipality.objects.filter(pk=home_municipality.pk).update(name="Ljungby")
        Municipality.objects.filter(pk=home_municipality.pk).update(name="Ljungby kommun")
    assert generation_read() == before + 1

    with pytest.raises(RuntimeError), transaction.atomic():
        Municipality.objects.filter(pk=home_municipality.pk).update(name="Ljungby")
        raise RuntimeError
    assert generation_read() == before + 1


@pytest.mark.django_db(transaction=True)
def test_a_committed_write_raises_the_number_every_process_reads(home_municipality: Municipality) -> None:
    before = generation_read()
    Municipality.objects.filter(pk=home_municipality.pk).update(name="Ljungby kommun (ny)")

    # What another process would read: the row in the database, not anything held in this one.
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM core_pagegeneration WHERE id = 1")
        assert cursor.fetchone()[0] > before


def test_migrate_raises_the_generation_so_a_deploy_never_serves_pages_the_old_code_rendered(
    client: Client, reports_demo: Municipality, page_cache
) -> None:
    client.get(MAP)
    before = generation_read()

    call_command("migrate", verbosity=0)  # a deploy: nothing to apply, new templates

    assert generation_read() == before + 1
    with CaptureQueriesContext(connection) as queries:
        client.get(MAP)
    assert len(queries) > 1  # rendered afresh, not the page cached under the old number


def test_a_logged_in_staff_member_never_gets_a_cached_page(
    client: Client, reports_demo: Municipality, coordinator, login, page_cache
) -> None:
    client.get(MAP)
    cached_before = stored_pages()
    staff = login(coordinator)

    with CaptureQueriesContext(connection) as queries:
        page = staff.get(MAP)

    assert page.status_code == 200
    assert len(queries) > 1  # the page was made for them, not taken from the cache
    assert stored_pages() == cached_before


def test_a_page_with_a_form_is_never_cached_with_a_token_so_no_visitor_gets_another_visitors_token(
    reports_demo: Municipality, page_cache
) -> None:
    import re

    first, second = Client(), Client()

    page_one = first.get("/ljungby/felanmalan/")
    page_two = second.get("/ljungby/felanmalan/")

    assert page_one.status_code == page_two.status_code == 200
    assert page_one.cookies["csrftoken"].value != page_two.cookies["csrftoken"].value
    tokens = [
        re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content).group(1)  # type: ignore[union-attr]
        for page in (page_one, page_two)
    ]
    assert tokens[0] != tokens[1]
    # The blank form is kept with a mark in place of the token (trygg/core/pagecache.py, blank_form_page).
    pages: Any = caches[CACHE_ALIAS]
    assert not any(token in stored for token in tokens for stored in pages._cache.values())


def test_staff_pages_and_the_api_are_never_cached(
    client: Client, reports_demo: Municipality, page_cache
) -> None:
    client.get("/personal/")
    client.get("/api/docs")
    client.get("/healthz")

    assert stored_pages() == 0


def test_english_pages_are_cached_apart_from_swedish_ones(
    client: Client, reports_demo: Municipality, page_cache
) -> None:
    swedish = client.get(MAP).content.decode()
    english = client.get(f"/en{MAP}").content.decode()

    assert 'lang="sv"' in swedish and 'lang="en"' in english
    assert client.get(MAP).content.decode() == swedish


def test_with_the_cache_off_nothing_is_stored(client: Client, reports_demo: Municipality, settings) -> None:
    settings.PAGE_CACHE_SECONDS = 0
    caches[CACHE_ALIAS].clear()
    # Rows another test committed (a transactional test earlier in this worker) are not this request's doing.
    before = set(PageGeneration.objects.exclude(pk=EPOCH).values_list("pk", flat=True))

    client.get(MAP)

    assert len(set(PageGeneration.objects.exclude(pk=EPOCH).values_list("pk", flat=True)) - before) <= 1
    assert stored_pages() == 0


def test_a_write_before_migrate_has_made_the_generation_table_is_not_a_warning(
    transactional_db, caplog: pytest.LogCaptureFixture
) -> None:
    from trygg.core.pagecache import _Bump

    with connection.schema_editor() as editor:
        editor.delete_model(PageGeneration)
    try:
        with caplog.at_level("WARNING", logger="trygg.core.pagecache"):
            _Bump("default")()
        assert caplog.records == []
    finally:
        with connection.schema_editor() as editor:
            editor.create_model(PageGeneration)


def test_a_failed_bump_with_the_table_in_place_is_a_warning(
    db, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    from trygg.core import pagecache

    def failing_bump(using: str = "default", scope: int = 1) -> None:
        raise OperationalError("the database went away")

    monkeypatch.setattr(pagecache, "generation_bump", failing_bump)
    with caplog.at_level("WARNING", logger="trygg.core.pagecache"):
        pagecache._Bump("default")()

    assert [record.getMessage() for record in caplog.records] == [
        "The page generation was not raised: OperationalError"
    ]


def test_each_host_has_its_own_cached_pages_and_an_unknown_host_neither_reads_nor_fills_the_cache(
    client: Client, reports_demo: Municipality, page_cache, settings
) -> None:
    settings.ALLOWED_HOSTS = ["testserver", "trygg.example.se"]
    client.get(MAP)
    assert stored_pages() == 1

    other = client.get(MAP, HTTP_HOST="trygg.example.se")
    assert other.status_code == 200
    assert stored_pages() == 2  # not served from the first host's entry

    refused = client.get(MAP, HTTP_HOST="evil.example")
    assert refused.status_code == 400
    assert stored_pages() == 2


@pytest.mark.django_db(transaction=True)
def test_a_changed_report_leaves_cached_pages_that_show_no_report_in_the_cache_and_shows_on_the_map_at_once(
    client: Client, reports_demo: Municipality, coordinator, page_cache, django_assert_num_queries
) -> None:
    home = f"/{reports_demo.slug}/"
    assert client.get(home).status_code == 200
    report = Report.objects.get(reference="EX-LJU-B1")
    assert report.reference in client.get(MAP).content.decode()

    report_services.report_update_details(report=report, by=coordinator, is_public=False)

    with django_assert_num_queries(1):  # the numbers, nothing else: the municipality page reads no report
        assert client.get(home).status_code == 200
    assert report.reference not in client.get(MAP).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_writes_a_report_and_a_municipality_raises_both_numbers(
    reports_demo: Municipality,
) -> None:
    from trygg.core.pagecache import GLOBAL, _generations_from_database, table_scope

    before = _generations_from_database()
    with transaction.atomic():
        Report.objects.filter(reference="EX-LJU-B1").update(description="Ny beskrivning")
        Municipality.objects.filter(pk=reports_demo.pk).update(name="Ljungby kommun")
    after = _generations_from_database()

    reports = table_scope(Report._meta.db_table)
    assert reports != GLOBAL
    assert after[GLOBAL] == before[GLOBAL] + 1
    assert after[reports] == before[reports] + 1


def test_only_reports_their_photos_and_survey_answers_have_numbers_of_their_own() -> None:
    from trygg.core.pagecache import GLOBAL, table_scope

    assert table_scope("reports_report") == table_scope("reports_reportevent") != GLOBAL
    assert table_scope("surveys_response") == table_scope("surveys_invitationcode") != GLOBAL
    assert table_scope("surveys_response") != table_scope("reports_report")
    # A photo re-encoded by the task worker leaves the map and the report figures as they were.
    assert GLOBAL != table_scope("reports_reportphoto") != table_scope("reports_report")
    for table in (
        "reports_reportcategory",
        "reports_reportcategory_activities",
        "surveys_survey",
        "promises_activity",
        "followup_execution",
        "municipalities_municipality",
    ):
        assert table_scope(table) == GLOBAL


@pytest.mark.django_db(transaction=True)
def test_a_photo_re_encoded_by_the_task_worker_leaves_the_cached_map_as_it_was(
    client: Client, reports_demo: Municipality, page_cache, django_assert_num_queries
) -> None:
    from trygg.core.pagecache import GLOBAL, SCOPES, _generations_from_database, table_scope
    from trygg.reports.models import ReportPhoto

    report = Report.objects.get(reference="EX-LJU-B1")
    photo = ReportPhoto.objects.create(
        report=report, name="bild-1.jpg", width=40, height=20, state=ReportPhoto.State.PROCESSING
    )
    page = client.get(MAP).content
    before = _generations_from_database()

    # What the task worker writes when the photo is re-encoded, committed.
    ReportPhoto.objects.filter(pk=photo.pk).update(state=ReportPhoto.State.READY, width=4000, height=3000)

    after = _generations_from_database()
    photos = table_scope(ReportPhoto._meta.db_table)
    assert after[photos] == before[photos] + 1
    assert all(after[scope] == before[scope] for scope in (GLOBAL, *SCOPES) if scope != photos)
    with django_assert_num_queries(1):  # the numbers only: the map and its list of reports stay cached
        assert client.get(MAP).content == page


def activity_with_report_categories(municipality: Municipality) -> Any:
    from trygg.promises.models import Activity

    activity = (
        Activity.objects.filter(
            focus_area__promise__municipality=municipality, report_categories__isnull=False
        )
        .select_related("focus_area__promise")
        .first()
    )
    assert activity is not None
    return activity


def activity_page(activity: Any, language: str = "") -> str:
    prefix = f"/{language}" if language else ""
    promise = activity.focus_area.promise
    return f"{prefix}/{promise.municipality.slug}/{promise.slug}/aktivitet/{activity.pk}/"


def report_filed(activity: Any, municipality: Municipality) -> Report:
    import uuid

    category = activity.report_categories.order_by("pk").first()
    start = activity.start_date or activity.focus_area.promise.valid_from
    filed_at = dt.datetime.combine(start, dt.time(12), tzinfo=dt.UTC) + dt.timedelta(days=3)
    return report_services.report_submit(
        municipality=municipality,
        category=category,
        description="Trasig belysning i gångtunneln under järnvägen.",
        latitude=56.8333,
        longitude=13.94,
        submission_id=uuid.uuid4(),
        now=filed_at,
    ).report


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["", "en"])
def test_a_report_filed_shows_at_once_in_a_cached_activity_pages_figures_without_the_page_rendered_again(
    client: Client, reports_demo: Municipality, page_cache, language: str
) -> None:
    activity = activity_with_report_categories(reports_demo)
    page = activity_page(activity, language)
    assert client.get(page).status_code == 200
    caches[CACHE_ALIAS].clear()
    reset_queries()  # each request empties the log: counted from its start
    with CaptureQueriesContext(connection) as whole:
        before = client.get(page).content.decode()
    rendering = len(whole)  # now: the next request empties the log

    report_filed(activity, reports_demo)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        after = client.get(page).content.decode()
    refreshing = len(queries)
    caches[CACHE_ALIAS].clear()
    rendered_afresh = client.get(page).content.decode()

    assert after == rendered_afresh != before  # the figures count the new report, the rest is as it was
    assert "trygg-fragment" not in after
    # Only the figures were read again (the numbers, the activity, its categories, its reports): not the page.
    assert refreshing <= 6 < rendering


@pytest.mark.django_db(transaction=True)
def test_a_cached_activity_page_is_the_page_rendered_without_the_cache_byte_for_byte(
    client: Client, reports_demo: Municipality, page_cache, settings
) -> None:
    page = activity_page(activity_with_report_categories(reports_demo))
    first, second = client.get(page), client.get(page)
    settings.PAGE_CACHE_SECONDS = 0
    uncached = client.get(page)

    assert first.content == second.content == uncached.content
    assert int(second["Content-Length"]) == len(second.content)
    assert "Felanmälningar som hör till aktiviteten" in uncached.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_changed_report_changes_the_figures_in_every_cached_copy_of_the_activity_page(
    client: Client, reports_demo: Municipality, coordinator, page_cache, django_assert_num_queries
) -> None:
    activity = activity_with_report_categories(reports_demo)
    page = activity_page(activity)
    client.get(page)
    report = report_filed(activity, reports_demo)
    with_it = client.get(page).content
    with django_assert_num_queries(1):  # the numbers; the new figures from the cache: nothing rendered
        assert client.get(page).content == with_it

    report_services.report_update_details(report=report, by=coordinator, is_public=False)
    Report.objects.filter(pk=report.pk).update(police_report_number="5000-K123-26")
    changed = client.get(page).content
    caches[CACHE_ALIAS].clear()
    assert changed == client.get(page).content != with_it


@pytest.mark.django_db(transaction=True)
def test_a_report_filed_shows_at_once_in_the_cached_map_pages_list_without_the_page_rendered_again(
    client: Client, reports_demo: Municipality, page_cache
) -> None:
    assert client.get(MAP).status_code == 200
    caches[CACHE_ALIAS].clear()
    reset_queries()
    with CaptureQueriesContext(connection) as whole:
        before = client.get(MAP).content.decode()
    rendering = len(whole)

    report = report_filed(activity_with_report_categories(reports_demo), reports_demo)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        after = client.get(MAP).content.decode()
    refreshing = len(queries)
    caches[CACHE_ALIAS].clear()

    assert report.reference not in before
    assert report.reference in after
    assert after == client.get(MAP).content.decode()
    assert "trygg-fragment" not in after
    # The numbers, the municipality and the reports: not the categories of the filters, nor the page.
    assert refreshing == 3 < rendering
