"""Does a report's text read like an emergency or a crime against a person? Pure and deliberately simple.

A hit never blocks a report: the form shows the advice about 112, 114 14 and polisen.se again and asks the
resident to confirm. Words are matched at the start of a word so that inflections count ("hotade", "knivar").
"""

from __future__ import annotations

import re

# Each entry is a regular expression matched from the start of a word, case-insensitively.
_WORDS = (
    r"112\b",
    r"akut",
    r"blöd(er|de|ning)",
    r"brand\b",
    r"brinn",
    r"brinner",
    r"död(a|ade|ad|s)?\b",
    r"förföl(j|jd|jer)",
    r"hot(ad|ade|ar|at|et|full|fulla|fullt)?\b",
    r"kniv",
    r"misshand",
    r"mord\b",
    r"mörda",
    r"överfall",
    r"pistol",
    r"rån(ad|ade|et)?\b",
    r"(sexuellt )?ofredande",
    r"våldt",
    r"våld\b",
    r"vapen",
    r"skjut",
    r"sköt\b",
    r"skott\b",
    r"slagen",
    r"slog\b",
    r"sparka(de|r)? (mig|honom|henne|en)",
    r"självmord",
    r"inbrott pågår",
    r"pågående (brott|inbrott)",
    r"skadad\b",
)
_PATTERN = re.compile(r"(?<!\w)(?:" + "|".join(_WORDS) + r")", re.IGNORECASE)


def reads_like_emergency(text: str) -> list[str]:
    """The words that triggered the advice (empty when none did)."""
    found: list[str] = []
    for match in _PATTERN.finditer(text):
        word = match.group(0).lower()
        if word not in found:
            found.append(word)
    return found
