"""People in /personal/: invitations, the first login with a new authenticator, resets, deactivation, own details."""

import datetime as dt
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from trygg.accounts import services
from trygg.accounts.models import ApiToken, Invitation, User
from trygg.audit.models import AuditEntry
from trygg.municipalities.models import Membership, Municipality, Party
from trygg.municipalities.tests.factories import PartyFactory

pytestmark = pytest.mark.django_db
PASSWORD = "ett långt och eget lösenord"
LINK = re.compile(r"https?://\S+/personal/inbjudan/[^/\s]+/")


@pytest.fixture(autouse=True)
def _mail(settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://trygg.kommun.example"


def _kommun(municipality: Municipality) -> Party:
    return Party.objects.get(municipality=municipality, kind=Party.Kind.MUNICIPALITY, name="Ljungby kommun")


def _police(municipality: Municipality) -> Party:
    return Party.objects.get(kind=Party.Kind.POLICE, police_area__municipalities=municipality)


def _invite(client: Client, municipality: Municipality, **fields: Any) -> Any:
    data = {
        "inbjudan-email": "Ny.Person@Ljungby.example",
        "inbjudan-first_name": "Nora",
        "inbjudan-last_name": "Nyberg",
        "inbjudan-role": "crew",
        "inbjudan-party": _kommun(municipality).pk,
    }
    data.update({f"inbjudan-{key}": value for key, value in fields.items()})
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(reverse("accounts:people", args=[municipality.slug]), data)


def _link_in_last_mail() -> str:
    found = LINK.search(str(mail.outbox[-1].body))
    assert found is not None, mail.outbox[-1].body
    return found.group(0)


def _code(device: TOTPDevice, at: dt.datetime | None = None) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if at is not None:
        totp.time = at.timestamp()
    return f"{totp.token():06d}"


def _path(link: str) -> str:
    return urlsplit(link).path


def _accept(
    client: Client, link: str, *, username: str, first_name: str = "Nora", last_name: str = "Nyberg"
) -> Any:
    """The invitee's answer on the invitation page: a username, their name and a strong password twice."""
    return client.post(
        _path(link),
        {
            "username": username,
            "first_name": first_name,
            "last_name": last_name,
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def _own_client(user: User) -> Client:
    """A browser of one's own: the `login` fixture logs everyone into the same test client."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    assert device is not None
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def test_a_coordinator_invites_a_person_who_sets_a_password_enrols_and_logs_in(
    login: Any, coordinator: User, home_municipality: Municipality
) -> None:
    response = _invite(login(coordinator), home_municipality)

    assert response.status_code == 302
    assert mail.outbox[-1].to == ["ny.person@ljungby.example"]
    link = _link_in_last_mail()
    assert link.startswith("https://trygg.kommun.example/personal/inbjudan/")
    invitation = Invitation.objects.get()
    assert link.rstrip("/").rsplit("/", 1)[1] not in invitation.key_hash  # only the hash is stored

    invitee = Client()
    page = invitee.get(_path(link))
    assert page.status_code == 200
    assert 'value="ny.person"' in page.content.decode()
    accepted = _accept(invitee, link, username="nora")
    assert accepted.status_code == 302 and accepted["Location"] == reverse("accounts:enrol")
    assert (
        invitee.get(reverse("accounts:dashboard")).status_code == 302
    )  # no staff page before the second factor

    enrol = invitee.get(reverse("accounts:enrol"))
    text = enrol.content.decode()
    assert "<svg" in text and "otpauth" not in text  # the URI is in the QR code, not in the page's text
    device = TOTPDevice.objects.get(user__username="nora")
    assert not device.confirmed
    key = re.search(r'id="secret-key">([A-Z2-7 ]+)<', text)
    assert key is not None
    from base64 import b32decode

    assert (
        b32decode(key.group(1).replace(" ", "") + "=" * (-len(key.group(1).replace(" ", "")) % 8))
        == device.bin_key
    )
    wrong = invitee.post(
        reverse("accounts:enrol"), {"token": "000000" if _code(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 400
    assert "Koden stämmer inte" in wrong.content.decode()
    confirmed = invitee.post(reverse("accounts:enrol"), {"token": _code(device)})
    assert confirmed.status_code == 302
    assert invitee.get(reverse("accounts:dashboard")).status_code == 200

    user = User.objects.get(username="nora")
    assert user.email == "ny.person@ljungby.example" and not user.is_staff
    assert Membership.objects.filter(user=user, municipality=home_municipality, role="crew").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    again = Client().get(_path(link))
    assert again.status_code == 404  # the link works once
    device.refresh_from_db()
    assert device.confirmed


def test_the_invited_person_logs_in_later_with_password_and_code(
    login: Any, coordinator: User, home_municipality: Municipality
) -> None:
    _invite(login(coordinator), home_municipality)
    invitee = Client()
    _accept(invitee, _link_in_last_mail(), username="nora")
    device = TOTPDevice.objects.get(user__username="nora")
    invitee.post(reverse("accounts:enrol"), {"token": _code(device)})

    later = Client()
    device.refresh_from_db()
    next_step = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=device.step)
    response = later.post(
        reverse("accounts:login"),
        {"username": "nora", "password": PASSWORD, "otp_token": _code(device, next_step)},
    )
    without_code = Client().post(
        reverse("accounts:login"), {"username": "nora", "password": PASSWORD, "otp_token": ""}
    )

    assert response.status_code == 302
    assert later.get(reverse("accounts:dashboard")).status_code == 200
    assert without_code.status_code == 200  # a person with an authenticator cannot skip the code


def test_an_invitee_who_left_after_the_password_sets_up_the_app_at_first_login(
    login: Any, coordinator: User, home_municipality: Municipality
) -> None:
    _invite(login(coordinator), home_municipality)
    _accept(Client(), _link_in_last_mail(), username="nora")
    client = Client()

    response = client.post(
        reverse("accounts:login"), {"username": "nora", "password": PASSWORD, "otp_token": ""}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:enrol"))
    assert client.get(reverse("accounts:dashboard")).status_code == 302
    assert client.get(reverse("accounts:enrol")).status_code == 200


def test_the_password_alone_never_opens_the_set_up_for_a_person_who_has_an_app(
    coordinator: User, home_municipality: Municipality
) -> None:
    coordinator.set_password(PASSWORD)
    coordinator.save()
    client = Client()

    response = client.post(
        reverse("accounts:login"), {"username": coordinator.username, "password": PASSWORD, "otp_token": ""}
    )

    assert response.status_code == 200
    assert "Fel användarnamn, lösenord eller engångskod." in response.content.decode()
    assert client.get(reverse("accounts:enrol")).status_code == 302


def test_a_weak_password_or_a_taken_username_is_refused_and_the_form_keeps_what_was_typed(
    login: Any, coordinator: User, home_municipality: Municipality
) -> None:
    _invite(login(coordinator), home_municipality)
    link = _path(_link_in_last_mail())

    weak = Client().post(
        link,
        {
            "username": "nora",
            "first_name": "Nora",
            "last_name": "Nyberg",
            "password1": "kort",
            "password2": "kort",
        },
    )
    taken = _accept(Client(), link, username="samordnare")

    assert weak.status_code == taken.status_code == 400
    assert "minst 12 tecken" in weak.content.decode() or "för kort" in weak.content.decode()
    assert 'value="Nyberg"' in weak.content.decode()
    assert "Användarnamnet är upptaget" in taken.content.decode()
    assert not User.objects.filter(email="ny.person@ljungby.example").exists()
    assert Invitation.objects.get().accepted_at is None


def test_an_expired_or_revoked_invitation_does_not_work(
    login: Any, coordinator: User, home_municipality: Municipality
) -> None:
    client = login(coordinator)
    _invite(client, home_municipality)
    first = _path(_link_in_last_mail())
    _invite(client, home_municipality)  # a new invitation to the same address replaces the first
    second = _path(_link_in_last_mail())

    assert Client().get(first).status_code == 404
    assert Client().get(second).status_code == 200
    Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    assert Client().get(second).status_code == 404


def test_a_coordinator_revokes_a_pending_invitation(
    login: Any, coordinator: User, home_municipality: Municipality
) -> None:
    client = login(coordinator)
    _invite(client, home_municipality)
    link = _path(_link_in_last_mail())
    invitation = Invitation.objects.get()

    response = client.post(
        reverse("accounts:invitation_revoke", args=[home_municipality.slug, invitation.pk])
    )

    assert response.status_code == 302
    assert Client().get(link).status_code == 404


def test_a_person_with_an_account_accepts_the_role_logged_in_as_themselves(
    login: Any, coordinator: User, outsider: User, home_municipality: Municipality
) -> None:
    outsider.email = "outsider@annanstad.example"
    outsider.save(update_fields=["email"])
    _invite(login(coordinator), home_municipality, email="Outsider@Annanstad.example")
    link = _path(_link_in_last_mail())

    anonymous = Client().get(link)
    assert "Logga in" in anonymous.content.decode()
    assert Client().post(link, {"username": "x"}).status_code == 200
    assert not Membership.objects.filter(user=outsider, municipality=home_municipality).exists()

    response = login(outsider).post(link)

    assert response.status_code == 302
    assert Membership.objects.filter(user=outsider, municipality=home_municipality, role="crew").exists()


@pytest.mark.parametrize(
    ("role", "party_kind", "message"),
    [("police", "municipality", "En kommunpolis hör till polisen"), ("crew", "other_municipality", "Välj")],
)
def test_an_invitation_must_name_a_party_of_the_municipality_that_fits_the_role(
    login: Any,
    coordinator: User,
    outsider: User,
    home_municipality: Municipality,
    role: str,
    party_kind: str,
    message: str,
) -> None:
    party = (
        _kommun(home_municipality)
        if party_kind == "municipality"
        else Party.objects.get(municipality__slug="annanstad")
    )

    response = _invite(login(coordinator), home_municipality, role=role, party=party.pk)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_the_invitation_form_offers_the_municipalitys_parties_and_its_police_only(
    login: Any, coordinator: User, outsider: User, home_municipality: Municipality
) -> None:
    PartyFactory.create(municipality=Municipality.objects.get(slug="annanstad"), name="Annanstads bostäder")

    page = login(coordinator).get(reverse("accounts:people", args=[home_municipality.slug])).content.decode()

    assert "Ljungby kommun" in page and "Polisen" in page
    assert "Annanstad" not in page


@pytest.mark.parametrize("persona", ["police_officer", "crew_member"])
def test_police_and_crew_may_not_invite_or_manage_people(
    request: pytest.FixtureRequest,
    login: Any,
    home_municipality: Municipality,
    persona: str,
    coordinator: User,
) -> None:
    client = login(request.getfixturevalue(persona))
    membership = Membership.objects.get(user=coordinator)

    assert client.get(reverse("accounts:people", args=[home_municipality.slug])).status_code == 403
    assert _invite(client, home_municipality).status_code == 403
    reset = client.post(
        reverse("accounts:person_action", args=[home_municipality.slug, coordinator.pk]),
        {"action": "deactivate"},
    )
    removed = client.post(reverse("accounts:membership_remove", args=[home_municipality.slug, membership.pk]))

    assert reset.status_code == removed.status_code == 403
    coordinator.refresh_from_db()
    assert coordinator.is_active
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert not Invitation.objects.exists() and mail.outbox == []


def test_another_municipalitys_coordinator_cannot_touch_this_municipalitys_people(
    login: Any, outsider: User, coordinator: User, police_officer: User, home_municipality: Municipality
) -> None:
    client = login(outsider)
    membership = Membership.objects.get(user=police_officer)

    assert client.get(reverse("accounts:people", args=[home_municipality.slug])).status_code == 404
    for action in ("deactivate", "reset_second_factor"):
        response = client.post(
            reverse("accounts:person_action", args=[home_municipality.slug, police_officer.pk]),
            {"action": action},
        )
        assert response.status_code == 404
    # Their own municipality's address does not reach Ljungby's staff either.
    mine = client.post(
        reverse("accounts:person_action", args=["annanstad", police_officer.pk]), {"action": "deactivate"}
    )
    assert mine.status_code == 404
    assert (
        client.post(reverse("accounts:membership_remove", args=["annanstad", membership.pk])).status_code
        == 404
    )
    police_officer.refresh_from_db()
    assert police_officer.is_active
    assert TOTPDevice.objects.filter(user=police_officer, confirmed=True).exists()


def test_deactivation_ends_sessions_and_api_tokens_and_reactivation_brings_neither_back(
    login: Any, coordinator: User, police_officer: User, home_municipality: Municipality
) -> None:
    officer_client = _own_client(police_officer)
    assert officer_client.get(reverse("accounts:dashboard")).status_code == 200
    police_officer.is_verified = lambda: True  # type: ignore[attr-defined]
    _token, raw = services.api_token_create(
        user=police_officer, municipality=home_municipality, name="System", days=30, now=timezone.now()
    )
    api = Client()
    assert api.get("/api/staff/whoami", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    coordinator_client = _own_client(coordinator)

    response = coordinator_client.post(
        reverse("accounts:person_action", args=[home_municipality.slug, police_officer.pk]),
        {"action": "deactivate"},
    )

    assert response.status_code == 302
    police_officer.refresh_from_db()
    assert not police_officer.is_active
    assert officer_client.get(reverse("accounts:dashboard")).status_code == 302
    assert api.get("/api/staff/whoami", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert ApiToken.objects.get(user=police_officer).revoked_at is not None
    assert AuditEntry.objects.filter(model="accounts.user", object_id=str(police_officer.pk)).exists()

    coordinator_client.post(
        reverse("accounts:person_action", args=[home_municipality.slug, police_officer.pk]),
        {"action": "reactivate"},
    )
    police_officer.refresh_from_db()
    assert police_officer.is_active
    assert officer_client.get(reverse("accounts:dashboard")).status_code == 302
    assert api.get("/api/staff/whoami", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_a_person_who_also_works_elsewhere_keeps_the_account_and_loses_only_the_role_here(
    login: Any, coordinator: User, outsider: User, home_municipality: Municipality
) -> None:
    Membership.objects.create(
        user=outsider, municipality=home_municipality, party=_kommun(home_municipality), role="crew"
    )
    client = login(coordinator)

    refused = client.post(
        reverse("accounts:person_action", args=[home_municipality.slug, outsider.pk]),
        {"action": "deactivate"},
    )
    outsider.refresh_from_db()
    assert refused.status_code == 302 and outsider.is_active
    assert (
        "arbetar också i en annan kommun"
        in client.get(reverse("accounts:people", args=[home_municipality.slug])).content.decode()
    )

    membership = Membership.objects.get(user=outsider, municipality=home_municipality)
    client.post(reverse("accounts:membership_remove", args=[home_municipality.slug, membership.pk]))

    assert not Membership.objects.filter(user=outsider, municipality=home_municipality).exists()
    assert Membership.objects.filter(user=outsider).exists()


def test_a_reset_second_factor_is_set_up_again_at_the_next_login(
    login: Any, coordinator: User, police_officer: User, home_municipality: Municipality
) -> None:
    police_officer.set_password(PASSWORD)
    police_officer.email = "kim@ljungby.example"
    police_officer.save()
    officer_session = _own_client(police_officer)

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = _own_client(coordinator).post(
            reverse("accounts:person_action", args=[home_municipality.slug, police_officer.pk]),
            {"action": "reset_second_factor"},
        )

    assert response.status_code == 302
    assert officer_session.get(reverse("accounts:dashboard")).status_code == 302  # the old session ended
    assert not TOTPDevice.objects.filter(user=police_officer, confirmed=True).exists()
    assert mail.outbox[-1].to == ["kim@ljungby.example"]
    assert "https://trygg.kommun.example/personal/logga-in/" in mail.outbox[-1].body
    client = Client()
    login_response = client.post(
        reverse("accounts:login"),
        {"username": police_officer.username, "password": PASSWORD, "otp_token": ""},
    )
    assert login_response["Location"].startswith(reverse("accounts:enrol"))
    device = TOTPDevice.objects.get(user=police_officer)
    client.post(reverse("accounts:enrol"), {"token": _code(device)})
    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_the_window_to_set_up_a_new_app_closes(
    login: Any, coordinator: User, police_officer: User, home_municipality: Municipality, settings: Any
) -> None:
    police_officer.set_password(PASSWORD)
    police_officer.save()
    services.second_factor_reset(
        user=police_officer, municipality=home_municipality, by=coordinator, now=timezone.now()
    )
    TOTPDevice.objects.filter(user=police_officer).update(
        created_at=timezone.now() - dt.timedelta(days=settings.SECOND_FACTOR_ENROL_DAYS, minutes=1)
    )

    response = Client().post(
        reverse("accounts:login"),
        {"username": police_officer.username, "password": PASSWORD, "otp_token": ""},
    )

    assert response.status_code == 200
    assert "Fel användarnamn, lösenord eller engångskod." in response.content.decode()


def test_a_coordinator_cannot_reset_or_close_their_own_account_or_an_operators(
    coordinator: User, home_municipality: Municipality
) -> None:
    from django.core.exceptions import PermissionDenied

    operator = User.objects.get(username="administrator")
    Membership.objects.create(
        user=operator, municipality=home_municipality, party=_kommun(home_municipality), role="coordinator"
    )

    for user in (coordinator, operator):
        with pytest.raises(PermissionDenied):
            services.member_deactivate(
                user=user, municipality=home_municipality, by=coordinator, now=timezone.now()
            )
        with pytest.raises(PermissionDenied):
            services.second_factor_reset(
                user=user, municipality=home_municipality, by=coordinator, now=timezone.now()
            )


def test_every_user_edits_their_own_name_and_e_mail(login: Any, crew_member: User, coordinator: User) -> None:
    coordinator.email = "sam@ljungby.example"
    coordinator.save(update_fields=["email"])
    client = login(crew_member)

    saved = client.post(
        reverse("accounts:account"), {"first_name": "Cia", "last_name": "Rew", "email": "cia@ljungby.example"}
    )
    taken = client.post(
        reverse("accounts:account"), {"first_name": "Cia", "last_name": "Rew", "email": "SAM@ljungby.example"}
    )

    assert saved.status_code == 302
    crew_member.refresh_from_db()
    assert (crew_member.first_name, crew_member.email) == ("Cia", "cia@ljungby.example")
    assert taken.status_code == 400
    assert "används redan" in taken.content.decode()
    assert 'value="SAM@ljungby.example"' in taken.content.decode()
    crew_member.refresh_from_db()
    assert crew_member.email == "cia@ljungby.example"


def test_the_people_page_names_who_gets_no_reminders(
    login: Any, coordinator: User, police_officer: User, home_municipality: Municipality
) -> None:
    police_officer.email = "kim@ljungby.example"
    police_officer.save(update_fields=["email"])

    page = login(coordinator).get(reverse("accounts:people", args=[home_municipality.slug])).content.decode()

    assert "Får inga påminnelser" in page
    listing = page.split("Får inga påminnelser", 1)[1].split("</div>", 1)[0]
    assert "coordinator" in listing
    assert "officer" not in listing


def test_the_people_page_costs_the_same_queries_for_more_people(
    login: Any, coordinator: User, home_municipality: Municipality, django_assert_max_num_queries: Any
) -> None:
    from trygg.municipalities.tests.factories import UserFactory

    client = login(coordinator)
    url = reverse("accounts:people", args=[home_municipality.slug])
    client.get(url)
    for number in range(12):
        user = UserFactory.create(username=f"person{number}")
        Membership.objects.create(
            user=user, municipality=home_municipality, party=_kommun(home_municipality), role="crew"
        )
        TOTPDevice.objects.create(user=user, name="app", confirmed=True)

    with django_assert_max_num_queries(25):
        response = client.get(url)

    assert response.content.decode().count("Ta bort rollen") >= 12


def test_the_invitation_link_after_the_query_string_next_cannot_leave_the_site(
    login: Any, coordinator: User, home_municipality: Municipality
) -> None:
    _invite(login(coordinator), home_municipality)
    invitee = Client()
    _accept(invitee, _link_in_last_mail(), username="nora", first_name="N", last_name="N")
    device = TOTPDevice.objects.get(user__username="nora")

    response = invitee.post(
        reverse("accounts:enrol") + "?next=https://evil.example/", {"token": _code(device)}
    )

    assert response.status_code == 302
    assert urlsplit(response["Location"]).netloc == ""
    assert parse_qs(urlsplit(response["Location"]).query) == {}
