"""Every word a template writes for people is inside a translation tag, so the English pages show no Swedish.

Templates are read with Django's own lexer: what is left of their text outside `{% translate %}`,
`{% blocktranslate %}`, comments, HTML tags (with their attributes), scripts and styles is what a visitor reads
as it stands. A name that reads the same in every language (Trygg, a file format, a statistical symbol) may stand
there; any other word is a text someone forgot to mark (the example-data label was written out in Swedish in 28
templates)."""

import re
from pathlib import Path

from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[3]
# Names that read the same in Swedish and English.
NAMES = {"Trygg", "Redis", "CSV", "JSON", "PDF", "Parquet", "csv", "parquet", "openapi", "json"}
# The page Django serves when Trygg itself has failed: it is written out in both languages, with no template tags
# (nothing that could fail again is used to draw it).
STATIC = {"templates/500.html"}
SKIPPED_BLOCKS = {
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
    "comment": "endcomment",
}
WORD = re.compile(r"[^\W\d_]{2,}")
ENTITY = re.compile(r"&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);")


def visible_text(source: str) -> list[tuple[int, str]]:
    """(line, text) of each run of text outside tags and translation blocks, as a visitor reads it."""
    runs: list[tuple[int, str]] = []
    closing: str | None = None  # the end tag of the translation or comment block we are in
    in_tag = False
    quote = ""
    raw_end = ""  # "</script" or "</style" while inside one
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split(maxsplit=1)[0] if token.contents else ""
            if closing is None and name in SKIPPED_BLOCKS:
                closing = SKIPPED_BLOCKS[name]
            elif name == closing:
                closing = None
            continue
        if token.token_type != TokenType.TEXT or closing is not None:
            continue
        text, position, run = token.contents, 0, []
        start = token.lineno or 1
        first_line = 0  # the line of the run's first visible character
        while position < len(text):
            character = text[position]
            if raw_end:
                end = text.find(raw_end, position)
                if end < 0:
                    break
                raw_end, in_tag, position = "", True, end + 1
            elif in_tag:
                if quote:
                    quote = "" if character == quote else quote
                elif character in "\"'":
                    quote = character
                elif character == ">":
                    in_tag = False
                position += 1
            elif text.startswith("<!--", position):
                end = text.find("-->", position)
                position = len(text) if end < 0 else end + 3
            elif character == "<":
                opened = re.match(r"<(script|style)\b", text[position:])
                raw_end = f"</{opened.group(1)}" if opened else ""
                in_tag, position = True, position + 1
                run.append(" ")
            else:
                if not first_line and not character.isspace():
                    first_line = start + text.count("\n", 0, position)
                run.append(character)
                position += 1
        written = ENTITY.sub(" ", "".join(run))
        if written.strip():
            runs.append((first_line or start, written))
    return runs


def untranslated_words(source: str) -> list[tuple[int, list[str]]]:
    found = []
    for line, text in visible_text(source):
        words = [word for word in WORD.findall(text) if word not in NAMES]
        if words:
            found.append((line, words))
    return found


def test_the_scan_sees_text_outside_translation_and_nothing_inside_tags_or_blocks() -> None:
    source = (
        '{% load i18n %}<p class="lead" title="Rubrik">Hej {{ name }}</p>\n'
        '{% translate "Översatt" %}{% blocktranslate %}Också översatt {{ x }}{% endblocktranslate %}\n'
        "{% comment %}En anteckning{% endcomment %}<!-- en kommentar --><script>var text = 'skript';</script>\n"
        '<span class="example-data">Exempeldata</span> <a href="{% url "x" %}">CSV</a> &nbsp;&ndash; 2023\n'
        '<input value="{{ v }}" placeholder="inne i taggen">'
    )

    assert untranslated_words(source) == [(1, ["Hej"]), (4, ["Exempeldata"])]


def test_every_word_a_template_writes_is_marked_for_translation() -> None:
    found = []
    templates = sorted(ROOT.glob("trygg/**/templates/**/*.html"))
    assert len(templates) > 100, "the scan reads the package's templates"
    for path in templates:
        relative = path.relative_to(ROOT / "trygg").as_posix()
        if relative in STATIC or "/templates/admin/" in f"/{relative}":
            continue
        for line, words in untranslated_words(path.read_text(encoding="utf-8")):
            found.append(f"trygg/{relative}:{line}: {' '.join(words)[:80]}")

    assert found == []
