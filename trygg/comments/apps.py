from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "trygg.comments"
    verbose_name = _("Kommentarer")

    def ready(self) -> None:
        from trygg.core.privacy import registry

        from .flag_retention import CommentFlagSource
        from .privacy import CommentContactSource

        registry.register(CommentContactSource())
        registry.register(CommentFlagSource())
