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
