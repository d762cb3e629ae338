from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper


def _create_cache_table(sender: Any, **kwargs: Any) -> None:
    # The database cache needs its table; creating it after every migrate keeps `trygg migrate` the only step.
    from django.core.management import call_command

    call_command("createcachetable", database=kwargs.get("using", "default"), verbosity=0)


def _watch_writes(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    # The page cache (and the Redis client it imports) is loaded with the first database connection, not at
    # start: a command that never touches the database, such as `trygg help`, never loads it.
    from .pagecache import watch_writes

    watch_writes(sender, connection, **kwargs)


def _bump_after_migrate(sender: Any, **kwargs: Any) -> None:
    from .pagecache import generation_bump_after_migrate

    generation_bump_after_migrate(sender, **kwargs)


class CoreConfig(AppConfig):
    name = "trygg.core"
    verbose_name = _("Gemensamt")

    def ready(self) -> None:
        post_migrate.connect(_create_cache_table, sender=self, dispatch_uid="trygg_create_cache_table")
        from .security_events import connect_lockout_signal

        connect_lockout_signal()
        connection_created.connect(_watch_writes, dispatch_uid="trygg_page_generation")
        post_migrate.connect(_bump_after_migrate, sender=self, dispatch_uid="trygg_page_generation_deploy")
