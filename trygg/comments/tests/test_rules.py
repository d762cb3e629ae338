import pytest
from django.contrib.auth.models import AnonymousUser

from trygg.comments import rules
from trygg.municipalities.models import Party

pytestmark = pytest.mark.django_db


def test_coordinators_moderate_police_officers_and_crew_do_not(
    home_municipality, coordinator, police_officer, crew_member, outsider
) -> None:
    assert rules.can_moderate(coordinator, home_municipality)
    assert not rules.can_moderate(police_officer, home_municipality)
    assert not rules.can_moderate(crew_member, home_municipality)
    assert not rules.can_moderate(outsider, home_municipality)
    assert not rules.can_moderate(AnonymousUser(), home_municipality)


def test_a_moderator_role_added_later_moderates(home_municipality, crew_member) -> None:
    crew_member.memberships.update(role="moderator")

    assert rules.can_moderate(crew_member, home_municipality)


def test_staff_reply_only_for_the_parties_they_belong_to(
    home_municipality, coordinator, police_officer, outsider
) -> None:
    police = Party.objects.get(kind=Party.Kind.POLICE)
    kommun = Party.objects.get(municipality=home_municipality, kind=Party.Kind.MUNICIPALITY)

    assert rules.can_reply(police_officer, home_municipality, police)
    assert not rules.can_reply(police_officer, home_municipality, kommun)
    assert rules.can_reply(coordinator, home_municipality, kommun)
    assert not rules.can_reply(outsider, home_municipality)
