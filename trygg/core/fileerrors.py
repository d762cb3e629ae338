"""Errors in an imported file, named by line and column. Pure: no Django import.

Each importer subclasses LineError with its own MESSAGES (Swedish source strings marked with
gettext_noop, so the Django layer can translate `template` and fill it with `value` and `params`). An error about
a whole file is a MessageError: a marked template and its values, likewise. Python's own `str()` of either is the
Swedish text (the commands and the logs); a page calls `message_in(gettext)`, or the `message_in_language`
template filter, and shows it in the page's language.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar

Gettext = Callable[[str], str]


def gettext_noop(message: str) -> str:
    """Marks a message for makemessages (which looks for this name) without importing Django."""
    return message


def quoted(value: str | None) -> str:
    return "" if value is None else f"”{value}”"


class MessageError(Exception):
    """An error whose message is a Swedish template marked with gettext_noop, and the values that fill it."""

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = params
        super().__init__(self.message_in())

    def message_in(self, gettext: Gettext = gettext_noop) -> str:
        translated = gettext(self.template)
        return translated % self.params if self.params else translated


@dataclass(frozen=True)
class LineError:
    """One problem in an input file: the line as an editor shows it (the header is line 1) and the column."""

    MESSAGES: ClassVar[Mapping[str, str]] = {}

    line: int
    column: str | None
    code: str
    value: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)

    @property
    def template(self) -> str:
        return self.MESSAGES[self.code]

    def message_in(self, gettext: Gettext = gettext_noop) -> str:
        return gettext(self.template) % {"value": quoted(self.value), **self.params}

    @property
    def message(self) -> str:
        return self.message_in()

    def location_in(self, gettext: Gettext = gettext_noop) -> str:
        line, column = gettext("rad"), gettext("kolumn")
        return f"{line} {self.line}" + (f", {column} {self.column}" if self.column is not None else "")

    def text_in(self, gettext: Gettext = gettext_noop) -> str:
        """Where and what: "rad 3, kolumn datum: …", in the language `gettext` gives."""
        return f"{self.location_in(gettext)}: {self.message_in(gettext)}"

    def __str__(self) -> str:
        return self.text_in()
