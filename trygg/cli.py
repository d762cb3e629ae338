"""The `trygg` command: Django's management commands under one name.

`trygg serve` is `runserver` on 127.0.0.1:8000; every other word is passed on as it is
(`trygg migrate`, `trygg load_demo`, `trygg parse_promise FILE`). The list of commands (`trygg`, `trygg help`,
`trygg --help`, `trygg help --commands`) is printed without starting Django (trygg/core/command_list.py): the
same text, at a fraction of the time. `trygg survey_indices` and `trygg hotspots`, which touch no database, run
without the app registry (trygg/core/quick_commands.py), with the same output.
"""

import os
import sys

ALIASES = {"serve": ["runserver"]}

# `trygg` followed by one of these prints the list of commands, as Django answers each of them.
LIST_ARGUMENTS: tuple[tuple[str, ...], ...] = ((), ("help",), ("--help",), ("-h",), ("help", "--commands"))


def _print_command_list(args: list[str]) -> bool:
    """Print the list of commands without Django's start; False (nothing printed) when the settings or an app
    cannot be read that way, and Django then answers as usual (with its own message for broken settings)."""
    from django.core.exceptions import ImproperlyConfigured

    from trygg.core.command_list import Unplaced, help_text

    try:
        text = help_text("trygg", commands_only="--commands" in args)
    except (Unplaced, ImportError, ImproperlyConfigured):
        return False
    sys.stdout.write(text + "\n")
    return True


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trygg.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if (
        tuple(args) in LIST_ARGUMENTS
        and "DJANGO_AUTO_COMPLETE" not in os.environ
        and _print_command_list(args)
    ):
        return 0
    from trygg.core.quick_commands import run

    if run(args):
        return 0
    from django.core.management import execute_from_command_line

    if args and args[0] in ALIASES:
        args = ALIASES[args[0]] + args[1:]
        if args[0] == "runserver" and not any(not arg.startswith("-") for arg in args[1:]):
            args.append("127.0.0.1:8000")
    execute_from_command_line(["trygg", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
