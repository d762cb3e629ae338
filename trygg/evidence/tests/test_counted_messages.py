import importlib
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from trygg.evidence import ranking

require_program = importlib.import_module("conftest").require_program

COUNTED = {(singular, plural) for pairs in ranking.COUNTED.values() for *_, singular, plural in pairs}


def test_make_messages_keeps_every_counted_noun_of_the_lagesbild_in_the_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_program("xgettext", "GNU gettext's xgettext")
    shutil.copy(ranking.__file__, tmp_path / "ranking.py")
    (tmp_path / "locale").mkdir()
    monkeypatch.chdir(tmp_path)

    call_command("makemessages", locale=["en"], verbosity=0)

    catalogue = (tmp_path / "locale/en/LC_MESSAGES/django.po").read_text()
    plurals = set(re.findall(r'^msgid "(.*)"\nmsgid_plural "(.*)"$', catalogue, flags=re.MULTILINE))
    assert len(COUNTED) == 3
    assert plurals >= COUNTED


def test_the_english_catalogue_translates_every_counted_noun() -> None:
    with translation.override("en"):
        for singular, plural in COUNTED:
            one, three = translation.ngettext(singular, plural, 1), translation.ngettext(singular, plural, 3)
            assert (one, three) != (singular, plural)
            assert "%(figure)s" in one and "%(figure)s" in three
