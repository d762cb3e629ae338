from collections.abc import Iterator

import pytest
from django.test import Client

from trygg.accounts.models import User
from trygg.accounts.tests.oidc_provider import LocalProvider, follow_to_provider, running_provider

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(settings) -> Iterator[LocalProvider]:
    with running_provider() as local:
        for name, value in local.settings().items():
            setattr(settings, name, value)
        settings.AUTHENTICATION_BACKENDS = [
            *settings.AUTHENTICATION_BACKENDS,
            "trygg.accounts.oidc.TryggOIDCBackend",
        ]
        yield local


def _login_through(client: Client, provider: LocalProvider) -> None:
    start = client.get("/personal/oidc/logga-in/")
    assert start.status_code == 302
    assert start["Location"].startswith(provider.base_url + "/authorize?")
    callback = follow_to_provider(start["Location"])
    client.get(callback)


def test_a_staff_member_logs_in_through_the_identity_provider_with_two_factors(
    client: Client, provider: LocalProvider, coordinator: User
) -> None:
    coordinator.email = "coordinator@ljungby.example"
    coordinator.save()
    provider.email = "Coordinator@ljungby.example"
    provider.amr = ["pwd", "mfa"]

    _login_through(client, provider)

    assert client.get("/personal/").status_code == 200


def test_a_provider_login_with_one_factor_is_not_enough_for_staff_pages(
    client: Client, provider: LocalProvider, coordinator: User
) -> None:
    coordinator.email = "coordinator@ljungby.example"
    coordinator.save()
    provider.email = coordinator.email
    provider.amr = ["pwd"]

    _login_through(client, provider)

    assert "_auth_user_id" in client.session
    assert client.get("/personal/").status_code == 302


def test_an_unknown_person_at_the_provider_gets_no_account(client: Client, provider: LocalProvider) -> None:
    provider.email = "stranger@example.org"

    _login_through(client, provider)

    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(email="stranger@example.org").exists()


def test_without_a_configured_provider_the_oidc_pages_do_not_exist(client: Client, settings) -> None:
    settings.OIDC_ENABLED = False

    assert client.get("/personal/oidc/logga-in/").status_code == 404
