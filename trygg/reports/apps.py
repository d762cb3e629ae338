from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "trygg.reports"
    verbose_name = _("Felanmälningar")

    def ready(self) -> None:
        from trygg.core.privacy import registry

        from .privacy import ReportContactSource

        registry.register(ReportContactSource())
