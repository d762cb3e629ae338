from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowupConfig(AppConfig):
    name = "trygg.followup"
    verbose_name = _("Uppföljning")

    def ready(self) -> None:
        from . import digest  # noqa: F401  (registers the progress with the followers' digest)
