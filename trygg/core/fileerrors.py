"""Errors in an imported file, named by line and column. Pure: no Django import.

Each importer subclasses LineError with its own MESSAGES (Swedish source strings marked with
gettext_noop, so the Django layer can translate `template` and fill it with `value` and `params`).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar


def quoted(value: str | None) -> str:
    return "" if value is None else f"”{value}”"


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

    @property
    def message(self) -> str:
        return self.template % {"value": quoted(self.value), **self.params}

    def __str__(self) -> str:
        where = f"rad {self.line}" + (f", kolumn {self.column}" if self.column is not None else "")
        return f"{where}: {self.message}"
