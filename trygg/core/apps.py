from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _create_cache_table(sender: Any, **kwargs: Any) -> None:
    # The database cache needs its table; creating it after every migrate keeps `trygg migrate` the only step.
    from django.core.management import call_command

    call_command("createcachetable", database=kwargs.get("using", "default"), verbosity=0)


class CoreConfig(AppConfig):
    name = "trygg.core"
    verbose_name = _("Gemensamt")

    def ready(self) -> None:
        post_migrate.connect(_create_cache_table, sender=self, dispatch_uid="trygg_create_cache_table")
        from .security_events import connect_lockout_signal

        connect_lockout_signal()
        from .pagecache import generation_bump_after_migrate, watch_writes

        connection_created.connect(watch_writes, dispatch_uid="trygg_page_generation")
        post_migrate.connect(
            generation_bump_after_migrate, sender=self, dispatch_uid="trygg_page_generation_deploy"
        )
