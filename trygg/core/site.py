"""The site's own address, from the SITE_URL setting: never from a request's Host header, which the client sets."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def site_url(path: str = "") -> str:
    """The absolute address of a path on this site (`/ljungby/` → `https://trygg.example.se/ljungby/`)."""
    return f"{settings.SITE_URL}{path}"


def site_host() -> str:
    """The host name alone, for identifiers such as calendar UIDs."""
    return urlsplit(settings.SITE_URL).hostname or "localhost"
