"""Field-level scoring of a parse against a hand-written expectation, as the parser contract measures it.

- areas: expected focus areas whose title the parse has, over the larger of the two counts;
- activities: expected activities found in the focus area of the same title (by their text, or by the
  start of it when the expectation gives "starts"), over the larger of the two counts;
- fields: the promise's municipality and period, and for each expected activity its parties, partners
  (both as sets), quantity, quantity_max, at_least, per, measurable and issues (as a set); an activity the
  parse missed counts all its fields as wrong. unit, target_group and place are free text: they are
  compared, without regard to case, only where the expectation gives them.

Titles and texts are compared after folding case, joining white space and dropping end punctuation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SCORED_FIELDS = ("parties", "partners", "quantity", "quantity_max", "at_least", "per", "measurable", "issues")
FREE_TEXT_FIELDS = ("unit", "target_group", "place")
SET_FIELDS = {"parties", "partners", "issues"}


def folded(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").casefold()).strip(" .:;,!?–-")


@dataclass
class Score:
    areas_found: int = 0
    areas_total: int = 0
    activities_found: int = 0
    activities_total: int = 0
    fields_right: int = 0
    fields_total: int = 0
    mistakes: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.areas_found += other.areas_found
        self.areas_total += other.areas_total
        self.activities_found += other.activities_found
        self.activities_total += other.activities_total
        self.fields_right += other.fields_right
        self.fields_total += other.fields_total
        self.mistakes += other.mistakes

    @property
    def areas(self) -> float:
        return self.areas_found / self.areas_total if self.areas_total else 1.0

    @property
    def activities(self) -> float:
        return self.activities_found / self.activities_total if self.activities_total else 1.0

    @property
    def fields(self) -> float:
        return self.fields_right / self.fields_total if self.fields_total else 1.0


def _same(key: str, actual: Any, expected: Any) -> bool:
    if key in SET_FIELDS:
        return sorted(actual or []) == sorted(expected or [])
    if key in FREE_TEXT_FIELDS:
        return folded(actual) == folded(expected)
    return bool(actual == expected)


def _matches(activity: dict[str, Any], wanted: dict[str, Any]) -> bool:
    if "text" in wanted:
        return folded(activity["text"]) == folded(wanted["text"])
    return folded(activity["text"]).startswith(folded(wanted["starts"]))


def score(actual: dict[str, Any], expected: dict[str, Any], name: str = "") -> Score:
    result = Score()
    for key in ("municipality", "period"):
        result.fields_total += 1
        if actual[key] == expected[key]:
            result.fields_right += 1
        else:
            result.mistakes.append(f"{name}: {key} {actual[key]!r} != {expected[key]!r}")
    actual_areas = {folded(area["title"]): area for area in actual["focus_areas"]}
    result.areas_total = max(len(expected["focus_areas"]), len(actual["focus_areas"]))
    actual_count = sum(len(area["activities"]) for area in actual["focus_areas"])
    expected_count = sum(len(area["activities"]) for area in expected["focus_areas"])
    result.activities_total = max(actual_count, expected_count)
    for expected_area in expected["focus_areas"]:
        area = actual_areas.get(folded(expected_area["title"]))
        if area is None:
            result.mistakes.append(f"{name}: no focus area {expected_area['title']!r}")
        else:
            result.areas_found += 1
        unused = list(area["activities"]) if area else []
        for wanted in expected_area["activities"]:
            fields = [key for key in (*SCORED_FIELDS, *FREE_TEXT_FIELDS) if key in wanted]
            result.fields_total += len(fields)
            activity = next((candidate for candidate in unused if _matches(candidate, wanted)), None)
            label = wanted.get("text") or wanted.get("starts")
            if activity is None:
                result.mistakes.append(f"{name}: no activity {label!r} in {expected_area['title']!r}")
                continue
            unused.remove(activity)
            result.activities_found += 1
            for key in fields:
                if _same(key, activity.get(key), wanted[key]):
                    result.fields_right += 1
                else:
                    result.mistakes.append(
                        f"{name}: {label[:50]!r} {key} {activity.get(key)!r} != {wanted[key]!r}"
                    )
    extra = actual_count - result.activities_found
    if extra > 0 and actual_count > expected_count:
        result.mistakes.append(f"{name}: {actual_count - expected_count} more activities than expected")
    if len(actual["focus_areas"]) > len(expected["focus_areas"]):
        titles = [area["title"] for area in actual["focus_areas"]]
        result.mistakes.append(f"{name}: more focus areas than expected: {titles}")
    return result
