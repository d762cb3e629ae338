import subprocess
import sys
from pathlib import Path

import pytest

from trygg import cli


def test_trygg_serve_means_runserver_on_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", calls.append)

    cli.main(["serve"])

    assert calls == [["trygg", "runserver", "127.0.0.1:8000"]]


def test_trygg_passes_other_commands_through(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", calls.append)

    cli.main(["migrate", "--plan"])

    assert calls == [["trygg", "migrate", "--plan"]]


def test_the_installed_trygg_command_lists_load_demo() -> None:
    trygg = Path(sys.executable).parent / "trygg"
    if not trygg.exists():
        pytest.skip("the trygg console script is not installed in this environment")

    result = subprocess.run([str(trygg), "help"], capture_output=True, text=True, check=True)

    assert "load_demo" in result.stdout
