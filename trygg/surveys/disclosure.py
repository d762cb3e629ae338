"""Which published survey figures must be hidden so that no hidden one can be worked out. Pure: no Django.

Every figure published for an indicator belongs to one table over the same respondents: the whole municipality
(the total) and one margin per breakdown that is shown anywhere (by area on the public pages; by area, kön and
ålder on the staff page). Each margin splits the total: its cells' counts add up to the total's. So hiding a
cell is not enough. The rules, applied to each indicator until nothing changes:

1. Primary: a cell with fewer than `k` answers, or with every answer the same extreme (0 % or 100 %; a problem
   index of exactly 0 or 6) while it has fewer than `extreme_n` answers (default 2k), is hidden. 0 % of 4 tells
   all four answers.
2. Complementary: in every margin with a hidden cell, the hidden cells together are what the total minus the
   shown cells gives away. So they must be at least two cells with answers, have at least `k` answers between
   them, and not all sit at the same extreme (then each of them would be known); otherwise the shown cell with
   the fewest answers is hidden too, and the margin is looked at again.
3. The number of answers of a hidden cell is hidden with it (the pages say "för få svar"): shown, it would tell
   how many a derived share was of.

Margins never share a cell, so an equation of one margin holds two or more hidden unknowns and no other equation
holds any of them: no hidden value follows, and the attacker in the tests (tests/test_disclosure.py, which
solves the published figures as an integer program with their rounding) recovers none. Earlier years: a
change against the previous survey is shown only when both cells are shown after these rules
(selectors.survey_disclosed_indices is used for both surveys).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

EXTREME_FACTOR = 2  # default minimum n for a 0 % or 100 % figure, in multiples of k


@dataclass(frozen=True)
class Facts:
    """What one cell would publish: its number of answers and its value (None without answers)."""

    n: int
    value: float | None


@dataclass(frozen=True)
class Rules:
    k: int
    extreme_n: int
    # The values at which every answer is the same: (0, 1) for a share, the scale's ends for an index.
    extremes: tuple[float, float]

    def at_extreme(self, value: float | None) -> float | None:
        if value is None or math.isnan(value):
            return None
        for extreme in self.extremes:
            if math.isclose(value, extreme, abs_tol=1e-9):
                return extreme
        return None

    def cell_unsafe(self, facts: Facts) -> bool:
        if facts.n < self.k or facts.value is None or math.isnan(facts.value):
            return True
        return facts.n < self.extreme_n and self.at_extreme(facts.value) is not None

    def hidden_together_unsafe(self, cells: Sequence[Facts]) -> bool:
        answered = [cell for cell in cells if cell.n > 0]
        if len(answered) < 2 or sum(cell.n for cell in answered) < self.k:
            return True
        extremes = {self.at_extreme(cell.value) for cell in answered}
        return len(extremes) == 1 and None not in extremes


def extreme_n_default(k: int) -> int:
    return EXTREME_FACTOR * k


def suppress(total: Facts, margins: Sequence[Sequence[Facts]], rules: Rules) -> tuple[bool, list[list[bool]]]:
    """The hidden flags of the total and of every cell of every margin (each margin a split of the total)."""
    total_hidden = rules.cell_unsafe(total)
    hidden = [[total_hidden or rules.cell_unsafe(cell) for cell in margin] for margin in margins]
    if total_hidden:
        # Every cell is a part of an unpublishable whole: nothing of the indicator is shown.
        return True, [[True] * len(margin) for margin in margins]
    changed = True
    while changed:
        changed = False
        for margin, flags in zip(margins, hidden, strict=True):
            if not any(flags):
                continue
            while rules.hidden_together_unsafe(
                [cell for cell, flag in zip(margin, flags, strict=True) if flag]
            ):
                shown = [index for index, flag in enumerate(flags) if not flag]
                if not shown:
                    break  # everything is hidden; the whole is the (shown, safe) total
                # The smallest shown cell costs the least information.
                chosen = min(shown, key=lambda index: (margin[index].n, index))
                flags[chosen] = True
                changed = True
    return False, hidden
