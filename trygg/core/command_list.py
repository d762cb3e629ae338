"""The list of management commands that `trygg help` prints, found without starting Django.

Django lists its commands after `django.setup()`: every app, its models, its admin and its `ready()` are imported
only to learn where each app's `management/commands` directory is. This module finds those directories from the
settings' INSTALLED_APPS alone, with `importlib`'s finders (which locate a package without running it or the
packages above it), and prints the same text as Django's `ManagementUtility.main_help_text()`: the same commands,
grouped under the same app names, in the same order (trygg/core/tests/test_command_list.py compares the two). An
entry that names an AppConfig class has its `name` read from the class's source and its bases' (importing the
admin's AppConfig would import all of django.contrib.admin), or, where the source does not state it plainly, from
the imported class. An entry this module cannot place makes it give up, and `trygg` then goes through Django.
"""

from __future__ import annotations

import ast
import os
import pkgutil
import sys
from collections import defaultdict
from collections.abc import Callable
from importlib import import_module
from importlib.machinery import ModuleSpec, PathFinder
from importlib.util import find_spec

from django.conf import settings


class Unplaced(Exception):
    """An INSTALLED_APPS entry whose directory cannot be told without running Django's start."""


def _spec(name: str) -> ModuleSpec | None:
    """The spec of the module `name`, found without running it or the packages above it."""
    top, *rest = name.split(".")
    try:
        spec = find_spec(top)
    except (ImportError, ValueError):
        return None
    for depth in range(len(rest)):
        if spec is None or not spec.submodule_search_locations:
            return None
        spec = PathFinder.find_spec(
            ".".join([top, *rest[: depth + 1]]), list(spec.submodule_search_locations)
        )
    return spec


def _package_directory(name: str) -> str | None:
    spec = _spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    locations = list(spec.submodule_search_locations)
    return locations[0] if len(locations) == 1 else None


def _config_name(module_name: str, class_name: str, depth: int = 0) -> str | None:
    """The `name` an AppConfig class states in its body or inherits, read from the source of its module and of the
    modules its bases are imported from; None when it is not a plain string there (or the class sets `path`)."""
    spec = _spec(module_name)
    if depth > 5 or spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    try:
        with open(spec.origin, encoding="utf-8") as source:
            tree = ast.parse(source.read())
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    imported: dict[str, tuple[str, str]] = {}
    classes: dict[str, ast.ClassDef] = {}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            imported.update({alias.asname or alias.name: (node.module, alias.name) for alias in node.names})
        elif isinstance(node, ast.ClassDef):
            classes[node.name] = node
    config = classes.get(class_name)
    if config is None or config.decorator_list or config.keywords:
        return None
    stated: dict[str, ast.expr] = {}
    for statement in config.body:
        if isinstance(statement, ast.Assign):
            stated.update(
                {target.id: statement.value for target in statement.targets if isinstance(target, ast.Name)}
            )
        elif (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and statement.value
        ):
            stated[statement.target.id] = statement.value
        elif not isinstance(
            statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Expr, ast.Pass, ast.AnnAssign)
        ):
            return None  # an `if`, a loop, a nested class …: what the body binds is not plain to read
    if "path" in stated:
        return None
    if "name" in stated:
        value = stated["name"]
        return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
    for base in config.bases:
        if not isinstance(base, ast.Name):
            return None
        if base.id in classes:
            found = _config_name(module_name, base.id, depth + 1)
        elif base.id in imported:
            found = _config_name(*imported[base.id], depth + 1)
        else:
            return None
        if found is not None:
            return found
    return None


def _app_name_and_directory(entry: str) -> tuple[str, str]:
    # A package's name is the app's name and its directory the app's (its apps.py is not read: that would import
    # what it imports; the test compares the result with Django's for the apps Trygg installs).
    directory = _package_directory(entry)
    if directory is not None:
        return entry, directory
    # An AppConfig class: its name is read from the source when it can be (importing the class may import much,
    # the admin's imports all of django.contrib.admin), else from the class itself.
    module_name, _, class_name = entry.rpartition(".")
    name = _config_name(module_name, class_name)
    if name is None:
        try:
            config_class = getattr(import_module(module_name), class_name)
        except (ImportError, AttributeError, ValueError) as error:
            raise Unplaced(entry) from error
        name = getattr(config_class, "name", None)
        directory = getattr(config_class, "path", None)
    directory = directory or (_package_directory(name) if name else None)
    if not name or not directory:
        raise Unplaced(entry)
    return name, directory


def _commands_in(directory: str) -> list[str]:
    found = pkgutil.iter_modules([os.path.join(directory, "management", "commands")])
    return [name for _, name, is_package in found if not is_package and not name.startswith("_")]


def commands_by_app() -> dict[str, str]:
    """Each command's name and the name of the app that provides it, as Django's `get_commands()` finds them:
    Django's own first, then the apps from the last to the first, an earlier app's command replacing a later's."""
    core = _package_directory("django.core")
    if core is None:
        raise Unplaced("django.core")
    commands = {name: "django.core" for name in _commands_in(core)}
    for entry in reversed(list(settings.INSTALLED_APPS)):
        name, directory = _app_name_and_directory(entry)
        commands.update({command: name for command in _commands_in(directory)})
    return commands


def _notice_style() -> Callable[[str], str]:
    # Django colours the app names only on a terminal (`supports_color()`); its colour module is imported only
    # then, as it imports all of django.core.management with it.
    if not (hasattr(sys.stdout, "isatty") and sys.stdout.isatty()):
        return str
    from django.core.management.color import color_style

    notice: Callable[[str], str] = color_style().NOTICE
    return notice


def help_text(prog_name: str, *, commands_only: bool = False) -> str:
    """What `django-admin help` prints (with `commands_only`, `help --commands`), from `commands_by_app()`."""
    commands = commands_by_app()
    if commands_only:
        return "\n".join(sorted(commands))
    groups: defaultdict[str, list[str]] = defaultdict(list)
    for command, app in commands.items():
        groups["django" if app == "django.core" else app.rpartition(".")[2]].append(command)
    notice = _notice_style()
    lines = [
        "",
        f"Type '{prog_name} help <subcommand>' for help on a specific subcommand.",
        "",
        "Available subcommands:",
    ]
    for app in sorted(groups):
        lines += ["", notice(f"[{app}]"), *(f"    {command}" for command in sorted(groups[app]))]
    return "\n".join(lines)
