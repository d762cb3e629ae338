from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NationalConfig(AppConfig):
    name = "trygg.national"
    verbose_name = _("Nationell vy och öppna data")

    def ready(self) -> None:
        from . import journal

        journal.connect()
