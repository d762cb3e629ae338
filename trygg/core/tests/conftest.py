import pytest

from trygg.accounts.models import User
from trygg.municipalities.models import Municipality
from trygg.surveys import services as survey_services
from trygg.surveys.models import Survey


@pytest.fixture
def invitation_survey(coordinator: User, home_municipality: Municipality) -> Survey:
    created = survey_services.survey_create(
        municipality=home_municipality,
        year=2024,
        title="Trygghetsmätning 2024",
        slug="2024",
        mode=Survey.Mode.INVITATION,
        k=10,
        languages=["en"],
        areas=["Centrum", "Landsbygd"],
        by=coordinator,
    )
    return survey_services.survey_set_status(survey=created, status=Survey.Status.OPEN, by=coordinator)
