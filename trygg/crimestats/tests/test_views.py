from typing import Any

import html5lib
import pytest
from django.test import Client

from trygg.accounts.models import User
from trygg.crimestats.models import ComparisonGroup
from trygg.demo.evidence import load_evidence_demo
from trygg.municipalities.models import Municipality

pytestmark = pytest.mark.django_db


def _parse(content: bytes) -> Any:
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(content)


@pytest.fixture
def with_statistics(home_municipality: Municipality) -> Municipality:
    load_evidence_demo(home_municipality)
    return home_municipality


def test_the_statistics_page_is_valid_html_with_tables_charts_and_the_example_label(
    client: Client,
    with_statistics: Municipality,
    django_assert_max_num_queries,
) -> None:
    with django_assert_max_num_queries(20):
        response = client.get("/ljungby/brottsstatistik/")

    assert response.status_code == 200
    document = _parse(response.content)
    assert len(document.findall(".//h1")) == 1
    page = response.content.decode()
    assert '<span class="example-data">Exempeldata</span>' in page
    images = document.findall(".//img[@class='chart']")
    assert images and all(image.get("alt") for image in images)
    assert all(table.find("caption") is not None for table in document.findall(".//table"))
    assert "Kronobergs län" in page and "Liknande kommuner i länet" in page


def test_the_chart_is_an_svg_with_its_text_as_text(client: Client, with_statistics: Municipality) -> None:
    response = client.get("/ljungby/brottsstatistik/diagram/klotter.svg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content and b"Klotter" in response.content


def test_an_unknown_category_chart_is_404(client: Client, with_statistics: Municipality) -> None:
    assert client.get("/ljungby/brottsstatistik/diagram/mord.svg").status_code == 404


def test_staff_see_imports_and_an_outsider_gets_404_for_anothers_comparison_group(
    login,
    coordinator: User,
    outsider: User,
    with_statistics: Municipality,
) -> None:
    assert login(coordinator).get("/personal/brottsstatistik/").status_code == 200
    assert login(outsider).get("/personal/brottsstatistik/ljungby/jamforelsegrupp/").status_code == 404


def test_a_crew_member_may_not_change_the_comparison_group(
    login,
    crew_member: User,
    with_statistics: Municipality,
) -> None:
    client = login(crew_member)
    before = list(
        ComparisonGroup.objects.get(municipality=with_statistics).members.values_list("pk", flat=True)
    )

    assert client.get("/personal/brottsstatistik/ljungby/jamforelsegrupp/").status_code == 200
    response = client.post("/personal/brottsstatistik/ljungby/jamforelsegrupp/", {"name": "X", "members": []})

    assert response.status_code == 403
    assert (
        list(ComparisonGroup.objects.get(municipality=with_statistics).members.values_list("pk", flat=True))
        == before
    )


def test_a_crew_member_may_not_import(login, crew_member: User, with_statistics: Municipality) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "x.csv", b"kommunkod,kommun,brottskategori,period,antal\n0781,L,klotter,2000,1\n"
    )
    response = login(crew_member).post("/personal/brottsstatistik/", {"kind": "crime", "file": upload})

    assert response.status_code == 403


def test_an_upload_with_errors_lists_them_and_imports_nothing(
    login, coordinator: User, with_statistics: Municipality
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from trygg.crimestats.models import ImportRun

    runs = ImportRun.objects.count()
    upload = SimpleUploadedFile(
        "x.csv", b"kommunkod,kommun,brottskategori,period,antal\n0781,L,klotter,2000,-1\n"
    )
    response = login(coordinator).post("/personal/brottsstatistik/", {"kind": "crime", "file": upload})

    assert response.status_code == 400
    assert "rad 2" in response.content.decode() and "antal" in response.content.decode()
    assert ImportRun.objects.count() == runs


def test_an_upload_with_errors_or_a_bad_mapping_is_explained_in_english_on_the_english_page(
    login, coordinator: User, with_statistics: Municipality
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(coordinator)
    upload = SimpleUploadedFile(
        "x.csv", b"kommunkod,kommun,brottskategori,period,antal\n0781,L,klotter,2000,-1\n"
    )
    response = client.post("/en/personal/brottsstatistik/", {"kind": "crime", "file": upload})

    assert response.status_code == 400
    page = response.content.decode()
    assert "row 2, column antal: The number ”-1” is negative; it must be 0 or greater." in page
    assert "negativt" not in page

    upload.seek(0)
    mapping = SimpleUploadedFile("mappning.toml", b"[kolumner]\nkommun = 'x'\n")
    response = client.post(
        "/en/personal/brottsstatistik/", {"kind": "crime", "file": upload, "mapping": mapping}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Unknown section [kolumner] in the mapping file." in page
    assert "Okänd del" not in page


def test_an_upload_is_previewed_with_its_format_and_imported_only_when_confirmed(
    login, coordinator: User, with_statistics: Municipality
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from trygg.crimestats.models import ImportRun, ReportedCrime

    from . import samples

    client = login(coordinator)
    runs = ImportRun.objects.count()
    upload = SimpleUploadedFile("Databasfil.txt", samples.SOL)

    preview = client.post(
        "/personal/brottsstatistik/", {"kind": "crime", "file": upload, "create_municipalities": "on"}
    )

    page = preview.content.decode()
    assert preview.status_code == 200
    assert "Brås statistikdatabas (SOL), textexport" in page
    assert "Mord och dråp" in page and "Okänd kommun" in page
    assert ImportRun.objects.count() == runs
    _parse(preview.content)
    token = client.session["crimestats:upload"]["token"]

    done = client.post("/personal/brottsstatistik/", {"token": token, "confirm": "1"})

    assert done.status_code == 302
    run = ImportRun.objects.latest("pk")
    assert run.file_format == "Brås statistikdatabas (SOL), textexport"
    # The file's two "prel." figures are stored as preliminary (the example figures have none). Counted over every
    # row, not by the run: which years the example figures cover, and so which rows the file's figures supersede,
    # depends on the day the test runs.
    assert sum(1 for *_figure, preliminary in ReportedCrime.objects.records() if preliminary) == 2
    detail = client.get(done["Location"]).content.decode()
    assert "Mord och dråp (1)" in detail


def test_a_crew_member_may_not_confirm_an_import(
    login, crew_member: User, with_statistics: Municipality
) -> None:
    from trygg.crimestats.models import ImportRun

    runs = ImportRun.objects.count()
    response = login(crew_member).post("/personal/brottsstatistik/", {"token": "x", "confirm": "1"})

    assert response.status_code == 403 and ImportRun.objects.count() == runs


def test_a_json_error_in_an_upload_names_its_path(
    login, coordinator: User, with_statistics: Municipality
) -> None:
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    from . import samples

    document = json.loads(samples.jsonstat_population())
    document["value"][2] = "x"
    upload = SimpleUploadedFile("tab638.json", json.dumps(document).encode())

    response = login(coordinator).post("/personal/brottsstatistik/", {"kind": "population", "file": upload})

    assert response.status_code == 400
    assert "<code>$.value[2]</code>" in response.content.decode()
