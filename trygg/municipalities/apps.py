from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MunicipalitiesConfig(AppConfig):
    name = "trygg.municipalities"
    verbose_name = _("Kommuner och parter")
