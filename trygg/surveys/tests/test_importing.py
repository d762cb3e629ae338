"""Survey answer files as Swedish Excel saves them, and the one-source rule before the column mapping."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from trygg.surveys import analysis, importing
from trygg.surveys.models import Response, Survey, SurveyDataFile
from trygg.surveys.services import questions_ensure_bank
from trygg.surveys.tests.factories import SurveyFactory

EXCEL_SEMICOLON = "löpnr;område;klotter;vikt\r\n1;Östra;2;1,25\r\n2;Östra;4;0,75\r\n"


def _interchange(tmp_path: Path, data: bytes, mapping: dict[str, str]) -> str:
    path = tmp_path / "svar.csv"
    path.write_bytes(data)
    target = io.StringIO()
    importing.write_interchange(path, "csv", mapping, target)
    return target.getvalue()


MAPPING = {"löpnr": "respondent", "område": "area", "klotter": "p_klotter", "vikt": "weight"}


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(EXCEL_SEMICOLON.encode("cp1252"), id="windows-1252"),
        pytest.param(b"\xef\xbb\xbf" + EXCEL_SEMICOLON.encode("utf-8"), id="utf-8-bom"),
        # Excel's "Unicode text" and Notepad's "Unicode": UTF-16 with a byte order mark.
        pytest.param(EXCEL_SEMICOLON.encode("utf-16"), id="utf-16"),
        pytest.param(EXCEL_SEMICOLON.replace(";", "\t").encode("utf-16"), id="utf-16-tabs"),
    ],
)
def test_an_excel_semicolon_file_is_read_as_columns_with_decimal_points(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "svar.csv"
    path.write_bytes(data)

    assert importing.source_columns(path, "csv") == ["löpnr", "område", "klotter", "vikt"]
    converted = _interchange(tmp_path, data, MAPPING)
    assert converted == "respondent,area,p_klotter,weight\n1,Östra,2,1.25\n2,Östra,4,0.75\n"
    responses = analysis.read_responses(io.BytesIO(converted.encode()))
    assert responses.weights is not None and list(responses.weights) == [1.25, 0.75]


def test_a_comma_file_keeps_its_values_untouched(tmp_path: Path) -> None:
    data = 'löpnr,område,klotter\n1,"Östra, norr",2\n'.encode()

    assert _interchange(
        tmp_path, data, {"löpnr": "respondent", "område": "area", "klotter": "p_klotter"}
    ) == ('respondent,area,p_klotter\n1,"Östra, norr",2\n')


def test_a_tab_separated_file_is_read_as_columns(tmp_path: Path) -> None:
    path = tmp_path / "svar.csv"
    path.write_bytes("löpnr\tklotter\n1\t2\n".encode())

    assert importing.source_columns(path, "csv") == ["löpnr", "klotter"]


@given(st.lists(st.text(alphabet=st.sampled_from(list(';,"\n\r\t12Åå,')), max_size=30), max_size=6))
def test_any_csv_text_converts_or_fails_with_a_file_error(lines: list[str]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "svar.csv"
        path.write_bytes("\n".join(lines).encode("cp1252", errors="replace"))
        try:
            columns = importing.source_columns(path, "csv")
            importing.write_interchange(path, "csv", {name: name for name in columns}, io.StringIO())
        except analysis.SurveyFileError:
            pass


@pytest.mark.django_db
def test_a_survey_with_web_answers_refuses_an_upload_before_the_column_mapping(
    login, coordinator, home_municipality
) -> None:
    questions_ensure_bank()
    survey = SurveyFactory.create(municipality=home_municipality, status=Survey.Status.CLOSED)
    Response.objects.create(survey=survey, submitted_on=dt.date(2026, 3, 1), answers={"p_klotter": 2})
    client = login(coordinator)

    page = client.get(reverse("surveys:staff_import", args=[survey.pk]))
    upload = client.post(
        reverse("surveys:staff_import", args=[survey.pk]),
        {"file": SimpleUploadedFile("svar.csv", EXCEL_SEMICOLON.encode("cp1252"))},
    )

    assert (
        "redan svar från webbformuläret" in page.content.decode()
        and '<form method="post"' not in page.content.decode()
    )
    assert upload.status_code == 400  # not a redirect to the mapping step
    assert "redan svar från webbformuläret" in upload.content.decode()
    assert not SurveyDataFile.objects.exists()


@pytest.mark.django_db
def test_the_command_refuses_a_survey_with_web_answers_before_reading_the_file(
    tmp_path: Path, coordinator, home_municipality
) -> None:
    from django.core.management import CommandError, call_command

    survey = SurveyFactory.create(municipality=home_municipality, status=Survey.Status.CLOSED)
    Response.objects.create(survey=survey, submitted_on=dt.date(2026, 3, 1), answers={"p_klotter": 2})
    path = tmp_path / "svar.csv"
    path.write_bytes(b"\xff\xfe\x00 not text")  # unreadable: the rule must be told before the file is read

    with pytest.raises(CommandError, match="redan svar från webbformuläret"):
        call_command(
            "import_survey",
            str(path),
            "--survey",
            str(survey.pk),
            "--by",
            coordinator.username,
            "--no-progress",
        )
