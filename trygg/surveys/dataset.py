"""Stored answers (one JSON object per respondent) as the arrays analysis.py works on. No Django import."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import polars as pl

from .analysis import ALLOWED_CODES, NO_ANSWER, Responses, question_kind

AREA_COLUMN = "area"


def responses_from_answers(
    rows: Iterable[tuple[str, Mapping[str, object], float]],
    *,
    questions: Sequence[str],
    group_columns: Sequence[str] = (),
) -> Responses:
    """Build `Responses` from (area, answers, weight) rows, keeping only the contract's question columns.

    Codes outside the contract's sets are treated as no answer: the web form never stores them, so one
    would only come from a hand-edited row.
    """
    indicator_questions = [code for code in questions if question_kind(code) is not None]
    allowed = {code: frozenset(ALLOWED_CODES[question_kind(code)]) for code in indicator_questions}  # type: ignore[index]
    codes: dict[str, list[int]] = {code: [] for code in indicator_questions}
    areas: list[str] = []
    groups: dict[str, list[str]] = {column: [] for column in group_columns}
    weights: list[float] = []
    for area, answers, weight in rows:
        areas.append(area)
        weights.append(weight)
        for code in indicator_questions:
            value = answers.get(code)
            codes[code].append(value if isinstance(value, int) and value in allowed[code] else NO_ANSWER)
        for column in group_columns:
            value = answers.get(column)
            groups[column].append("" if value is None else str(value))
    weight_array = np.asarray(weights, dtype=np.float64)
    texts = {AREA_COLUMN: pl.Series(AREA_COLUMN, areas, dtype=pl.String)}
    texts.update({column: pl.Series(column, values, dtype=pl.String) for column, values in groups.items()})
    return Responses(
        row_count=len(areas),
        codes={code: np.asarray(values, dtype=np.int8) for code, values in codes.items()},
        weights=None if bool(np.all(weight_array == 1.0)) else weight_array,
        texts=texts,
    )
