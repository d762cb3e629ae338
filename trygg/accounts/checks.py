from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError


@register(Tags.security, deploy=False)
def demo_credentials_absent_in_production(app_configs: Any, **kwargs: Any) -> list[Error]:
    """Production refuses to start while the demo's known password or TOTP secret can log in."""
    if not settings.PRODUCTION:
        return []
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from trygg.demo.ljungby import DEMO_OPERATOR, DEMO_STAFF, DEMO_TOTP_KEY

    from .models import User

    try:
        device_found = TOTPDevice.objects.filter(key=DEMO_TOTP_KEY).exists()
        demo_users = User.objects.filter(
            username__in=[staff[0] for staff in DEMO_STAFF] + [DEMO_OPERATOR[0]], is_active=True
        )
        password_found = any(user.check_password(_demo_password()) for user in demo_users)
    except DatabaseError:
        return []
    if device_found or password_found:
        return [
            Error(
                "The demo's staff login (known password or TOTP secret) exists in a production database.",
                hint="Remove the demo users and their TOTP devices before starting in production.",
                id="trygg.E001",
            )
        ]
    return []


def _demo_password() -> str:
    from trygg.demo.ljungby import DEMO_PASSWORD

    return DEMO_PASSWORD
