from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrimestatsConfig(AppConfig):
    name = "trygg.crimestats"
    verbose_name = _("Anmälda brott")
