import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trygg.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402

if settings.PRODUCTION:
    # An application server does not run Django's checks: run them here so production refuses to start
    # with, for example, the demo's known staff login in its database.
    from django.core.management import call_command

    call_command("check", fail_level="ERROR")

# What starting Django made (modules, settings, models, the libraries' tables) lives as long as the process. Moved
# out of the collector's reach, it is no longer walked through by every full collection, which otherwise came every
# few requests and cost a worker more CPU than the requests themselves (docs/performance.md).
gc.freeze()
