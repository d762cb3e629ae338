"""Turn an uploaded CSV or SPSS .sav file into the interchange CSV, renaming columns by a mapping.

No Django import. The result is validated by analysis.read_responses, which names line and column.

A CSV may be saved as Swedish Excel saves it: semicolons between fields, a decimal comma ("1,25"), and Windows-1252
or UTF-8 with a byte-order mark. The separator is found on the header line and the text encoding from the bytes;
in a file separated by something other than commas, a number written with a decimal comma is rewritten with a
point, as the interchange format wants it.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import IO

import pyreadstat

from .analysis import LineError, SurveyFileError

Progress = Callable[[int, int], None]
SAV_CHUNK_ROWS = 50_000
SNIFF_BYTES = 1 << 20
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d+$")


@dataclass(frozen=True)
class CsvDialect:
    encoding: str  # "utf-8-sig" (with or without a BOM), "utf-16" (with a BOM) or "cp1252"
    delimiter: str


def csv_dialect(path: str | os.PathLike[str]) -> CsvDialect:
    """How a CSV was saved: UTF-8 (a BOM or valid UTF-8 throughout), UTF-16 with a BOM (Excel's "Unicode text")
    else Windows-1252, and the separator of the header line (semicolon, tab or comma, outside quotes)."""
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
        encoding = "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
            # A read of SNIFF_BYTES may end inside a character; the header line is all that is looked at.
            head = head[: len(head) - len(head) % 2]
        elif not head.startswith(codecs.BOM_UTF8):
            decoder = codecs.getincrementaldecoder("utf-8")()
            try:
                decoder.decode(head)
                for block in iter(lambda: handle.read(SNIFF_BYTES), b""):
                    decoder.decode(block)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                encoding = "cp1252"
    text = head.decode(encoding, errors="replace")
    first = text.split("\n", 1)[0]
    outside = re.sub(r'"[^"]*"', "", first)
    delimiter = max((",", ";", "\t"), key=outside.count) if any(outside.count(c) for c in ",;\t") else ","
    return CsvDialect(encoding=encoding, delimiter=delimiter)


def _decimal_point(value: str) -> str:
    return value.replace(",", ".") if _DECIMAL_COMMA.match(value) else value


def file_kind(filename: str) -> str:
    return "sav" if filename.lower().endswith(".sav") else "csv"


def source_columns(path: str | os.PathLike[str], kind: str) -> list[str]:
    if kind == "sav":
        _, meta = pyreadstat.read_sav(os.fspath(path), metadataonly=True, output_format="polars")
        return list(meta.column_names)
    dialect = csv_dialect(path)
    with open(path, encoding=dialect.encoding, newline="") as handle:
        try:
            return next(csv.reader(handle, delimiter=dialect.delimiter), [])
        except (UnicodeDecodeError, csv.Error):
            raise SurveyFileError([LineError(1, None, "encoding")]) from None


def _sav_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        # SPSS stores every number as a float; whole numbers are written as the integer codes the format needs.
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def write_interchange(
    path: str | os.PathLike[str],
    kind: str,
    mapping: Mapping[str, str],
    target: IO[str],
    *,
    progress: Progress | None = None,
) -> None:
    """Write the mapped columns (source name → interchange name) in the source's order, rows unchanged."""
    if kind == "sav":
        _write_from_sav(path, mapping, target, progress)
    else:
        _write_from_csv(path, mapping, target, progress)


def _write_from_csv(
    path: str | os.PathLike[str], mapping: Mapping[str, str], target: IO[str], progress: Progress | None
) -> None:
    total = os.path.getsize(path)
    dialect = csv_dialect(path)
    decimal_comma = dialect.delimiter != ","
    writer = csv.writer(target, lineterminator="\n")
    with open(path, "rb") as raw:
        handle = io.TextIOWrapper(raw, encoding=dialect.encoding, newline="")
        reader = csv.reader(handle, delimiter=dialect.delimiter)
        try:
            header = next(reader)
        except StopIteration:
            raise SurveyFileError([LineError(1, None, "empty_file")]) from None
        except UnicodeDecodeError:
            raise SurveyFileError([LineError(1, None, "encoding")]) from None
        keep = [index for index, name in enumerate(header) if mapping.get(name)]
        writer.writerow([mapping[header[index]] for index in keep])
        line = 1
        try:
            for line, row in enumerate(reader, start=2):
                if not row:
                    writer.writerow([])
                    continue
                if len(row) != len(header):
                    raise SurveyFileError(
                        [
                            LineError(
                                line,
                                None,
                                "field_count",
                                params={"found": str(len(row)), "expected": str(len(header))},
                            )
                        ]
                    )
                if decimal_comma:
                    writer.writerow([_decimal_point(row[index]) for index in keep])
                else:
                    writer.writerow([row[index] for index in keep])
                if progress is not None and line % 50_000 == 0:
                    progress(raw.tell(), total)
        except UnicodeDecodeError:
            raise SurveyFileError([LineError(line + 1, None, "encoding")]) from None
        except csv.Error as error:
            raise SurveyFileError(
                [LineError(line + 1, None, "unparsable", params={"value": str(error)})]
            ) from None
    if progress is not None:
        progress(total, total)


def _write_from_sav(
    path: str | os.PathLike[str], mapping: Mapping[str, str], target: IO[str], progress: Progress | None
) -> None:
    _, meta = pyreadstat.read_sav(os.fspath(path), metadataonly=True, output_format="polars")
    names = [name for name in meta.column_names if mapping.get(name)]
    total = int(meta.number_rows or 0)
    writer = csv.writer(target, lineterminator="\n")
    writer.writerow([mapping[name] for name in names])
    done = 0
    while done < total:
        frame, _ = pyreadstat.read_sav(
            os.fspath(path),
            usecols=names,
            row_offset=done,
            row_limit=SAV_CHUNK_ROWS,
            output_format="polars",
        )
        if frame.height == 0:
            break
        for row in frame.select(names).iter_rows():
            writer.writerow([_sav_text(value) for value in row])
        done += frame.height
        if progress is not None:
            progress(done, total)
