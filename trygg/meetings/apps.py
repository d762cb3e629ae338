from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "trygg.meetings"
    verbose_name = _("Möten och trygghetsvandringar")

    def ready(self) -> None:
        from trygg.core.privacy import registry

        from . import digest  # noqa: F401  (registers new meetings with the followers' digest)
        from .privacy import SignUpSource, WatchContactSource

        registry.register(SignUpSource())
        registry.register(WatchContactSource())
