from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from trygg.accounts.models import User
from trygg.municipalities.models import Municipality
from trygg.surveys.models import Survey, SurveyDataFile
from trygg.surveys.services import survey_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(coordinator: User, home_municipality: Municipality) -> Survey:
    return survey_create(
        municipality=home_municipality,
        year=2026,
        title="Import",
        slug="import-2026",
        mode=Survey.Mode.INVITATION,
        k=10,
        languages=["sv"],
        areas=["Centrum"],
        by=coordinator,
    )


def test_a_file_is_imported_with_a_renamed_column(tmp_path: Path, survey: Survey, coordinator: User) -> None:
    rows = ["respondent,area,Q1"] + [f"{n},Centrum,{1 + n % 4}" for n in range(30)]
    path = tmp_path / "svar.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")

    call_command(
        "import_survey",
        str(path),
        "--survey",
        str(survey.pk),
        "--by",
        coordinator.username,
        "--map",
        "Q1=p_klotter",
        "--no-progress",
    )

    assert SurveyDataFile.objects.filter(survey=survey).exists()


def test_a_file_with_an_error_names_the_line_and_imports_nothing(
    tmp_path: Path, survey: Survey, coordinator: User, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "svar.csv"
    path.write_text("respondent,p_klotter\n1,2\n2,7\n", encoding="utf-8")

    with pytest.raises(CommandError):
        call_command(
            "import_survey",
            str(path),
            "--survey",
            str(survey.pk),
            "--by",
            coordinator.username,
            "--no-progress",
        )

    assert "3" in capsys.readouterr().err
    assert not SurveyDataFile.objects.filter(survey=survey).exists()
