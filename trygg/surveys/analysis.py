"""The safety survey's interchange CSV and its indicators, as the contract in issue 6 defines them.

No Django import: this module is tested and benchmarked on its own, and the import command, the staff pages
and the public pages all call it for the same numbers.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections import deque
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import IO, TypedDict, TypeVar

import numpy as np
import numpy.typing as npt
import polars as pl

from trygg.core.fileerrors import LineError as BaseLineError
from trygg.core.fileerrors import gettext_noop

from .thresholds import DEFAULT_K, MIN_K

DEFAULT_MAPPING: dict[int, float] = {1: 6, 2: 4, 3: 2, 4: 0}
MAX_REPORTED_ERRORS = 1000
Z_95 = 1.96

# Stored code for an empty cell; 0 is never a valid answer code, so it cannot collide.
NO_ANSWER = 0

WEIGHT_COLUMN = "weight"
RESPONDENT_COLUMN = "respondent"

# Large enough to keep the per-chunk overhead small, small enough that a chunk's temporary arrays stay modest.
CHUNK_BYTES = 16 * 1024 * 1024
# Appended to every line by the fast reader; a chunk that holds this byte itself is read the exact way.
_SENTINEL = b"\x01"

Progress = Callable[[int, int], None]
Int8Array = npt.NDArray[np.int8]
FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.intp]
ScalarT = TypeVar("ScalarT", bound=np.generic)


MESSAGES: dict[str, str] = {
    "empty_file": gettext_noop("Filen är tom. Den ska börja med en rubrikrad."),
    "duplicate_column": gettext_noop("Kolumnen %(value)s finns mer än en gång i rubrikraden."),
    "encoding": gettext_noop("Texten är inte giltig UTF-8. Spara filen som UTF-8."),
    "unclosed_quote": gettext_noop("Ett citattecken som öppnas här stängs aldrig."),
    "unparsable": gettext_noop("Raderna kunde inte läsas som CSV (%(value)s)."),
    "field_count": gettext_noop("Raden har %(found)s fält men rubrikraden har %(expected)s."),
    "invalid_code": gettext_noop(
        "Koden %(value)s är inte tillåten här. Tillåtna koder: %(allowed)s eller tomt."
    ),
    "weight_empty": gettext_noop("Vikten saknas. När kolumnen weight finns måste varje rad ha en vikt."),
    "weight_not_number": gettext_noop("Vikten %(value)s är inte ett tal."),
    "weight_not_finite": gettext_noop("Vikten %(value)s är inte ett ändligt tal."),
    "weight_not_positive": gettext_noop("Vikten %(value)s måste vara större än 0."),
}


class LineError(BaseLineError):
    MESSAGES = MESSAGES


class SurveyFileError(Exception):
    """The file has errors, so nothing from it may be used. `total` counts errors beyond those kept."""

    def __init__(self, errors: list[LineError], total: int | None = None) -> None:
        self.errors = errors
        self.total = len(errors) if total is None else total
        shown = "\n".join(str(error) for error in errors[:20])
        more = self.total - min(len(errors), 20)
        super().__init__(shown + (f"\n… och {more} fel till" if more > 0 else ""))


class QuestionKind(Enum):
    PROBLEM = "problem"
    NIGHT = "night"
    VICTIMISATION = "victimisation"
    TRUST = "trust"


# Codes allowed in the file per kind (9 = no opinion / don't know; empty = no answer is always allowed).
ALLOWED_CODES: dict[QuestionKind, tuple[int, ...]] = {
    QuestionKind.PROBLEM: (1, 2, 3, 4, 9),
    QuestionKind.NIGHT: (1, 2, 3, 4, 5, 9),
    QuestionKind.VICTIMISATION: (1, 2, 9),
    QuestionKind.TRUST: (1, 2, 3, 4, 9),
}


def question_kind(column: str) -> QuestionKind | None:
    if column.startswith("p_") and len(column) > 2:
        return QuestionKind.PROBLEM
    if column == "t_kvall":
        return QuestionKind.NIGHT
    if column.startswith("u_") and len(column) > 2:
        return QuestionKind.VICTIMISATION
    if column == "f_polis_bryr_sig":
        return QuestionKind.TRUST
    return None


def indicator_name(column: str) -> str:
    return "otrygghet_kvall" if column == "t_kvall" else column


@dataclass(frozen=True)
class Responses:
    """A validated survey file held compactly: one int8 array per question (0 = no answer)."""

    row_count: int
    codes: dict[str, Int8Array]
    weights: FloatArray | None
    # Other columns as written (empty = ""), kept for grouping; `respondent` is never kept.
    texts: dict[str, pl.Series]

    @property
    def questions(self) -> list[str]:
        return list(self.codes)

    def column_text(self, column: str) -> pl.Series:
        if column in self.texts:
            return self.texts[column]
        if column in self.codes:
            # Valid codes are single digits, so the stored code gives back the text exactly as written.
            return pl.Series(column, self.codes[column]).cast(pl.String).replace(str(NO_ANSWER), "")
        raise KeyError(column)


# ----------------------------------------------------------------------------------------------------------
# Reading


def read_responses(
    source: str | os.PathLike[str] | IO[bytes] | IO[str],
    *,
    progress: Progress | None = None,
    group_columns: Collection[str] | None = None,
    max_errors: int = MAX_REPORTED_ERRORS,
) -> Responses:
    """Read and validate a whole interchange CSV; raise SurveyFileError (and return nothing) if it has errors.

    `progress(done, total)` is called in bytes after each chunk. `group_columns` limits which non-question
    columns are kept for grouping (default: all of them).
    """
    with _open_bytes(source) as (stream, total):
        reader = _Reader(total=total, progress=progress, group_columns=group_columns, max_errors=max_errors)
        return reader.read(stream)


@contextmanager
def _open_bytes(
    source: str | os.PathLike[str] | IO[bytes] | IO[str],
) -> Iterator[tuple[IO[bytes] | IO[str], int]]:
    """The source as a stream and its size in bytes from the current position (for progress)."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as opened:
            yield opened, os.fstat(opened.fileno()).st_size
        return
    if not isinstance(source, io.TextIOBase) and source.seekable():
        start = source.tell()
        end = source.seek(0, io.SEEK_END)
        source.seek(start)
        yield source, end - start
        return
    data = source.read()
    raw = data.encode("utf-8") if isinstance(data, str) else data
    yield io.BytesIO(raw), len(raw)


def _record_ends(data: npt.NDArray[np.uint8]) -> tuple[IndexArray, IndexArray, IndexArray]:
    """Newline positions, quote positions and the newlines that end a record (outside quotes).

    In RFC 4180 a newline is inside a quoted field exactly when an odd number of quote characters precede it;
    every chunk starts at a record boundary, so counting from the chunk's start is enough.
    """
    newlines = np.flatnonzero(data == 10)
    quotes = np.flatnonzero(data == 34)
    if quotes.size == 0:
        return newlines, quotes, newlines
    outside = (np.searchsorted(quotes, newlines) & 1) == 0
    return newlines, quotes, newlines[outside]


def _count_newlines(data: bytes) -> int:
    # numpy's comparison releases the GIL (bytes.count holds it, and takes three times as long).
    return int(np.count_nonzero(np.frombuffer(data, np.uint8) == 10))


def _last_record_end(data: bytes) -> int:
    """The position of the last newline outside quotes (-1 if none); `data` starts at a record boundary.

    Walks back from the end with byte counts, which costs a pass over the data and nothing per line, except
    when the data ends inside a quoted field that spans many lines: then the vectorised scan decides.
    """
    if b'"' not in data:
        return data.rfind(b"\n")
    # numpy counts a byte in a third of the time bytes.count takes, and without holding the GIL.
    quotes_before = int(np.count_nonzero(np.frombuffer(data, np.uint8) == ord('"')))
    end = len(data)
    for _ in range(64):
        newline = data.rfind(b"\n", 0, end)
        if newline < 0:
            return -1
        quotes_before -= data.count(b'"', newline, end)
        if quotes_before % 2 == 0:
            return newline
        end = newline
    _, _, ends = _record_ends(np.frombuffer(data, np.uint8))
    return int(ends[-1]) if ends.size else -1


def _chunks(stream: IO[bytes] | IO[str], chunk_bytes: int) -> Iterator[tuple[bytes, bool]]:
    """Pieces of the file, each ending at a record boundary; the flag says the last one ends inside quotes."""
    pending = b""
    while True:
        block = stream.read(chunk_bytes)
        raw = block.encode("utf-8") if isinstance(block, str) else block
        if not raw:
            if pending:
                yield pending, pending.count(b'"') % 2 == 1
            return
        data = pending + raw if pending else raw
        last = _last_record_end(data)
        if last < 0:
            pending = data
            continue
        cut = last + 1
        yield data[:cut], False
        pending = data[cut:]


@dataclass(frozen=True)
class _FastChunk:
    """What the fast pass makes of one chunk, kept by the reader in the file's order."""

    codes: dict[str, Int8Array]
    weights: FloatArray | None
    texts: dict[str, pl.Series]
    row_count: int


@dataclass
class _Column:
    index: int
    name: str
    kind: QuestionKind | None = None


class _Reader:
    def __init__(
        self,
        *,
        total: int,
        progress: Progress | None,
        group_columns: Collection[str] | None,
        max_errors: int,
    ) -> None:
        self.total = total
        self.progress = progress
        self.group_columns = None if group_columns is None else set(group_columns)
        self.max_errors = max_errors
        self.errors: list[LineError] = []
        self.error_count = 0
        self.names: list[str] = []
        self.questions: list[_Column] = []
        self.weight: _Column | None = None
        self.texts: list[_Column] = []
        self.code_parts: dict[str, list[Int8Array]] = {}
        self.weight_parts: list[FloatArray] = []
        self.text_parts: dict[str, list[pl.Series]] = {}
        self.row_count = 0
        self.done = 0

    def read(self, stream: IO[bytes] | IO[str]) -> Responses:
        next_line = 1
        header_seen = False
        # Chunks are parsed ahead, one per core (polars releases the GIL while it parses and converts), and kept
        # in the file's order; a chunk whose fast pass fails, or that comes after an error, is read the exact way.
        workers = max(1, os.cpu_count() or 1)
        ahead: deque[tuple[bytes, bool, int, Future[tuple[_FastChunk | None, int]] | None]] = deque()

        def parse(chunk: bytes) -> tuple[_FastChunk | None, int]:
            return self._parse_chunk_fast(chunk), _count_newlines(chunk)

        def keep_oldest() -> None:
            nonlocal next_line
            chunk, unclosed, size, parsing = ahead.popleft()
            self.done += size
            if chunk:
                parsed, newlines = (None, _count_newlines(chunk)) if parsing is None else parsing.result()
                if parsed is None or self.error_count:
                    self._read_chunk(chunk, next_line, unclosed)
                else:
                    self._keep(parsed)
                next_line += newlines
            if self.progress is not None:
                self.progress(self.done, self.total)

        with ThreadPoolExecutor(max_workers=workers) as pool:
            try:
                for chunk, unclosed in _chunks(stream, CHUNK_BYTES):
                    size = len(chunk)
                    if not header_seen:
                        header_seen = True
                        chunk, next_line = self._read_header(chunk, unclosed)
                    fast = bool(chunk) and not unclosed and not self.error_count
                    ahead.append((chunk, unclosed, size, pool.submit(parse, chunk) if fast else None))
                    if len(ahead) > workers:
                        keep_oldest()
                while ahead:
                    keep_oldest()
            finally:
                pool.shutdown(cancel_futures=True)
        if not header_seen:
            raise SurveyFileError([LineError(1, None, "empty_file")])
        if self.error_count:
            raise SurveyFileError(self.errors, self.error_count)
        return Responses(
            row_count=self.row_count,
            codes={
                column.name: _concatenate(self.code_parts[column.name], np.int8) for column in self.questions
            },
            weights=None if self.weight is None else _concatenate(self.weight_parts, np.float64),
            texts={
                column.name: pl.concat(self.text_parts[column.name], rechunk=True)
                if self.text_parts[column.name]
                else pl.Series(column.name, [], dtype=pl.String)
                for column in self.texts
            },
        )

    def _read_header(self, chunk: bytes, unclosed: bool) -> tuple[bytes, int]:
        if chunk.startswith(b"\xef\xbb\xbf"):
            chunk = chunk[3:]
        first_newline = chunk.find(b"\n")
        if first_newline >= 0 and b'"' not in chunk[:first_newline]:
            # A header line without quotes ends at its first newline: no scan of the whole chunk.
            cut = first_newline
        else:
            _, _, ends = _record_ends(np.frombuffer(chunk, np.uint8))
            if ends.size == 0 and unclosed:
                raise SurveyFileError([LineError(1, None, "unclosed_quote")])
            cut = int(ends[0]) if ends.size else len(chunk)
        header, rest = chunk[:cut], chunk[cut + 1 :]
        try:
            text = header.decode("utf-8").removesuffix("\r")
        except UnicodeDecodeError:
            raise SurveyFileError([LineError(1, None, "encoding")]) from None
        if not text:
            raise SurveyFileError([LineError(1, None, "empty_file")])
        self.names = next(csv.reader(io.StringIO(text, newline="")))
        counts: dict[str, int] = {}
        for name in self.names:
            counts[name] = counts.get(name, 0) + 1
        duplicates = [name for name, count in counts.items() if name and count > 1]
        if duplicates:
            raise SurveyFileError([LineError(1, name, "duplicate_column", name) for name in duplicates])
        for index, name in enumerate(self.names):
            kind = question_kind(name)
            if kind is not None:
                self.questions.append(_Column(index, name, kind))
                self.code_parts[name] = []
            elif name == WEIGHT_COLUMN:
                self.weight = _Column(index, name)
            elif (
                name
                and name != RESPONDENT_COLUMN
                and (self.group_columns is None or name in self.group_columns)
            ):
                self.texts.append(_Column(index, name))
                self.text_parts[name] = []
        return rest, 2 + header.count(b"\n")

    def _add_errors(self, found: list[tuple[int, int, LineError]], unlisted: int = 0) -> None:
        """Keep the first errors in (line, column) order; `unlisted` counts errors found but not built."""
        self.error_count += len(found) + unlisted
        room = self.max_errors - len(self.errors)
        if room > 0:
            found.sort(key=lambda item: (item[0], item[1]))
            self.errors.extend(error for _, _, error in found[:room])

    def _parse_chunk_fast(self, chunk: bytes) -> _FastChunk | None:
        """One polars pass over a well-formed chunk; None when anything is off. Reads only the header's columns,
        so that chunks can be parsed side by side (`_keep` then keeps them in order).

        polars cannot tell a short line from one whose last cells are empty, so every line gets one more field,
        a sentinel, before it is parsed: a short line shows up as a row without the sentinel in the last column,
        a long one as a row with something else there, a blank line as a short row. Cells are read by the exact
        reader's parser; text that is not UTF-8 in any column fails the parse (polars checks the whole buffer; a
        test pins this). Answers are parsed as small integers when no field of the chunk could be a code written
        another way (`_codes_written_plainly`), else straight into the enums the exact reader casts its text to;
        either way a code the question does not allow sends the chunk on. Then `_read_chunk`, which names the
        line and the field of every error, reads the chunk instead; a file that passes here reads the same there.
        """
        if _SENTINEL in chunk:
            return None
        end = b"\n"
        if b"\r" in chunk:
            if chunk.count(b"\r") != chunk.count(b"\r\n"):
                return None  # a carriage return of its own: polars may take it for a line end
            end = b"\r\n"
        if chunk.endswith(b"\n\n") or chunk.endswith(b"\n\r\n"):
            # Blank lines at the end (editors leave them) are no respondents: the same as the exact reader.
            chunk = chunk.rstrip(b"\r\n") + end
        as_numbers = _codes_written_plainly(chunk)
        marked = chunk.replace(end, b"," + _SENTINEL + end)
        if not chunk.endswith(b"\n"):
            marked += b"," + _SENTINEL + end
        frame = self._parse_marked(marked, as_numbers=as_numbers)
        if frame is None and as_numbers:
            # An answer polars does not read as a number (a quoted empty cell in some versions, text): the enums.
            as_numbers = False
            frame = self._parse_marked(marked, as_numbers=False)
        if frame is None:
            return None
        sentinel = f"column_{1 + len(self.names)}"
        texts = [*self.texts, *([] if self.weight is None else [self.weight])]
        checks = [pl.col(sentinel).null_count() == 0]
        # A quoted line break also got a sentinel, inside its quotes: such a file goes the exact way.
        checks += [
            ~pl.col(f"column_{1 + column.index}").str.contains(_SENTINEL.decode(), literal=True).any()
            for column in texts
        ]
        if as_numbers:
            checks += [
                pl.col(f"column_{1 + column.index}").is_in(ALLOWED_CODES[column.kind]).fill_null(True).all()
                for column in self.questions
                if column.kind is not None
            ]
        if self.weight is not None:
            weight = pl.col(f"column_{1 + self.weight.index}").cast(pl.Float64, strict=False)
            checks.append((weight.is_finite() & (weight > 0)).fill_null(False).all())
        if not frame.select(pl.all_horizontal(checks)).item():
            return None
        weights: FloatArray | None = None
        if self.weight is not None:
            weights = frame[f"column_{1 + self.weight.index}"].cast(pl.Float64).to_numpy()
        codes: dict[str, Int8Array] = {}
        for column in self.questions:
            assert column.kind is not None
            answers = frame[f"column_{1 + column.index}"]
            if as_numbers:
                codes[column.name] = answers.fill_null(NO_ANSWER).to_numpy()
                continue
            allowed = ALLOWED_CODES[column.kind]
            # Category i of the enum is code allowed[i - 1]; the last slot catches nulls (empty cells).
            lookup = np.array([NO_ANSWER, *allowed, NO_ANSWER], dtype=np.int8)
            codes[column.name] = lookup[answers.to_physical().fill_null(len(allowed) + 1).to_numpy()]
        texts_kept = {
            column.name: frame[f"column_{1 + column.index}"].fill_null("").alias(column.name)
            for column in self.texts
        }
        return _FastChunk(codes=codes, weights=weights, texts=texts_kept, row_count=frame.height)

    def _parse_marked(self, marked: bytes, *, as_numbers: bool) -> pl.DataFrame | None:
        """The wanted columns and the sentinel of a marked chunk, answers as Int8 or as the enums; None when
        polars refuses the chunk."""
        sentinel = f"column_{1 + len(self.names)}"
        schema: dict[str, pl.DataType | type[pl.DataType]] = {
            f"column_{1 + index}": pl.String for index in range(len(self.names) + 1)
        }
        for column in self.questions:
            assert column.kind is not None
            schema[f"column_{1 + column.index}"] = pl.Int8 if as_numbers else _code_enum(column.kind)
        # The sentinel as a one-value enum: no column of a million one-byte strings to build and compare.
        schema[sentinel] = pl.Enum([_SENTINEL.decode()])
        texts = [*self.texts, *([] if self.weight is None else [self.weight])]
        wanted = sorted(column.index for column in (*self.questions, *texts))
        try:
            return pl.read_csv(
                marked,
                has_header=False,
                schema=schema,
                columns=[*(f"column_{1 + index}" for index in wanted), sentinel],
                quote_char='"',
                encoding="utf8",
            )
        except pl.exceptions.PolarsError:
            return None

    def _keep(self, parsed: _FastChunk) -> None:
        for name, values in parsed.codes.items():
            self.code_parts[name].append(values)
        if parsed.weights is not None:
            self.weight_parts.append(parsed.weights)
        for name, text in parsed.texts.items():
            self.text_parts[name].append(text)
        self.row_count += parsed.row_count

    def _read_chunk(self, chunk: bytes, first_line: int, unclosed: bool) -> None:
        data = np.frombuffer(chunk, np.uint8)
        newlines, quotes, ends = _record_ends(data)
        if not chunk.endswith(b"\n") or unclosed:
            ends = np.append(ends, len(chunk))
        starts = np.concatenate(([0], ends[:-1] + 1))
        if quotes.size:
            lines = first_line + np.searchsorted(newlines, starts)
        else:
            lines = first_line + np.arange(len(starts))
        if unclosed:
            # The last record runs to the end of the file inside quotes: report it and leave it out.
            line = int(lines[-1])
            self._add_errors([(line, -1, LineError(line, None, "unclosed_quote"))])
            starts, ends, lines = starts[:-1], ends[:-1], lines[:-1]
            if starts.size == 0:
                return

        lengths = ends - starts
        first_bytes = data[np.minimum(starts, len(data) - 1)]
        # A line with nothing on it is no respondent (editors often leave one at the end).
        blank = (lengths == 0) | ((lengths == 1) & (first_bytes == 13))

        commas = np.flatnonzero(data == 44)
        # Records are contiguous, so commas before each record's end, differenced, are the commas in it.
        separators = np.diff(np.searchsorted(commas, ends), prepend=0)
        if quotes.size > 1:
            # Then take away the commas inside quotes. Quote characters pair up as (open, close) in order; an
            # escaped "" only splits a quoted stretch in two with nothing between, so the pairs cover it exactly.
            opens, closes = quotes[0:-1:2], quotes[1::2]
            inside = np.searchsorted(commas, closes) - np.searchsorted(commas, opens)
            owner = np.searchsorted(ends, opens)
            separators -= np.bincount(owner, weights=inside, minlength=len(ends)).astype(np.int64)[
                : len(ends)
            ]
        fields = separators + 1
        ragged = (fields != len(self.names)) & ~blank
        if ragged.any():
            expected = str(len(self.names))
            self._add_errors(
                [
                    (
                        int(lines[row]),
                        -1,
                        LineError(
                            int(lines[row]),
                            None,
                            "field_count",
                            params={"found": str(int(fields[row])), "expected": expected},
                        ),
                    )
                    for row in np.flatnonzero(ragged)[: self.max_errors]
                ],
                unlisted=max(0, int(ragged.sum()) - self.max_errors),
            )

        keep = ~blank & ~ragged
        if not keep.all() or unclosed:
            # Rare: hand the parser only the records that can be read as rows.
            chunk = b"".join(
                chunk[start : end + 1] for start, end in zip(starts[keep], ends[keep], strict=True)
            )
            if chunk and not chunk.endswith(b"\n"):
                chunk += b"\n"
            starts, lines = starts[keep], lines[keep]
            if starts.size == 0:
                return

        lossy = self._check_encoding(chunk, lines)
        frame = self._parse(chunk, lossy, lines)
        if frame is None:
            return
        if frame.height != len(lines):
            line = int(lines[0])
            self._add_errors([(line, -1, LineError(line, None, "unparsable", "fel antal rader"))])
            return
        self._validate(frame, lines)

    def _check_encoding(self, chunk: bytes, lines: IndexArray) -> bool:
        try:
            chunk.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return False
        # Rare: find every bad record and the column of its first bad byte.
        found: list[tuple[int, int, LineError]] = []
        data = np.frombuffer(chunk, np.uint8)
        _, _, ends = _record_ends(data)
        if ends.size < len(lines):
            ends = np.append(ends, len(chunk))
        starts = np.concatenate(([0], ends[:-1] + 1))
        for start, end, line in zip(starts.tolist(), ends.tolist(), lines.tolist(), strict=True):
            record = chunk[start:end]
            try:
                record.decode("utf-8")
            except UnicodeDecodeError as error:
                prefix = np.frombuffer(record[: error.start], np.uint8)
                _, quotes, _ = _record_ends(prefix)
                commas = np.flatnonzero(prefix == 44)
                if quotes.size:
                    commas = commas[(np.searchsorted(quotes, commas) & 1) == 0]
                column_index = int(commas.size)
                name = self.names[column_index] if column_index < len(self.names) else None
                found.append((line, column_index, LineError(line, name, "encoding")))
        self._add_errors(found)
        return True

    def _parse(self, chunk: bytes, lossy: bool, lines: IndexArray) -> pl.DataFrame | None:
        wanted = [column.index for column in (*self.questions, *self.texts)]
        if self.weight is not None:
            wanted.append(self.weight.index)
        if not wanted:
            return pl.DataFrame({"_": np.zeros(len(lines), np.int8)})
        # A header of our own fixes the number of columns, so a short first row cannot change it.
        header = ",".join(f"c{index}" for index in range(len(self.names))).encode() + b"\n"
        try:
            return pl.read_csv(
                header + chunk,
                has_header=True,
                infer_schema=False,
                columns=[f"c{index}" for index in sorted(wanted)],
                truncate_ragged_lines=True,
                encoding="utf8-lossy" if lossy else "utf8",
                quote_char='"',
            )
        except pl.exceptions.PolarsError as error:
            detail = str(error).splitlines()[0][:200]
            self._add_errors([(int(lines[0]), -1, LineError(int(lines[0]), None, "unparsable", detail))])
            return None

    def _validate(self, frame: pl.DataFrame, lines: IndexArray) -> None:
        found: list[tuple[int, int, LineError]] = []
        unlisted = 0
        for column in self.questions:
            assert column.kind is not None
            allowed = ALLOWED_CODES[column.kind]
            text = frame[f"c{column.index}"]
            categories = ["", *(str(code) for code in allowed)]
            as_enum = text.cast(_code_enum(column.kind), strict=False)
            bad = (as_enum.is_null() & text.is_not_null()).to_numpy()
            if bad.any():
                allowed_text = ", ".join(str(code) for code in allowed)
                rows = np.flatnonzero(bad)
                unlisted += max(0, len(rows) - self.max_errors)
                rows = rows[: self.max_errors]
                values = text.gather(rows).to_list()
                found.extend(
                    (
                        int(lines[row]),
                        column.index,
                        LineError(
                            int(lines[row]), column.name, "invalid_code", value, {"allowed": allowed_text}
                        ),
                    )
                    for row, value in zip(rows, values, strict=True)
                )
            elif not self.error_count:
                # Category i of the enum is code allowed[i - 1]; the last slot catches nulls (empty cells).
                lookup = np.array([NO_ANSWER, *allowed, NO_ANSWER], dtype=np.int8)
                physical = as_enum.to_physical().fill_null(len(categories)).to_numpy()
                self.code_parts[column.name].append(lookup[physical])

        if self.weight is not None:
            weight_errors, weight_unlisted = self._validate_weight(frame[f"c{self.weight.index}"], lines)
            found.extend(weight_errors)
            unlisted += weight_unlisted

        if found:
            self._add_errors(found, unlisted)
        if self.error_count:
            return
        for column in self.texts:
            self.text_parts[column.name].append(frame[f"c{column.index}"].fill_null("").alias(column.name))
        self.row_count += frame.height

    def _validate_weight(
        self, text: pl.Series, lines: IndexArray
    ) -> tuple[list[tuple[int, int, LineError]], int]:
        assert self.weight is not None
        number = text.cast(pl.Float64, strict=False)
        values = number.fill_null(np.nan).to_numpy()
        empty = (text.is_null() | (text == "")).to_numpy()
        not_number = np.isnan(values) & ~empty
        not_finite = np.isinf(values)
        not_positive = np.isfinite(values) & (values <= 0)
        problems = empty | not_number | not_finite | not_positive
        if not problems.any():
            if not self.error_count:
                self.weight_parts.append(values)
            return [], 0
        rows = np.flatnonzero(problems)
        unlisted = max(0, len(rows) - self.max_errors)
        rows = rows[: self.max_errors]
        written = text.gather(rows).to_list()
        found = []
        for row, value in zip(rows, written, strict=True):
            if empty[row]:
                code = "weight_empty"
            elif not_number[row]:
                code = "weight_not_number"
            elif not_finite[row]:
                code = "weight_not_finite"
            else:
                code = "weight_not_positive"
            line = int(lines[row])
            found.append((line, self.weight.index, LineError(line, WEIGHT_COLUMN, code, value)))
        return found, unlisted


def _code_enum(kind: QuestionKind) -> pl.Enum:
    """The answers a question of this kind allows, as text: "" (a quoted empty cell) and its codes, in order."""
    return pl.Enum(["", *(str(code) for code in ALLOWED_CODES[kind])])


def _codes_written_plainly(chunk: bytes) -> bool:
    """Whether polars may read the chunk's answers as numbers: it reads " 1", "\t1", "+1" and "01" as 1, which the
    exact reader refuses (only the code's own digit is a code). True when no field starts with a space, a tab, a
    plus sign, or a zero followed by a digit; a field of another column that does so only costs the enums' parse.
    """
    data = np.frombuffer(chunk, np.uint8)
    suspects = [np.flatnonzero(data == byte) for byte in b" \t+" if bytes([byte]) in chunk]
    zeros = np.flatnonzero(data[:-1] == ord("0"))
    after = data[zeros + 1]
    suspects.append(zeros[(after >= ord("0")) & (after <= ord("9"))])
    starts = np.concatenate(suspects)
    if starts.size == 0:
        return True
    if (starts == 0).any():
        return False
    before = data[starts - 1]
    return not ((before == ord(",")) | (before == ord("\n")) | (before == ord('"'))).any()


def _concatenate(parts: Sequence[npt.NDArray[ScalarT]], dtype: type[ScalarT]) -> npt.NDArray[ScalarT]:
    if not parts:
        return np.zeros(0, dtype=dtype)
    return np.concatenate(parts)


# ----------------------------------------------------------------------------------------------------------
# Indicators


class IndicatorCell(TypedDict):
    n: int
    value: float | None
    se: float | None
    ci95: list[float] | None
    suppressed: bool


class Group(TypedDict):
    by: dict[str, str]
    respondents: int
    indicators: dict[str, IndicatorCell]


class SurveyIndices(TypedDict):
    k: int
    mapping: dict[str, float]
    groups: list[Group]


@dataclass(frozen=True)
class _AnswerTotals:
    """Per group (rows) and stored code 0..9 (columns): answers, sum of weights, sum of squared weights."""

    count: npt.NDArray[np.int64]
    weight: FloatArray
    weight_squared: FloatArray

    def whole(self) -> _AnswerTotals:
        return _AnswerTotals(
            count=self.count.sum(axis=0, keepdims=True),
            weight=self.weight.sum(axis=0, keepdims=True),
            weight_squared=self.weight_squared.sum(axis=0, keepdims=True),
        )


@dataclass(frozen=True)
class _Estimates:
    n: npt.NDArray[np.int64]
    value: FloatArray
    se: FloatArray


CODE_SLOTS = 10


def _answer_totals(
    codes: Int8Array,
    weights: FloatArray | None,
    weights_squared: FloatArray | None,
    group_slots: IndexArray,
    group_count: int,
    slots: IndexArray,
) -> _AnswerTotals:
    # An answer's points depend only on its code, so totals per (group, code) hold all the formulas need:
    # one pass over the rows per question, whatever the number of groups. `slots` is scratch space of the rows'
    # length: a fresh array for each question cost more (the memory's first touch) than the counting itself.
    np.add(group_slots, codes, out=slots)
    shape = (group_count, CODE_SLOTS)
    count = np.bincount(slots, minlength=group_count * CODE_SLOTS).reshape(shape)
    if weights is None or weights_squared is None:
        as_float = count.astype(np.float64)
        return _AnswerTotals(count=count, weight=as_float, weight_squared=as_float)
    return _AnswerTotals(
        count=count,
        weight=_weighted_bincount(slots, weights, shape),
        weight_squared=_weighted_bincount(slots, weights_squared, shape),
    )


#: Questions are counted on this many threads at most (numpy's counting lets go of the GIL).
TOTALS_THREADS = 2


def _all_answer_totals(
    codes: Mapping[str, Int8Array],
    weights: FloatArray | None,
    weights_squared: FloatArray | None,
    group_slots: IndexArray,
    group_count: int,
) -> dict[str, _AnswerTotals]:
    """`_answer_totals` of every question, the questions shared out over up to `TOTALS_THREADS` threads. Each
    question's totals are summed row by row in file order as before, so the results do not depend on the threads."""
    questions = list(codes)
    threads = max(1, min(TOTALS_THREADS, os.cpu_count() or 1, len(questions)))

    def count(share: Sequence[str]) -> list[tuple[str, _AnswerTotals]]:
        slots = np.empty(len(group_slots), dtype=np.intp)
        return [
            (
                question,
                _answer_totals(codes[question], weights, weights_squared, group_slots, group_count, slots),
            )
            for question in share
        ]

    if threads == 1:
        return dict(count(questions))
    with ThreadPoolExecutor(max_workers=threads) as pool:
        shares = pool.map(count, [questions[start::threads] for start in range(threads)])
        return {question: totals for share in shares for question, totals in share}


def _weighted_bincount(slots: IndexArray, weights: FloatArray, shape: tuple[int, int]) -> FloatArray:
    totals = np.bincount(slots, weights=weights, minlength=shape[0] * shape[1])
    return np.asarray(totals, dtype=np.float64).reshape(shape)


def _lookup_tables(kind: QuestionKind, mapping: Mapping[int, float]) -> tuple[FloatArray, FloatArray]:
    """Per stored code 0..9: 1.0 if it counts in the denominator, and its points (or 0/1)."""
    valid = np.zeros(CODE_SLOTS)
    points = np.zeros(CODE_SLOTS)
    if kind is QuestionKind.PROBLEM:
        for code, value in mapping.items():
            valid[code], points[code] = 1, value
    elif kind is QuestionKind.NIGHT:
        valid[1:6] = 1
        points[3:6] = 1
    elif kind is QuestionKind.VICTIMISATION:
        valid[1:3] = 1
        points[1] = 1
    else:
        valid[1:5] = 1
        points[1:3] = 1
    return valid, points


def _estimates(totals: _AnswerTotals, tables: tuple[FloatArray, FloatArray]) -> _Estimates:
    valid, points = tables
    # Codes outside the denominator (9, no answer) get no weight at all.
    count = totals.count * valid.astype(np.int64)
    weight = totals.weight * valid
    n = count.sum(axis=1)
    weight_sum = weight.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        value = (weight * points).sum(axis=1) / weight_sum
        # Σ wᵢ²(yᵢ − ȳ)² grouped by code: every answer with the same code has the same yᵢ.
        deviation = points[np.newaxis, :] - value[:, np.newaxis]
        squares = (totals.weight_squared * valid * deviation * deviation).sum(axis=1)
        se = np.sqrt(n / (n - 1) * squares) / weight_sum
    se[n < 2] = np.nan
    return _Estimates(n=n, value=value, se=se)


def _suppression(n: npt.NDArray[np.int64], k: int, complementary: bool) -> npt.NDArray[np.bool_]:
    suppressed = n < k
    if complementary and suppressed.sum() == 1 and len(n) > 1:
        # One hidden cell could be derived from the total and the others: hide the smallest visible one too.
        candidates = np.flatnonzero(~suppressed)
        suppressed[candidates[np.argmin(n[candidates])]] = True
    return suppressed


def _cell(n: int, value: float, se: float, suppressed: bool) -> IndicatorCell:
    if suppressed:
        return {"n": n, "value": None, "se": None, "ci95": None, "suppressed": True}
    return {
        "n": n,
        "value": value,
        "se": se,
        "ci95": [value - Z_95 * se, value + Z_95 * se],
        "suppressed": False,
    }


def _group_index(responses: Responses, by: Sequence[str]) -> tuple[IndexArray, list[dict[str, str]]]:
    """Each row's group number, and each group's texts, numbered in code-point order of the texts."""
    key = np.zeros(responses.row_count, dtype=np.int64)
    texts = [responses.column_text(column) for column in by]
    for text in texts:
        # Python sorts str by code point, which is the order the contract asks for.
        categories = sorted(text.unique().to_list())
        # An enum's physical value is the position of its category: one hash lookup per row, no sort.
        position = text.cast(pl.Enum(categories)).to_physical().to_numpy().astype(np.int64)
        if key.size and (int(key.max()) + 1) * len(categories) >= 2**62:
            key = np.unique(key, return_inverse=True)[1].astype(np.int64)
        key = key * len(categories) + position
    # Any row of a group has its texts (the key is made of them): groups are numbered in the order of their keys.
    if key.size and int(key.max()) < 4 * key.size + 1024:
        # Keys in a small range (the usual case): counted, not sorted.
        present = np.bincount(key) > 0
        number = np.cumsum(present) - 1
        inverse = number[key]
        representative = np.zeros(int(present.sum()), dtype=np.intp)
        representative[inverse] = np.arange(key.size)
    else:
        _, representative, inverse = np.unique(key, return_index=True, return_inverse=True)
    labels = [
        dict(zip(by, values, strict=True))
        for values in zip(*(text.gather(representative).to_list() for text in texts), strict=True)
    ]
    return inverse.reshape(-1).astype(np.intp), labels


def survey_indices(
    responses: Responses,
    *,
    by: Sequence[str] = (),
    k: int = DEFAULT_K,
    mapping: Mapping[int, float] | None = None,
    unsuppressed: bool = False,
) -> SurveyIndices:
    """The indicators for the whole file, then for each combination of the `by` columns (one breakdown).

    `unsuppressed` keeps every cell's value (flagged unsuppressed): for trygg.surveys.disclosure, which decides
    what is published across all breakdowns at once. Never publish such a result as it is.
    """
    if k < MIN_K:
        raise ValueError(f"k must be at least {MIN_K}, got {k}")
    mapping = dict(DEFAULT_MAPPING if mapping is None else mapping)
    if set(mapping) != {1, 2, 3, 4} or not all(math.isfinite(value) for value in mapping.values()):
        raise ValueError(
            "the mapping must give a finite number of points for each of the codes 1, 2, 3 and 4"
        )
    unknown = [column for column in by if column not in responses.texts and column not in responses.codes]
    if unknown:
        raise ValueError(f"no such grouping column: {', '.join(unknown)}")
    if len(set(by)) != len(by):
        raise ValueError("a grouping column is named twice")

    rows = responses.row_count
    if by:
        groups, labels = _group_index(responses, by)
    else:
        groups, labels = np.zeros(rows, dtype=np.intp), [{}]
    group_count = len(labels)
    group_slots = groups * CODE_SLOTS
    weights = responses.weights
    weights_squared = None if weights is None else weights * weights

    group_labels: list[dict[str, str]] = [{}, *labels] if by else [{}]
    respondents = [rows, *np.bincount(groups, minlength=group_count).tolist()] if by else [rows]
    cells: list[dict[str, IndicatorCell]] = [{} for _ in group_labels]
    every_total = _all_answer_totals(responses.codes, weights, weights_squared, group_slots, group_count)
    for question in responses.codes:
        kind = question_kind(question)
        assert kind is not None
        tables = _lookup_tables(kind, mapping)
        totals = every_total[question]
        parts = [(_estimates(totals.whole(), tables), False)]
        if by:
            parts.append((_estimates(totals, tables), True))
        row = 0
        for estimates, complementary in parts:
            suppressed = (
                np.zeros(len(estimates.n), dtype=np.bool_)
                if unsuppressed
                else _suppression(estimates.n, k, complementary)
            )
            for group in range(len(estimates.n)):
                cells[row][indicator_name(question)] = _cell(
                    int(estimates.n[group]),
                    float(estimates.value[group]),
                    float(estimates.se[group]),
                    bool(suppressed[group]),
                )
                row += 1

    return {
        "k": k,
        "mapping": {str(code): mapping[code] for code in sorted(mapping)},
        "groups": [
            {"by": label, "respondents": int(count), "indicators": indicators}
            for label, count, indicators in zip(group_labels, respondents, cells, strict=True)
        ],
    }


# ----------------------------------------------------------------------------------------------------------
# Trends


class Trend(TypedDict):
    difference: float
    se: float
    ci95: list[float]
    flagged: bool


def trend(*, previous_value: float, previous_se: float, current_value: float, current_se: float) -> Trend:
    """Current minus previous for two independent samples; flagged when the 95 % interval excludes zero."""
    difference = current_value - previous_value
    se = math.sqrt(previous_se**2 + current_se**2)
    low, high = difference - Z_95 * se, difference + Z_95 * se
    return {"difference": difference, "se": se, "ci95": [low, high], "flagged": low > 0 or high < 0}


def indicator_trend(*, previous: IndicatorCell, current: IndicatorCell) -> Trend | None:
    """The trend between two surveys' cells, or None when either is suppressed."""
    if previous["suppressed"] or current["suppressed"]:
        return None
    assert previous["value"] is not None and previous["se"] is not None
    assert current["value"] is not None and current["se"] is not None
    return trend(
        previous_value=previous["value"],
        previous_se=previous["se"],
        current_value=current["value"],
        current_se=current["se"],
    )
