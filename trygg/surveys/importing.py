"""Turn an uploaded CSV or SPSS .sav file into the interchange CSV, renaming columns by a mapping.

No Django import. The result is validated by analysis.read_responses, which names line and column.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Callable, Mapping
from typing import IO

import pyreadstat

from .analysis import LineError, SurveyFileError

Progress = Callable[[int, int], None]
SAV_CHUNK_ROWS = 50_000


def file_kind(filename: str) -> str:
    return "sav" if filename.lower().endswith(".sav") else "csv"


def source_columns(path: str | os.PathLike[str], kind: str) -> list[str]:
    if kind == "sav":
        _, meta = pyreadstat.read_sav(os.fspath(path), metadataonly=True, output_format="polars")
        return list(meta.column_names)
    with open(path, encoding="utf-8-sig", newline="") as handle:
        try:
            return next(csv.reader(handle), [])
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
    writer = csv.writer(target, lineterminator="\n")
    with open(path, "rb") as raw:
        handle = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        reader = csv.reader(handle)
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
