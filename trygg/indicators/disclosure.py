"""What of the school drug test counts may be shown publicly. Pure: no Django import.

Fewer than five positives is shown as "färre än 5". The number tested is shown, and the number of negative
tests never is: with the total and an exact negative count, the hidden positives could be worked out.
The survey's rule for 0 % and 100 % holds here too (trygg/surveys/disclosure.py): when every pupil tested was
positive and fewer than twice five were tested, neither count is shown, since the one would give the other and
say that every pupil tested was positive. (0 % is fewer than five positives, already hidden.)
Each sampling date is its own table; no total over dates is published, so nothing hidden can be derived.
"""

from __future__ import annotations

from dataclasses import dataclass

SUPPRESS_BELOW = 5
# All tested positive is shown only from this many tested (twice the smallest count shown, as for surveys).
ALL_ALIKE_BELOW = 2 * SUPPRESS_BELOW


@dataclass(frozen=True, slots=True)
class PublicCounts:
    tested: int | None
    positive: int | None  # None when it may not be shown
    suppressed: bool
    # Hidden because every one tested was positive (the number tested is hidden too).
    all_alike: bool = False


def drug_tests_public(*, tested: int | None, positive: int | None) -> PublicCounts:
    if positive is None:
        return PublicCounts(tested=tested, positive=None, suppressed=False)
    if positive < SUPPRESS_BELOW:
        return PublicCounts(tested=tested, positive=None, suppressed=True)
    if tested is not None and positive == tested and tested < ALL_ALIKE_BELOW:
        return PublicCounts(tested=None, positive=None, suppressed=True, all_alike=True)
    return PublicCounts(tested=tested, positive=positive, suppressed=False)
