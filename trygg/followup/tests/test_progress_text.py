"""Issue 19, item 7: a count and its noun agree; never "2 av 1 grannsamverkansmöte" or "0 av 1 gånger"."""

import datetime as dt
from fractions import Fraction

import pytest

from trygg.followup.selectors import ActivityProgress
from trygg.followup.status import Status, StatusResult
from trygg.promises.models import Activity


def _progress(*, unit: str, target: int | None, done: int) -> ActivityProgress:
    result = StatusResult(
        status=Status.DONE,
        target=target,
        done=done,
        expected=Fraction(target or 0),
        elapsed_days=365,
        period_days=365,
    )
    period = (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    return ActivityProgress(Activity(unit=unit), period, result, done, [], None, None)


@pytest.mark.parametrize(
    ("unit", "target", "done", "expected"),
    [
        ("mätningar", 4, 3, "3 av 4 mätningar"),
        ("grannsamverkansmöte", 1, 2, "2 genomförda, målet var 1 grannsamverkansmöte"),
        ("", 1, 0, "0 av 1 gång"),
        ("", 3, 1, "1 av 3 gånger"),
        ("", 0, 1, "1 genomförd, målet var 0 gånger"),
    ],
)
def test_the_progress_text_never_counts_more_than_the_target_as_part_of_it(
    unit: str, target: int, done: int, expected: str
) -> None:
    assert _progress(unit=unit, target=target, done=done).progress_text == expected
