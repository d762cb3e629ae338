from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A staff member. Residents never need an account."""

    session_generation = models.PositiveIntegerField(
        _("sessionsgeneration"),
        default=0,
        editable=False,
        help_text=_("Ökas för att avsluta alla användarens inloggningar."),
    )

    class Meta:
        verbose_name = _("användare")
        verbose_name_plural = _("användare")

    def get_session_auth_hash(self) -> str:
        # Django checks this hash on every request; bumping the generation ends every session at once.
        return salted_hmac(
            "trygg.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_generation}",
            algorithm="sha256",
        ).hexdigest()
