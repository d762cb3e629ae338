from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "trygg.evidence"
    verbose_name = _("Lägesbild")

    def ready(self) -> None:
        from trygg.promises.publishing import register_publish_step

        from .services import evidence_freeze_for_publishing

        # Publishing a promise freezes the evidence its focus areas were decided on (a dated snapshot).
        register_publish_step(evidence_freeze_for_publishing)
