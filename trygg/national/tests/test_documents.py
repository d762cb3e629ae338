import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command

from trygg.national.models import PromiseSource
from trygg.national.services import promise_source_verify
from trygg.promises.models import Promise

pytestmark = pytest.mark.django_db

DOCUMENT = """Medborgarlöfte 2026 för Markaryds kommun

Kommunen och polisen lovar under 2026:

Trafik och otrygghet i centrum
- Polisen ska genomföra minst 4 trafikkontroller per kvartal i centrum.
- Kommunen ska ordna 2 trygghetsvandringar under året.
"""


@time_machine.travel(dt.datetime(2026, 12, 6, 10, tzinfo=dt.UTC), tick=False)
def test_a_folder_imported_in_national_mode_is_published_as_read_from_a_document_and_not_verified(
    official, settings, tmp_path: Path, client
) -> None:
    settings.NATIONAL = True
    (tmp_path / "markaryd.txt").write_text(DOCUMENT, encoding="utf-8")
    (tmp_path / "kallor.csv").write_text(
        "fil,url,hamtad\nmarkaryd.txt,https://polisen.se/exempel/markaryd.pdf,2026-11-02T09:00:00\n",
        encoding="utf-8",
    )
    call_command("import_promise", str(tmp_path), "--from", "2026-01-01", "--until", "2026-12-31")

    promise = Promise.objects.get(municipality__scb_code="0767")
    assert promise.status == Promise.Status.PUBLISHED
    source = promise.provenance
    assert source.kind == PromiseSource.Kind.DOCUMENT
    assert source.source_url == "https://polisen.se/exempel/markaryd.pdf"
    assert source.fetched_at == dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
    assert source.verified_at is None and len(source.checksum) == 64

    page = client.get(promise.get_absolute_url()).content.decode()
    assert "Inläst ur dokument, ej verifierad" in page
    assert "https://polisen.se/exempel/markaryd.pdf" in page

    national = client.get("/nationellt/?q=Markaryd").content.decode()
    assert "Ingen uppföljning: inläst ur dokument, ej verifierad" in national


@time_machine.travel(dt.datetime(2026, 12, 6, 10, tzinfo=dt.UTC), tick=False)
def test_only_verified_staff_of_the_kommun_may_verify_a_document_promise(
    home_municipality, coordinator, outsider, tmp_path: Path
) -> None:
    from django.core.exceptions import PermissionDenied

    (tmp_path / "ljungby.txt").write_text(DOCUMENT.replace("Markaryds", "Ljungby"), encoding="utf-8")
    call_command(
        "import_promise",
        str(tmp_path / "ljungby.txt"),
        "--municipality",
        "ljungby",
        "--slug",
        "dokument-2026",
        "--from",
        "2026-01-01",
        "--until",
        "2026-12-31",
        "--as-document",
    )
    promise = Promise.objects.get(slug="dokument-2026")
    now = dt.datetime(2026, 12, 6, 10, tzinfo=dt.UTC)
    coordinator.is_verified = lambda: True
    outsider.is_verified = lambda: True
    with pytest.raises(PermissionDenied):
        promise_source_verify(promise=promise, by=outsider, now=now)
    assert PromiseSource.objects.get(promise=promise).verified_at is None
    promise_source_verify(promise=promise, by=coordinator, now=now)
    assert PromiseSource.objects.get(promise=promise).verified_at == now


def _document_promise(municipality, slug="dokument-2026"):
    from trygg.national.services import document_promise_publish
    from trygg.national.tests.conftest import make_promise

    promise = make_promise(municipality, slug=slug, executions=0, status=Promise.Status.DRAFT)
    document_promise_publish(
        promise=promise,
        file_name="lofte.pdf",
        checksum="0" * 64,
        source_url="https://example.se/lofte.pdf",
        fetched_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        today=dt.date(2026, 12, 1),
    )
    return promise


def test_the_verify_page_is_hidden_from_other_kommuner_forbidden_to_crew_and_verifies_for_the_coordinator(
    home_municipality, coordinator, crew_member, outsider, login
) -> None:
    promise = _document_promise(home_municipality)
    url = f"/personal/nationellt/lofte/{promise.pk}/verifiera/"
    assert login(outsider).post(url).status_code == 404
    assert login(crew_member).post(url).status_code == 403
    assert PromiseSource.objects.get(promise=promise).verified_at is None
    response = login(coordinator).post(url)
    assert response.status_code == 302
    assert PromiseSource.objects.get(promise=promise).verified_at is not None
