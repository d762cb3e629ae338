"""Login lockout beside django-axes: what a successful login clears, and second-factor failures.

axes counts failures per account and, separately, per client address (AXES_LOCKOUT_PARAMETERS). Its own reset
on success (AXES_RESET_ON_SUCCESS) deletes every attempt matching either, so one colleague's good login from a
shared address would wipe an insider's failures against other accounts. Here a good login clears only the
failures recorded against its own account, and a wrong one-time code after a right password counts as a failure
of that account and of the address, like a wrong password.
"""

from typing import Any

from axes.models import AccessAttempt
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from trygg.core.security_events import security_event, username_hashed


@receiver(user_logged_in, dispatch_uid="trygg_login_clears_own_failures")
def _own_failures_cleared(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    AccessAttempt.objects.filter(username=user.get_username()).delete()


def second_factor_failed(*, request: HttpRequest | None, username: str) -> None:
    """Count a wrong or missing one-time code against the account and the address, and log it."""
    security_event("second_factor_failed", user=username_hashed(username))
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
