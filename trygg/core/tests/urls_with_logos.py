"""The site's URLs plus the development logo route (trygg.urls adds it only when DEBUG is on at import).

The route is also mounted under /logos-in-test/: Django's live test server answers /media/ itself, before any
URL pattern, so a browser test reaches the view there.
"""

from django.conf import settings
from django.urls import re_path

from trygg.core import views
from trygg.urls import handler403  # noqa: F401
from trygg.urls import urlpatterns as site_patterns

urlpatterns = [
    re_path(rf"^{settings.MEDIA_URL.lstrip('/')}logos/(?P<path>.*)$", views.logo_file),
    re_path(r"^logos-in-test/(?P<path>.*)$", views.logo_file),
    *site_patterns,
]
