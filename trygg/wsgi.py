import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trygg.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402

if settings.PRODUCTION:
    # An application server does not run Django's checks: run them here so production refuses to start
    # with, for example, the demo's known staff login in its database.
    from django.core.management import call_command

    call_command("check", fail_level="ERROR")

# Every URL pattern, view and the JSON API are imported now, while the worker boots, not by the first request it
# serves: that request (after each deploy, and after each recycling of a worker by gunicorn's max_requests) waited
# about a second for them, and gunicorn hands a connection only to a worker that has booted.
get_resolver().url_patterns  # noqa: B018 - imports ROOT_URLCONF and every module it includes

# What starting Django made (modules, settings, models, URL patterns, the libraries' tables) lives as long as the
# process. Frozen, it is no longer walked through by every full collection: one took 164 ms with it and 13 ms without
# in the promise page's benchmark process (docs/performance.md).
gc.freeze()
