import factory

from trygg.municipalities.tests.factories import MunicipalityFactory
from trygg.surveys.models import Survey


class SurveyFactory(factory.django.DjangoModelFactory[Survey]):
    class Meta:
        model = Survey

    municipality = factory.SubFactory(MunicipalityFactory)
    year = 2024
    title = factory.Sequence(lambda n: f"Trygghetsmätning {n}")
    slug = factory.Sequence(lambda n: f"matning-{n}")
    mode = Survey.Mode.INVITATION
    status = Survey.Status.OPEN
    k = 10
    areas = factory.LazyFunction(lambda: ["Centrum", "Landsbygd"])
