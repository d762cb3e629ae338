import ast
import os
import shutil
from pathlib import Path

import pytest

from tools.check_translations import missing_translations, read_po

# Written from the PO format as GNU gettext's manual describes it: a header, comments with locations and flags,
# strings continued over lines, escapes, plural forms and obsolete entries.
CATALOGUE = r"""# A catalogue for the test.
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"

#: promises/templates/a.html:3
msgid "Löftet"
msgstr "The promise"

#: surveys/templates/b.html:34
#, fuzzy, python-format
#| msgid "0 % av %(n)s"
msgid "0 %% av %(n)s"
msgstr "0 % of %(n)s"

#: core/c.py:9
msgid ""
"Två rader "
"med \"citat\""
msgstr ""

#: core/d.py:12
msgid "%(count)s aktivitet"
msgid_plural "%(count)s aktiviteter"
msgstr[0] "%(count)s activity"
msgstr[1] ""

#: core/e.py:1
msgctxt "månad"
msgid "maj"
msgstr "May"

#~ msgid "Borttagen"
#~ msgstr ""
"""


def test_the_catalogue_is_read_entry_by_entry_with_its_strings_joined_and_unescaped() -> None:
    entries = read_po(CATALOGUE)

    assert [entry.msgid for entry in entries] == [
        "",
        "Löftet",
        "0 %% av %(n)s",
        'Två rader med "citat"',
        "%(count)s aktivitet",
        "maj",
    ]
    assert entries[2].flags == {"fuzzy", "python-format"}
    assert entries[4].translations == ["%(count)s activity", ""]
    assert entries[5].translations == ["May"]


def test_a_fuzzy_an_empty_and_a_half_translated_plural_message_are_missing_and_nothing_else() -> None:
    reasons = {entry.msgid: entry.missing for entry in read_po(CATALOGUE)}

    assert reasons == {
        "": None,
        "Löftet": None,
        "0 %% av %(n)s": "only a fuzzy translation (from an older wording)",
        'Två rader med "citat"': "no translation",
        "%(count)s aktivitet": "no translation",
        "maj": None,
    }


def test_every_message_of_the_package_has_its_english_translation() -> None:
    """The check `make check` runs, on the package as it is: a text marked for translation whose English is
    missing, or was written for an older wording, would appear in Swedish on the English pages."""
    if shutil.which("xgettext") is None:
        message = "GNU gettext (xgettext) is missing: install the Debian package gettext"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)

    problems = missing_translations(Path(__file__).resolve().parents[2] / "trygg")

    assert [(entry.locations, entry.msgid[:60], reason) for entry, reason in problems] == []


# The names Trygg translates with (django.utils.translation's, and `_` for the usual alias).
GETTEXT = {
    "_",
    "gettext",
    "ngettext",
    "pgettext",
    "npgettext",
    "gettext_lazy",
    "ngettext_lazy",
    "pgettext_lazy",
}


def gettext_in_fstrings(source: str) -> list[tuple[int, str]]:
    """(line, call) of each translation call written inside an f-string, where xgettext does not look: the message
    never reaches the catalogue, so no check of the catalogue can miss it either."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.JoinedStr):
            for inner in ast.walk(node):
                if (
                    isinstance(inner, ast.Call)
                    and isinstance(inner.func, ast.Name)
                    and inner.func.id in GETTEXT
                ):
                    found.append((inner.lineno, ast.unparse(inner)))
    return found


def test_a_translation_call_inside_an_f_string_is_found() -> None:
    source = 'label = _("Kommun")\ntext = f"{label}: {name}"\nbad = f"{text} ({_(\'osäker\')})"\n'

    assert gettext_in_fstrings(source) == [(3, "_('osäker')")]


def test_no_message_is_translated_inside_an_f_string() -> None:
    package = Path(__file__).resolve().parents[2] / "trygg"
    found = [
        f"{path.relative_to(package)}:{line}: {call}"
        for path in sorted(package.rglob("*.py"))
        if "tests" not in path.relative_to(package).parts
        for line, call in gettext_in_fstrings(path.read_text(encoding="utf-8"))
    ]

    assert found == []
