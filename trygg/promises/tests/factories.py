import datetime as dt

import factory

from trygg.municipalities.tests.factories import MunicipalityFactory
from trygg.promises.models import Activity, FocusArea, Promise, Signatory


class PromiseFactory(factory.django.DjangoModelFactory[Promise]):
    class Meta:
        model = Promise

    municipality = factory.SubFactory(MunicipalityFactory)
    # Numbers far from any year: "2000 + n" reached "2023" after 23 promises in a test process, the address of the
    # demo's promise, and a test that made a promise beside the demo failed on the unique slug in some orders.
    slug = factory.Sequence(lambda n: str(9000 + n))
    title = factory.LazyAttribute(lambda promise: f"Medborgarlöfte {promise.slug}")
    valid_from = dt.date(2023, 1, 1)
    valid_until = dt.date(2023, 12, 31)
    status = Promise.Status.PUBLISHED


class SignatoryFactory(factory.django.DjangoModelFactory[Signatory]):
    class Meta:
        model = Signatory

    promise = factory.SubFactory(PromiseFactory)
    name = factory.Sequence(lambda n: f"Undertecknare {n}")
    role = "kommunstyrelsens ordförande"


class FocusAreaFactory(factory.django.DjangoModelFactory[FocusArea]):
    class Meta:
        model = FocusArea

    promise = factory.SubFactory(PromiseFactory)
    title = factory.Sequence(lambda n: f"Fokusområde {n}")
    slug = factory.Sequence(lambda n: f"fokusomrade-{n}")
    order = factory.Sequence(lambda n: n)


class ActivityFactory(factory.django.DjangoModelFactory[Activity]):
    class Meta:
        model = Activity
        skip_postgeneration_save = True

    focus_area = factory.SubFactory(FocusAreaFactory)
    text = factory.Sequence(lambda n: f"Kommunen genomför aktivitet nummer {n}.")
    quantity = 2
    unit = "gånger"
    per = Activity.Per.YEAR
    order = factory.Sequence(lambda n: n)

    @factory.post_generation
    def responsible_parties(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.responsible_parties.set(extracted)
