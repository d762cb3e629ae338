"""A small municipality of the promise editor's own: quicker than the demo, with every kind of party."""

import datetime as dt

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from trygg.accounts.models import User
from trygg.municipalities.models import Area, Membership, Municipality, Party, PoliceArea
from trygg.municipalities.tests.factories import MunicipalityFactory, UserFactory
from trygg.promises.models import Activity, Promise
from trygg.promises.tests.factories import ActivityFactory, FocusAreaFactory, PromiseFactory


@pytest.fixture
def town(db) -> Municipality:
    municipality = MunicipalityFactory.create(name="Granby kommun", slug="granby")
    police_area = PoliceArea.objects.create(name="Lokalpolisområde Granby")
    municipality.police_areas.add(police_area)
    Party.objects.create(municipality=municipality, name="Granby kommun", kind=Party.Kind.MUNICIPALITY)
    Party.objects.create(name="Polisen", kind=Party.Kind.POLICE, police_area=police_area)
    Party.objects.create(municipality=municipality, name="Granbybostäder", kind=Party.Kind.OTHER)
    Area.objects.create(municipality=municipality, name="Centrum")
    return municipality


def member(municipality: Municipality, username: str, role: str, party: Party) -> User:
    """A member of staff with a confirmed second factor, as the `login` fixture needs."""
    user = UserFactory.create(username=username)
    Membership.objects.create(user=user, municipality=municipality, party=party, role=role)
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


@pytest.fixture
def town_coordinator(town):
    return member(town, "granby-samordnare", Membership.Role.COORDINATOR, kommun(town))


@pytest.fixture
def town_officer(town):
    return member(town, "granby-polis", Membership.Role.POLICE, police(town))


@pytest.fixture
def town_crew(town):
    return member(town, "granby-drift", Membership.Role.CREW, kommun(town))


@pytest.fixture
def stranger(db):
    other = MunicipalityFactory.create(name="Annanby kommun", slug="annanby")
    party = Party.objects.create(municipality=other, name="Annanby kommun", kind=Party.Kind.MUNICIPALITY)
    return member(other, "annanby-samordnare", Membership.Role.COORDINATOR, party)


def kommun(town: Municipality) -> Party:
    return Party.objects.get(municipality=town, kind=Party.Kind.MUNICIPALITY)


def police(town: Municipality) -> Party:
    return Party.objects.get(kind=Party.Kind.POLICE, police_area__municipalities=town)


@pytest.fixture
def town_draft(town) -> Promise:
    """A draft for 2027: "Klotter" with two activities (the second without an amount), "Trafik" with one."""
    promise = PromiseFactory.create(
        municipality=town,
        slug="2027",
        title="Medborgarlöfte 2027",
        valid_from=dt.date(2027, 1, 1),
        valid_until=dt.date(2027, 12, 31),
        status=Promise.Status.DRAFT,
    )
    graffiti = FocusAreaFactory.create(promise=promise, title="Klotter", slug="klotter", order=1)
    traffic = FocusAreaFactory.create(promise=promise, title="Trafik", slug="trafik", order=2)
    ActivityFactory.create(
        focus_area=graffiti,
        text="Kommunen genomför 4 trygghetsvandringar under året.",
        quantity=4,
        unit="trygghetsvandringar",
        per=Activity.Per.YEAR,
        order=1,
        responsible_parties=[kommun(town)],
    )
    ActivityFactory.create(
        focus_area=graffiti,
        text="Polisen ska fotpatrullera i centrum.",
        quantity=None,
        unit="",
        per="",
        order=2,
        responsible_parties=[police(town)],
    )
    ActivityFactory.create(
        focus_area=traffic,
        text="Polisen gör 10 hastighetskontroller under året.",
        quantity=10,
        unit="hastighetskontroller",
        per=Activity.Per.YEAR,
        order=1,
        responsible_parties=[police(town)],
    )
    return promise


@pytest.fixture
def town_published(town_draft: Promise) -> Promise:
    Promise.objects.filter(pk=town_draft.pk).update(
        status=Promise.Status.PUBLISHED, published_on=dt.date(2027, 1, 10)
    )
    town_draft.refresh_from_db()
    return town_draft
