"""Behind nginx (TRUSTED_PROXY=true) Trygg believes the proxy's headers; without it, a forged header changes nothing."""

import json
import os
import subprocess
import sys

PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.test import RequestFactory
from axes.helpers import get_client_ip_address
from trygg.core.ratelimit import client_address
request = RequestFactory().get("/", HTTP_X_FORWARDED_FOR="203.0.113.7", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "secure": request.is_secure(),
    "lockout_address": get_client_ip_address(request),
    "rate_limit_address": client_address(request),
}))
"""


def _probe(**environment: str) -> dict[str, object]:
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key not in {"TRUSTED_PROXY", "RATE_LIMIT_CLIENT_HEADER"}
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**inherited, "DJANGO_SETTINGS_MODULE": "trygg.settings", **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_behind_the_trusted_proxy_https_and_the_client_address_come_from_its_headers():
    assert _probe(TRUSTED_PROXY="true") == {
        "secure": True,
        "lockout_address": "203.0.113.7",
        "rate_limit_address": "203.0.113.7",
    }


def test_without_a_trusted_proxy_forged_forwarding_headers_are_ignored():
    assert _probe() == {
        "secure": False,
        "lockout_address": "127.0.0.1",
        "rate_limit_address": "127.0.0.1",
    }
