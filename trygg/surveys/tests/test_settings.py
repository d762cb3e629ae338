"""A survey's settings are changed on a staff page by coordinators; what letters and answers rest on stays put."""

import html5lib
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from trygg.audit.models import AuditEntry
from trygg.surveys import services
from trygg.surveys.models import Survey
from trygg.surveys.tests.factories import SurveyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(home_municipality) -> Survey:
    return SurveyFactory.create(
        municipality=home_municipality, status=Survey.Status.DRAFT, title="Trygghetsmätning 2025", slug="2025"
    )


def _data(survey: Survey, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": survey.title,
        "introduction": survey.introduction,
        "year": survey.year,
        "slug": survey.slug,
        "mode": survey.mode,
        "k": survey.k,
        "languages": list(survey.languages),
        "areas": "\n".join(survey.areas),
    }
    data.update(changes)
    return data


def _settings(survey: Survey, **changes: object) -> services.SurveySettings:
    values: dict[str, object] = {
        "title": survey.title,
        "introduction": survey.introduction,
        "year": survey.year,
        "slug": survey.slug,
        "mode": survey.mode,
        "k": survey.k,
        "languages": list(survey.languages),
        "areas": list(survey.areas),
    }
    values.update(changes)
    return services.SurveySettings(**values)  # type: ignore[arg-type]


def test_the_coordinator_changes_every_setting_of_a_draft_on_its_staff_page(login, coordinator, draft):
    client = login(coordinator)
    detail = client.get(reverse("surveys:staff_detail", args=[draft.pk])).content.decode()
    assert reverse("surveys:staff_settings", args=[draft.pk]) in detail
    page = client.get(reverse("surveys:staff_settings", args=[draft.pk]))
    assert page.status_code == 200
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page.content)

    response = client.post(
        reverse("surveys:staff_settings", args=[draft.pk]),
        _data(
            draft,
            title="Trygghetsmätning i Ljungby 2025",
            introduction="Kommunen och polisen vill veta hur trygg du känner dig.",
            year=2025,
            slug="ljungby-2025",
            mode="open",
            k=15,
            languages=["en", "sv-lattlast"],
            areas="Centrum\nLagan\n\nLandsbygd",
        ),
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.slug, draft.mode, draft.k) == (
        "Trygghetsmätning i Ljungby 2025",
        "ljungby-2025",
        "open",
        15,
    )
    assert draft.languages == ["en", "sv-lattlast"]
    assert draft.areas == ["Centrum", "Lagan", "Landsbygd"]
    assert draft.introduction.startswith("Kommunen och polisen")
    entry = AuditEntry.objects.get(model="surveys.survey", action="update")
    assert entry.changes["k"] == [10, 15] and entry.actor == coordinator


def test_once_open_the_address_sample_and_areas_are_locked_but_the_text_changes(login, coordinator, draft):
    Survey.objects.filter(pk=draft.pk).update(status=Survey.Status.OPEN)
    draft.refresh_from_db()
    client = login(coordinator)
    page = client.get(reverse("surveys:staff_settings", args=[draft.pk])).content.decode()
    assert 'name="slug" value="2025"' in page and "disabled" in page

    # A disabled field keeps its value whatever is posted; the service refuses it from any other channel.
    response = client.post(
        reverse("surveys:staff_settings", args=[draft.pk]),
        _data(draft, title="Ny rubrik", slug="annan", mode="open", areas="Annat"),
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.slug, draft.mode, draft.areas) == (
        "Ny rubrik",
        "2025",
        "invitation",
        ["Centrum", "Landsbygd"],
    )
    with pytest.raises(ValidationError) as refused:
        services.survey_update_settings(survey=draft, by=coordinator, settings=_settings(draft, slug="annan"))
    assert "slug" in refused.value.message_dict


def test_k_only_goes_up_once_results_are_published(coordinator, draft):
    Survey.objects.filter(pk=draft.pk).update(status=Survey.Status.PUBLISHED)
    draft.refresh_from_db()

    with pytest.raises(ValidationError):
        services.survey_update_settings(survey=draft, by=coordinator, settings=_settings(draft, k=5))
    services.survey_update_settings(survey=draft, by=coordinator, settings=_settings(draft, k=20))

    draft.refresh_from_db()
    assert draft.k == 20


def test_a_k_below_five_or_a_taken_address_is_refused_with_the_input_kept(
    login, coordinator, draft, home_municipality
):
    SurveyFactory.create(municipality=home_municipality, slug="2024")
    client = login(coordinator)

    low = client.post(
        reverse("surveys:staff_settings", args=[draft.pk]), _data(draft, k=3, title="Behåll mig")
    )
    taken = client.post(
        reverse("surveys:staff_settings", args=[draft.pk]), _data(draft, slug="2024", title="Behåll mig")
    )

    assert low.status_code == 400 and taken.status_code == 400
    assert 'value="Behåll mig"' in low.content.decode() and 'value="Behåll mig"' in taken.content.decode()
    draft.refresh_from_db()
    assert (draft.k, draft.slug, draft.title) == (10, "2025", "Trygghetsmätning 2025")


@pytest.mark.parametrize("persona", ["police_officer", "crew_member"])
def test_the_police_and_the_crew_get_403_and_nothing_changes(request, login, persona, draft):
    client = login(request.getfixturevalue(persona))
    url = reverse("surveys:staff_settings", args=[draft.pk])

    assert client.get(url).status_code == 403
    assert client.post(url, _data(draft, title="Ändrad")).status_code == 403
    draft.refresh_from_db()
    assert draft.title == "Trygghetsmätning 2025"
    assert not AuditEntry.objects.filter(model="surveys.survey").exists()


def test_staff_of_another_municipality_get_404_and_nothing_changes(login, outsider, draft):
    client = login(outsider)
    url = reverse("surveys:staff_settings", args=[draft.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, _data(draft, title="Ändrad")).status_code == 404
    draft.refresh_from_db()
    assert draft.title == "Trygghetsmätning 2025"
