import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from trygg.accounts.models import User
from trygg.demo import ljungby

pytestmark = pytest.mark.django_db


def test_load_demo_adds_a_platform_operator_and_an_address_for_every_demo_user(
    capsys: pytest.CaptureFixture[str],
) -> None:
    call_command("load_demo")
    out = capsys.readouterr().out

    operator = User.objects.get(username="administrator")
    assert operator.is_superuser and operator.is_active
    assert TOTPDevice.objects.filter(user=operator, confirmed=True).exists()
    assert not operator.memberships.exists()  # an operator, not municipal staff
    usernames = [staff[0] for staff in ljungby.DEMO_STAFF] + ["administrator"]
    for user in User.objects.filter(username__in=usernames):
        assert user.email == f"{user.username}@ljungby.example"
        assert f"{user.username} / {ljungby.DEMO_PASSWORD}" in out
        assert user.email in out
    assert "/personal/" in out


def test_a_second_load_keeps_an_address_a_user_changed() -> None:
    from trygg.demo.services import demo_load

    demo_load()
    User.objects.filter(username="samordnare").update(email="sam@ljungby.example")

    demo_load()

    assert User.objects.get(username="samordnare").email == "sam@ljungby.example"
    assert User.objects.filter(username="administrator").count() == 1


def test_production_refuses_to_start_with_the_demo_operator(settings) -> None:
    from trygg.accounts.checks import demo_credentials_absent_in_production
    from trygg.demo.services import demo_load

    demo_load()
    User.objects.exclude(username="administrator").update(is_active=False)
    TOTPDevice.objects.exclude(user__username="administrator").delete()
    TOTPDevice.objects.filter(user__username="administrator").update(key="00" * 20)
    settings.PRODUCTION = True

    errors = demo_credentials_absent_in_production(None)

    assert [error.id for error in errors] == ["trygg.E001"]
