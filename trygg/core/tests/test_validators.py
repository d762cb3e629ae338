import pytest
from django.core.exceptions import ValidationError

from trygg.core.validators import contrast_ratio, validate_accent_colour, validate_not_reserved
from trygg.municipalities.tests.factories import MunicipalityFactory
from trygg.promises.tests.factories import PromiseFactory


def test_black_on_white_has_the_maximum_contrast() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)


def test_a_dark_accent_colour_is_accepted() -> None:
    validate_accent_colour("#005a8c")


@pytest.mark.parametrize("colour", ["#ffff00", "#9ad0f5", "005a8c", "#05a8c", "blue"])
def test_a_light_or_malformed_accent_colour_is_refused(colour: str) -> None:
    with pytest.raises(ValidationError):
        validate_accent_colour(colour)


@pytest.mark.parametrize("word", ["admin", "api", "personal", "en", "sv"])
def test_words_the_site_uses_itself_are_reserved(word: str) -> None:
    with pytest.raises(ValidationError):
        validate_not_reserved(word)


@pytest.mark.django_db
def test_a_municipality_cannot_take_a_reserved_slug() -> None:
    municipality = MunicipalityFactory.build(slug="api")

    with pytest.raises(ValidationError) as error:
        municipality.full_clean()

    assert "slug" in error.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["2023", "2024-2025", "2024-centrum"])
def test_promise_slugs_may_be_a_year_a_span_or_a_district(slug: str) -> None:
    promise = PromiseFactory.create(slug=slug)

    promise.full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize("slug", ["2024 2025", "Centrum", "-2024", "admin"])
def test_malformed_promise_slugs_are_refused(slug: str) -> None:
    promise = PromiseFactory.build(slug=slug, municipality=MunicipalityFactory.create())

    with pytest.raises(ValidationError) as error:
        promise.full_clean()

    assert "slug" in error.value.message_dict
