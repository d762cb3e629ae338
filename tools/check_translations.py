"""Every text Trygg marks for translation has an English translation that is used: `make check` runs this.

Django's `makemessages` runs on a copy of the `trygg` package (the checkout's catalogue is left as it is) and the
English catalogue it merges is read back. A message without a translation, or one whose translation was only
carried over from an older wording (marked fuzzy, which `compilemessages` leaves out), appears in Swedish on the
English pages: each is listed with where it is used, and the check fails. Like `makemessages`, it needs GNU
gettext's programs (xgettext, msgmerge, msguniq, msgattrib).

    python tools/check_translations.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LANGUAGE = "en"
CATALOGUE = Path("locale") / LANGUAGE / "LC_MESSAGES" / "django.po"


@dataclass
class Entry:
    """One message of a PO file, as far as this check needs it."""

    locations: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    msgid: str = ""
    translations: list[str] = field(default_factory=list)

    @property
    def missing(self) -> str | None:
        """Why the English page would show this message in Swedish; None when it would not."""
        if not self.msgid:
            return None  # the catalogue's header
        if "fuzzy" in self.flags:
            return "only a fuzzy translation (from an older wording)"
        if not self.translations or any(not text for text in self.translations):
            return "no translation"
        return None


def _unquote(line: str) -> str:
    text = line.strip()
    if not (text.startswith('"') and text.endswith('"')):
        raise ValueError(f"not a quoted PO string: {line!r}")
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    result, characters = [], iter(text[1:-1])
    for character in characters:
        result.append(escapes.get(next(characters, ""), "") if character == "\\" else character)
    return "".join(result)


def read_po(text: str) -> list[Entry]:
    """The active entries of a PO file (obsolete `#~` ones are left out)."""
    entries: list[Entry] = []
    entry = Entry()
    target: str | None = None
    for raw in [*text.splitlines(), ""]:
        line = raw.rstrip("\n")
        if not line.strip():
            if target is not None:
                entries.append(entry)
            entry, target = Entry(), None
        elif line.startswith("#~"):
            continue
        elif line.startswith("#:"):
            entry.locations.extend(line[2:].split())
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith(("msgctxt ", "msgid_plural ")):
            target = "other"
        elif line.startswith("msgid "):
            target = "msgid"
            entry.msgid = _unquote(line[len("msgid ") :])
        elif line.startswith("msgstr"):
            target = "msgstr"
            entry.translations.append(_unquote(line.split(" ", 1)[1]))
        elif line.startswith('"'):
            if target == "msgid":
                entry.msgid += _unquote(line)
            elif target == "msgstr":
                entry.translations[-1] += _unquote(line)
    return entries


def missing_translations(package: Path) -> list[tuple[Entry, str]]:
    """Run makemessages on a copy of `package` and return the English catalogue's entries that would not be
    translated, with why."""
    with tempfile.TemporaryDirectory(prefix="trygg-messages-") as directory:
        copy = Path(directory) / package.name
        shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo"))
        environment = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([directory, os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
            "DJANGO_SETTINGS_MODULE": "trygg.settings",
            "TRYGG_DATA_DIR": str(Path(directory) / "var"),
        }
        subprocess.run(
            # As `make messages` runs it.
            [sys.executable, "-m", "django", "makemessages", "-l", LANGUAGE, "--ignore", "demo/*"],
            cwd=copy,
            env=environment,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        entries = read_po((copy / CATALOGUE).read_text(encoding="utf-8"))
    return [(entry, reason) for entry in entries if (reason := entry.missing) is not None]


def main() -> int:
    if shutil.which("xgettext") is None:
        print("GNU gettext (xgettext) is missing: install the Debian package gettext", file=sys.stderr)
        return 2
    problems = missing_translations(ROOT / "trygg")
    for entry, reason in problems:
        where = ", ".join(entry.locations[:3]) or "?"
        first_line = entry.msgid.splitlines()[0][:100]
        print(f"{where}: {reason}: {first_line!r}")
    if problems:
        print(
            f"{len(problems)} message(s) would be shown in Swedish on the English pages; "
            f"translate them in trygg/{CATALOGUE} (make messages merges the catalogue).",
            file=sys.stderr,
        )
        return 1
    print("Every message has an English translation.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
