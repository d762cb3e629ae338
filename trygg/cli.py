"""The `trygg` command: Django's management commands under one name.

`trygg serve` is `runserver` on 127.0.0.1:8000; every other word is passed on as it is
(`trygg migrate`, `trygg load_demo`, `trygg parse_promise FILE`).
"""

import os
import sys

ALIASES = {"serve": ["runserver"]}


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trygg.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ALIASES:
        args = ALIASES[args[0]] + args[1:]
        if args[0] == "runserver" and not any(not arg.startswith("-") for arg in args[1:]):
            args.append("127.0.0.1:8000")
    execute_from_command_line(["trygg", *args])
    return 0


if __name__ == "__main__":
    sys.exit(main())
