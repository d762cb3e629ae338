from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from trygg.promises.models import Promise


def _freeze_evidence(*, promise: Promise, today: dt.date) -> Any:
    # The lägesbild's services (the ranking, the crime statistics, the promises' services) are imported when a
    # promise is published, not when the apps start.
    from .services import evidence_freeze_for_publishing

    return evidence_freeze_for_publishing(promise=promise, today=today)


class EvidenceConfig(AppConfig):
    name = "trygg.evidence"
    verbose_name = _("Lägesbild")

    def ready(self) -> None:
        from trygg.promises.publishing import register_publish_step

        # Publishing a promise freezes the evidence its focus areas were decided on (a dated snapshot).
        register_publish_step(_freeze_evidence)
