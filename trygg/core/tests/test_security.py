import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from trygg.demo.services import demo_load

ROOT = Path(__file__).resolve().parents[3]


def _production_env(tmp_path: Path) -> dict[str, str]:
    inherited = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {
        **inherited,
        "TRYGG_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "trygg.example.se",
        "TRYGG_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "DEBUG": "false",
    }


def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_production_refuses_the_development_secret(tmp_path: Path) -> None:
    env = {**_production_env(tmp_path), "SECRET_KEY": "development-only-secret-do-not-use-in-production"}

    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_with_the_demo_login_in_its_database(
    tmp_path: Path, sqlite_templates
) -> None:
    # What `trygg migrate` and `trygg load_demo` make, copied into the production settings' database file.
    sqlite_templates.copy("demo", tmp_path / "prod.sqlite3")

    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check"],
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode != 0
    assert "trygg.E001" in result.stderr


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy_and_security_headers(client: Client) -> None:
    demo_load()

    response = client.get("/ljungby/2023/")

    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "script-src 'self'" in policy  # a nonce is added only on pages that need one
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "<script>" not in response.content.decode()


@pytest.mark.django_db
def test_error_pages_show_no_traceback_sql_or_paths(client: Client, settings, monkeypatch) -> None:
    settings.DEBUG = False
    demo_load()

    def broken(**kwargs):
        raise RuntimeError(f"SELECT secret FROM promises_promise -- {ROOT}/trygg/promises/selectors.py")

    monkeypatch.setattr("trygg.followup.promise_views.promise_page_build", broken)
    client.raise_request_exception = False
    not_found = client.get("/kommunen-finns-inte/")
    server_error = client.get("/ljungby/2023/")

    assert (not_found.status_code, server_error.status_code) == (404, 500)
    for body in (not_found.content.decode(), server_error.content.decode()):
        assert "Traceback" not in body
        assert "SELECT" not in body
        assert str(ROOT) not in body
        assert "site-packages" not in body


@pytest.mark.django_db
def test_the_health_endpoint_answers_when_the_database_does(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"


@pytest.mark.django_db
def test_the_health_endpoint_says_503_with_retry_after_when_the_database_fails(
    client: Client, monkeypatch
) -> None:
    from django.db import DatabaseError

    def broken_cursor(*args, **kwargs):
        raise DatabaseError("down")

    monkeypatch.setattr("trygg.core.views.connection.cursor", broken_cursor)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response["Retry-After"] == "10"


def test_the_sites_own_stylesheet_and_leaflet_are_found_by_the_static_files_finders() -> None:
    from django.contrib.staticfiles import finders

    assert finders.find("trygg/site.css")
    assert finders.find("leaflet/leaflet.js")
