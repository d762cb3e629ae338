"""`trygg help` lists the commands without Django's start, and prints exactly what Django prints (issue 21).

Django's own `ManagementUtility.main_help_text()` (after `django.setup()`, which pytest-django has done) is the
reference: the quick list must match it character for character, for the settings Trygg ships.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.management import ManagementUtility, get_commands

from trygg import cli
from trygg.core import command_list

ROOT = Path(__file__).resolve().parents[3]


def test_the_quick_list_is_django_s_list_of_commands_and_apps() -> None:
    assert command_list.commands_by_app() == get_commands()


def test_the_quick_help_text_is_django_s_help_text() -> None:
    django_help = ManagementUtility(["trygg", "help"]).main_help_text()

    assert command_list.help_text("trygg") == django_help
    assert "[promises]" in django_help and "    load_demo" in django_help


def test_the_quick_command_names_are_django_s_for_help_commands() -> None:
    django_names = ManagementUtility(["trygg", "help", "--commands"]).main_help_text(commands_only=True)

    assert command_list.help_text("trygg", commands_only=True) == django_names


def test_an_app_config_class_s_name_is_read_from_its_source_as_the_class_states_it() -> None:
    for entry in apps.get_app_configs():
        if entry.__class__.__module__.startswith("trygg.core.admin_apps"):
            module_name, class_name = entry.__class__.__module__, entry.__class__.__name__
            assert command_list._config_name(module_name, class_name) == entry.name == "django.contrib.admin"
            return
    raise AssertionError("the admin's AppConfig from trygg.core.admin_apps is not installed")


def test_an_app_config_class_that_sets_its_path_or_binds_its_name_in_a_block_is_not_read_from_source(
    tmp_path: Path,
) -> None:
    package = tmp_path / "quick_list_sample"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "apps.py").write_text(
        "from django.apps import AppConfig\n\n\n"
        "class Named(AppConfig):\n    name = 'quick_list_sample'\n\n\n"
        "class Placed(Named):\n    path = '/somewhere/else'\n\n\n"
        "class Inherits(Named):\n    verbose_name = 'x'\n\n\n"
        "class Unplain(Named):\n    if True:\n        name = 'elsewhere'\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        assert command_list._config_name("quick_list_sample.apps", "Named") == "quick_list_sample"
        assert command_list._config_name("quick_list_sample.apps", "Inherits") == "quick_list_sample"
        assert command_list._config_name("quick_list_sample.apps", "Placed") is None
        assert command_list._config_name("quick_list_sample.apps", "Unplain") is None
        assert "quick_list_sample" not in sys.modules  # read, never run
    finally:
        sys.path.remove(str(tmp_path))


def test_an_entry_that_cannot_be_placed_leaves_the_list_to_django(monkeypatch: pytest.MonkeyPatch) -> None:
    unknown = [*command_list.settings.INSTALLED_APPS, "trygg.core.apps.NoSuchConfig"]
    monkeypatch.setattr(command_list, "settings", SimpleNamespace(INSTALLED_APPS=unknown))
    calls: list[list[str]] = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", calls.append)

    with pytest.raises(command_list.Unplaced):
        command_list.commands_by_app()
    cli.main(["help"])

    assert calls == [["trygg", "help"]]


def test_help_for_one_command_still_goes_through_django(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", calls.append)

    cli.main(["help", "migrate"])
    cli.main(["--version"])

    assert calls == [["trygg", "help", "migrate"], ["trygg", "--version"]]


QUICK_PROGRAM = """
import contextlib, io, json, sys
from trygg import cli
printed = io.StringIO()
with contextlib.redirect_stdout(printed):
    cli.main(ARGUMENTS)
from django.apps import apps
print(json.dumps({
    "text": printed.getvalue(),
    "apps_ready": apps.ready,
    "loaded": sorted(name for name in NEVER if name in sys.modules),
}))
"""

# What the quick list must not import: the apps' models and admin, the API's libraries, the management framework.
NEVER = [
    "ninja",
    "pydantic",
    "django.contrib.admin",
    "django.core.management.base",
    "django.db.models",
    "trygg.promises.models",
    "trygg.core.admin_apps",
]


@pytest.mark.parametrize("arguments", [[], ["help"], ["--help"], ["-h"], ["help", "--commands"]])
def test_trygg_help_prints_the_list_without_starting_django_or_importing_the_apps(
    arguments: list[str],
) -> None:
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_AUTO_COMPLETE"}
    environment["DJANGO_SETTINGS_MODULE"] = "trygg.settings"
    program = f"ARGUMENTS = {arguments!r}\nNEVER = {NEVER!r}\n{QUICK_PROGRAM}"
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True, cwd=ROOT, env=environment
    )
    quick = json.loads(result.stdout.strip().splitlines()[-1])
    commands_only = "--commands" in arguments
    django_text = ManagementUtility(["trygg", *arguments]).main_help_text(commands_only=commands_only)

    assert quick["text"] == django_text + "\n"
    assert quick["apps_ready"] is False
    assert quick["loaded"] == []
