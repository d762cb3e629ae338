"""Fair comparison within SKR's kommungrupp: shares with their counts, small counts flagged, three-level marks
relative to the group like Kolada's, and crime figures as context only. No Django import; selectors feed it.

The marks say where a share lies among the group's shares (the highest quarter, the middle half, the lowest
quarter), never whether it is good: a kommun that promised little may do all of it.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Fewer activities than this and a share says little: it is flagged, and it gets no mark.
SMALL_COUNT = 10
#: Fewer comparable kommuner than this in the group and no marks are given at all.
MIN_FOR_MARKS = 4

HIGH = "high"
MIDDLE = "middle"
LOW = "low"


@dataclass(frozen=True)
class Share:
    done: int
    total: int

    @property
    def rate(self) -> float:
        return self.done / self.total if self.total else 0.0

    @property
    def small(self) -> bool:
        return self.total < SMALL_COUNT


def marks(shares: dict[str, Share]) -> dict[str, str]:
    """Kommun code → HIGH, MIDDLE or LOW: the upper and lower quarter of the comparable shares and the rest.

    Shares from small counts take no part. Equal shares get the same mark (the position of the first of them)."""
    comparable = {code: share.rate for code, share in shares.items() if not share.small}
    if len(comparable) < MIN_FOR_MARKS:
        return {}
    ordered = sorted(comparable.values())
    count = len(ordered)
    result = {}
    for code, rate in comparable.items():
        below = sum(1 for value in ordered if value < rate)
        above = sum(1 for value in ordered if value > rate)
        if above < count / 4 and below >= count / 4:
            result[code] = HIGH
        elif below < count / 4 and above >= count / 4:
            result[code] = LOW
        else:
            result[code] = MIDDLE
    return result


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def most_similar(code: str, populations: dict[str, int], count: int = 7) -> list[str]:
    """The `count` kommuner whose population is closest to `code`'s (the kommun itself not included)."""
    own = populations.get(code)
    if own is None:
        return []
    others = sorted(
        (other for other in populations if other != code),
        key=lambda other: (abs(populations[other] - own), other),
    )
    return others[:count]
