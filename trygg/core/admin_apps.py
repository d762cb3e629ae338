from django.contrib.admin.apps import AdminConfig


class TryggAdminConfig(AdminConfig):
    default_site = "trygg.core.admin_site.TryggAdminSite"
