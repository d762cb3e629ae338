from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "trygg.accounts"
    verbose_name = _("Konton")

    def ready(self) -> None:
        from . import checks, lockout  # noqa: F401  (registers the system checks and the lockout receivers)
