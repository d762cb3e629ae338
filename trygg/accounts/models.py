from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A staff member. Residents never need an account."""

    class Meta:
        verbose_name = _("användare")
        verbose_name_plural = _("användare")
