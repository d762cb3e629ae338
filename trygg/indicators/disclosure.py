"""What of the school drug test counts may be shown publicly. Pure: no Django import.

Fewer than five positives is shown as "färre än 5". The number tested is shown, and the number of negative
tests never is: with the total and an exact negative count, the hidden positives could be worked out.
"""

from __future__ import annotations

from dataclasses import dataclass

SUPPRESS_BELOW = 5


@dataclass(frozen=True, slots=True)
class PublicCounts:
    tested: int | None
    positive: int | None  # None when it may not be shown
    suppressed: bool


def drug_tests_public(*, tested: int | None, positive: int | None) -> PublicCounts:
    if positive is None:
        return PublicCounts(tested=tested, positive=None, suppressed=False)
    if positive < SUPPRESS_BELOW:
        return PublicCounts(tested=tested, positive=None, suppressed=True)
    return PublicCounts(tested=tested, positive=positive, suppressed=False)
