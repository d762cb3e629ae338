"""`trygg survey_indices` and `trygg hotspots` without Django's start (issue 21: commands start at once).

Both commands read a file and write JSON: they touch no database, no model, no URL and no translation (their
messages are written as they stand in the source), and read only a few settings. Django's start, which imports
every app's models and admin, ninja and pydantic, and runs every AppConfig.ready(), cost them as much CPU as a
polars read of a 100 MB file. Here they run on the same Command class, through the same `run_from_argv`, after what
of `django.setup()` concerns them: the settings are loaded and the logging configured (Python's warnings then go
where they go under Django), but the app registry is not populated.

Anything this module is not sure of goes to Django as before (`run` returns False before it has printed anything):
settings that do not load, an INSTALLED_APPS entry `command_list` cannot place, another app providing a command of
the same name, `--settings` or `--pythonpath` (Django reads them before the settings), `--traceback` (a trace
shows the frames it passed through), and shell completion.
trygg/core/tests/test_quick_commands.py runs both paths over good and bad files and compares what they print.
"""

from __future__ import annotations

import copy
import functools
import logging
import logging.config
import os
from importlib import import_module
from typing import Any

from django.utils.log import DEFAULT_LOGGING, AdminEmailHandler
from django.utils.module_loading import import_string

# Each command that runs without the app registry, and the app that provides it.
QUICK_COMMANDS: dict[str, str] = {"survey_indices": "trygg.surveys", "hotspots": "trygg.reports"}

# Options Django applies before the settings are loaded, and `--traceback`, whose trace names the frames it ran
# through (argparse also takes any unambiguous prefix of an option): these runs go to Django.
_DJANGO_OPTIONS = ("--settings", "--pythonpath", "--traceback")


def _names_a_django_option(args: list[str]) -> bool:
    for argument in args:
        option = argument.partition("=")[0]
        if len(option) > 2 and option.startswith("--") and any(o.startswith(option) for o in _DJANGO_OPTIONS):
            return True
    return False


class _AdminEmailHandler(AdminEmailHandler):
    """Django's handler for mailing errors to the admins, which imports its exception reporter (and with it
    django.views, django.http and the templates: a tenth of a second) when it first reports, not when made."""

    def __init__(
        self, include_html: bool = False, email_backend: str | None = None, reporter_class: str | None = None
    ) -> None:
        logging.Handler.__init__(self)
        self.include_html = include_html
        self.email_backend = email_backend
        self._reporter_class_name = reporter_class

    @functools.cached_property
    def reporter_class(self) -> Any:  # type: ignore[override]
        from django.conf import settings

        return import_string(self._reporter_class_name or settings.DEFAULT_EXCEPTION_REPORTER)


def configure_logging(logging_config: str, logging_settings: dict[str, Any]) -> None:
    """Django's `configure_logging` (what django.setup() does first), with the admins' mail handler made lazily."""
    if not logging_config:
        return
    logging_config_func = import_string(logging_config)
    defaults = copy.deepcopy(DEFAULT_LOGGING)
    defaults["handlers"]["mail_admins"]["class"] = f"{__name__}._AdminEmailHandler"
    logging.config.dictConfig(defaults)
    if logging_settings:
        logging_config_func(logging_settings)


def command_to_run(args: list[str]) -> tuple[str, bool] | None:
    """The quick command `args` run (`trygg <command> …`) or ask help for (`trygg help <command>`), and whether it
    is help; None when the arguments are for Django."""
    if not args or "DJANGO_AUTO_COMPLETE" in os.environ or _names_a_django_option(args):
        return None
    if args[0] == "help":
        return (args[1], True) if len(args) == 2 and args[1] in QUICK_COMMANDS else None
    return (args[0], False) if args[0] in QUICK_COMMANDS else None


def run(args: list[str], *, prog_name: str = "trygg") -> bool:
    """Run `trygg <args>` without the app registry if it is one of the quick commands (or help for one), as
    Django's `execute_from_command_line` would; False, with nothing done, when Django must answer."""
    found = command_to_run(args)
    if found is None:
        return False
    name, helping = found
    from django.conf import settings

    from trygg.core.command_list import commands_by_app

    try:
        settings.INSTALLED_APPS  # noqa: B018  (loads the settings; Django reports their errors in its own words)
        app = commands_by_app().get(name)
    except Exception:  # whatever goes wrong here, Django's path reports it as before
        return False
    if app != QUICK_COMMANDS[name]:
        return False
    # What django.setup() does besides populating the apps: logging (the script prefix concerns URLs only).
    configure_logging(settings.LOGGING_CONFIG, settings.LOGGING)
    command = import_module(f"{app}.management.commands.{name}").Command()
    if helping:
        command.print_help(prog_name, name)
    else:
        command.run_from_argv([prog_name, *args])
    return True
