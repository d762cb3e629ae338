from django.contrib.admin.apps import AdminConfig


class TryggAdminConfig(AdminConfig):
    default_site = "trygg.core.admin_site.TryggAdminSite"

    def ready(self) -> None:
        super().ready()
        from django.contrib import admin
        from django_tasks_db.models import DBTaskResult

        # Queued and finished tasks hold e-mail addresses and texts for every municipality: no admin page shows them
        # to staff; the worker's journal shows what ran (docs/deploy.md).
        if admin.site.is_registered(DBTaskResult):
            admin.site.unregister(DBTaskResult)
