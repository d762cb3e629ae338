"""CSV exports that a spreadsheet cannot be tricked by, in two variants: plain (RFC 4180: comma, decimal point)
and for Swedish Excel (a UTF-8 byte order mark, semicolons, decimal commas).

A cell that begins with =, +, -, @, a tab or a carriage return is read by Excel, LibreOffice and Google Sheets as
a formula (`=HYPERLINK(…)`, `@SUM(…)`, `-2+3+cmd|…`). Such text cells get a leading apostrophe, which the
spreadsheet shows as text and which a reader of the plain file sees for what it is. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpRequest, HttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A plain signed number ("-5", "+2,5") cannot run anything and keeps its sign.
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
BOM = "\ufeff"


def csv_wants_excel(request: HttpRequest) -> bool:
    """`?excel=1` asks for the variant for Swedish Excel."""
    return request.GET.get("excel", "") in {"1", "ja", "true"}


def csv_cell(value: object, *, excel: bool = False) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        text = format(value, "f") if isinstance(value, Decimal) else repr(value)
        return text.replace(".", ",") if excel else text
    text = str(value)
    if text.startswith(FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def csv_text(rows: Iterable[Sequence[object]], *, excel: bool = False) -> str:
    buffer = io.StringIO()
    if excel:
        buffer.write(BOM)
    writer = csv.writer(buffer, delimiter=";" if excel else ",", lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(value, excel=excel) for value in row])
    return buffer.getvalue()


def csv_response(rows: Iterable[Sequence[object]], *, filename: str, excel: bool = False) -> HttpResponse:
    response = HttpResponse(csv_text(rows, excel=excel), content_type="text/csv; charset=utf-8")
    if excel:
        filename = filename.removesuffix(".csv") + "-excel.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
