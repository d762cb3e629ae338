from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path

from trygg.api.api import api
from trygg.core import views as core_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("admin/", admin.site.urls),
    # Open311 before the JSON API, which would otherwise claim every path under api/; one mount, no language prefix.
    path("api/open311/", include("trygg.reports.open311_urls")),
    path("api/", api.urls),
    path("healthz", core_views.health, name="health"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("healthz/status", core_views.operations_json, name="operations_json"),
]

urlpatterns += i18n_patterns(
    path("tillganglighet/", core_views.accessibility_statement, name="accessibility"),
    path("om/", core_views.about, name="about"),
    path("personal/drift/", core_views.operations, name="operations"),
    path("personal/", include("trygg.accounts.urls")),
    path("", include("trygg.municipalities.urls")),
    path("", include("trygg.followup.urls")),
    path("", include("trygg.reports.urls")),
    path("", include("trygg.surveys.urls")),
    path("", include("trygg.comments.urls")),
    path("", include("trygg.crimestats.urls")),
    path("", include("trygg.evidence.urls")),
    path("", include("trygg.meetings.urls")),
    path("", include("trygg.indicators.urls")),
    path("", include("trygg.national.urls")),
    path("", include("trygg.promises.urls")),
    prefix_default_language=False,
)

if settings.DEBUG:
    # Only the logos, as nginx does in production (with the same headers): every other upload goes through a
    # view that checks who asks.
    urlpatterns = [
        re_path(rf"^{settings.MEDIA_URL.lstrip('/')}logos/(?P<path>.*)$", core_views.logo_file),
        *urlpatterns,
    ]

handler403 = "trygg.core.security_events.forbidden"
