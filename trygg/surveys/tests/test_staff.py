import csv
import io

import html5lib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from trygg.surveys.models import InvitationCode, Survey, SurveyDataFile
from trygg.surveys.services import questions_ensure_bank
from trygg.surveys.tests.factories import SurveyFactory


def _parse(content: bytes):
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(content)


def test_a_coordinator_builds_a_survey_from_the_bank(login, coordinator, home_municipality):
    client = login(coordinator)

    response = client.post(
        reverse("surveys:staff_create"),
        {
            "municipality": home_municipality.pk,
            "title": "Trygghetsmätning 2025",
            "year": 2025,
            "slug": "2025",
            "mode": "invitation",
            "k": 10,
            "languages": ["en"],
            "areas": "",
        },
    )

    survey = Survey.objects.get(slug="2025")
    assert response.status_code == 302
    assert survey.areas == ["Centrum", "Landsbygd", "Ljungbyporten", "Ytterområden"]
    assert survey.questions.filter(code="p_klotter").exists()
    detail = client.get(reverse("surveys:staff_detail", args=[survey.pk]))
    assert detail.status_code == 200
    _parse(detail.content)
    preview = client.get(reverse("surveys:staff_preview", args=[survey.pk]) + "?sprak=en")
    assert preview.status_code == 200 and "Graffiti" in preview.content.decode()
    _parse(preview.content)


def test_codes_are_downloaded_once_as_csv_and_only_hashes_stay(login, coordinator, home_municipality):
    survey = SurveyFactory.create(municipality=home_municipality)
    client = login(coordinator)

    response = client.post(reverse("surveys:staff_codes", args=[survey.pk]), {"count": 3})

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert rows[0] == ["kod", "adress"] and len(rows) == 4
    hashes = set(InvitationCode.objects.values_list("code_hash", flat=True))
    assert not {row[0] for row in rows[1:]} & hashes
    assert "Cache-Control" in response and "no-store" in response["Cache-Control"]


def test_a_police_officer_reads_results_but_may_not_make_codes(login, police_officer, home_municipality):
    survey = SurveyFactory.create(municipality=home_municipality)
    client = login(police_officer)

    assert client.get(reverse("surveys:staff_results", args=[survey.pk])).status_code == 200
    assert client.post(reverse("surveys:staff_codes", args=[survey.pk]), {"count": 3}).status_code == 403
    assert (
        client.post(reverse("surveys:staff_status", args=[survey.pk]), {"status": "published"}).status_code
        == 403
    )
    assert not InvitationCode.objects.exists()
    assert Survey.objects.get(pk=survey.pk).status == Survey.Status.OPEN


def test_staff_of_another_municipality_get_404(login, outsider, home_municipality):
    survey = SurveyFactory.create(municipality=home_municipality)
    client = login(outsider)

    for name in ["staff_detail", "staff_results", "staff_preview", "staff_import"]:
        assert client.get(reverse(f"surveys:{name}", args=[survey.pk])).status_code == 404, name
    assert client.post(reverse("surveys:staff_codes", args=[survey.pk]), {"count": 3}).status_code == 404
    assert not InvitationCode.objects.exists()


def test_an_import_with_errors_names_row_and_column_and_imports_nothing(
    login, coordinator, home_municipality
):
    questions_ensure_bank()
    survey = SurveyFactory.create(municipality=home_municipality, status=Survey.Status.CLOSED)
    client = login(coordinator)
    content = b"lopnr,omrade,klotter,vikt\n1,Centrum,2,1\n2,Centrum,7,1\n3,Centrum,1,-1\n"
    upload = client.post(
        reverse("surveys:staff_import", args=[survey.pk]), {"file": SimpleUploadedFile("svar.csv", content)}
    )
    assert upload.status_code == 302
    mapping_page = client.get(upload["Location"])
    assert mapping_page.status_code == 200
    _parse(mapping_page.content)

    response = client.post(
        upload["Location"],
        {"column_0": "respondent", "column_1": "area", "column_2": "p_klotter", "column_3": "weight"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Rad 3, kolumn klotter" in page
    assert "Rad 4, kolumn vikt" in page
    assert "Ingenting importerades" in page
    assert not SurveyDataFile.objects.exists()

    english = client.post(
        f"/en{upload['Location']}",
        {"column_0": "respondent", "column_1": "area", "column_2": "p_klotter", "column_3": "weight"},
    ).content.decode()
    assert "Row 3, column klotter: The code ”7” is not allowed here." in english
    assert "inte tillåten" not in english

    fixed = b"lopnr,omrade,klotter,vikt\n1,Centrum,2,1\n2,Centrum,4,1\n"
    upload = client.post(
        reverse("surveys:staff_import", args=[survey.pk]), {"file": SimpleUploadedFile("svar.csv", fixed)}
    )
    done = client.post(
        upload["Location"],
        {"column_0": "respondent", "column_1": "area", "column_2": "p_klotter", "column_3": "weight"},
    )
    assert done.status_code == 200
    assert SurveyDataFile.objects.get(survey=survey).row_count == 2
    results = client.get(reverse("surveys:staff_results", args=[survey.pk]) + "?per=area")
    assert results.status_code == 200 and "för få svar" in results.content.decode()
