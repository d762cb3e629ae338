import factory

from trygg.accounts.models import User
from trygg.municipalities.models import Area, Membership, Municipality, Party, PoliceArea


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True


class PoliceAreaFactory(factory.django.DjangoModelFactory[PoliceArea]):
    class Meta:
        model = PoliceArea

    name = factory.Sequence(lambda n: f"Lokalpolisområde {n}")


class MunicipalityFactory(factory.django.DjangoModelFactory[Municipality]):
    class Meta:
        model = Municipality

    name = factory.Sequence(lambda n: f"Exempelby{n} kommun")
    slug = factory.Sequence(lambda n: f"exempelby{n}")
    scb_code = factory.Sequence(lambda n: f"{9000 + n:04d}")
    county = "Exempellän"


class PartyFactory(factory.django.DjangoModelFactory[Party]):
    class Meta:
        model = Party

    name = factory.Sequence(lambda n: f"Part {n}")
    kind = Party.Kind.MUNICIPALITY
    municipality = factory.SubFactory(MunicipalityFactory)


class AreaFactory(factory.django.DjangoModelFactory[Area]):
    class Meta:
        model = Area

    name = factory.Sequence(lambda n: f"Område {n}")
    municipality = factory.SubFactory(MunicipalityFactory)


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    party = factory.SubFactory(PartyFactory, municipality=factory.SelfAttribute("..municipality"))
    role = Membership.Role.COORDINATOR
