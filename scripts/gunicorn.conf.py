"""gunicorn's settings for Trygg: `gunicorn -c scripts/gunicorn.conf.py trygg.wsgi` (see docs/deploy.md).

Everything a site may want to change comes from the environment, so the file itself is the same everywhere.
"""

import os
import re
from typing import Any

from gunicorn.glogging import Logger

bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]

# Synchronous workers: a page is a few database queries; twice the cores plus one keeps the cores busy
# while some workers wait on the database.
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * len(os.sched_getaffinity(0)) + 1)))
# A request that takes longer than this is stuck (the slowest pages, PDF report cards, take a few seconds).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# nginx keeps connections to gunicorn open between requests.
keepalive = 5
# A worker is replaced after a thousand requests or so, bounding any slow growth in memory.
max_requests = 1000
max_requests_jitter = 100
proc_name = "trygg"
# gunicorn's control socket (for gunicornc) is in the user's home by default: several nodes on one host, as in the
# cluster drill, each need their own.
if os.environ.get("GUNICORN_CONTROL_SOCKET"):
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]

# Only nginx on this machine may say which scheme the client used (X-Forwarded-Proto).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs go to standard output and standard error, that is to the journal under systemd.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
# The path without its query string, and no Referer: a query string (or the previous page's, in the Referer) may
# carry a survey code or a token, and those must never reach a log. The client address is the one nginx forwards.
access_log_format = '%({x-forwarded-for}i)s - %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'


# Paths whose requests keep the client address in the log: the staff pages, for the security of the logins.
STAFF_PATHS = re.compile(r"^/(?:(?:en/)?personal/|admin/)")


class ResidentPrivateLogger(Logger):
    # Residents are not logged by address: who answered the survey (or loaded its stylesheet and logo the same
    # second), reported or commented must not be traceable. nginx does the same in scripts/nginx/trygg.conf.
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        if not STAFF_PATHS.match(environ.get("PATH_INFO") or ""):
            atoms["h"] = atoms["{x-forwarded-for}i"] = "-"
        return atoms


logger_class = ResidentPrivateLogger
