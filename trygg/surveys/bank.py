"""The shipped question bank (data/question_bank.toml) as plain data. No Django import."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

BANK_PATH = Path(__file__).resolve().parent / "data" / "question_bank.toml"

# The kind decides the scale unless the question names one.
DEFAULT_SCALES = {
    "problem": "problem",
    "night": "night",
    "victimisation": "victimisation",
    "reported": "reported",
    "trust": "trust",
    "avoidance": "avoidance",
    "worry": "worry",
}
DEFAULT_SECTIONS = {
    "group": "background",
    "problem": "problems",
    "night": "safety",
    "avoidance": "safety",
    "worry": "safety",
    "victimisation": "victimisation",
    "reported": "victimisation",
    "trust": "police",
}


@dataclass(frozen=True)
class BankQuestion:
    code: str
    kind: str
    section: str
    problem: str | None
    # language → text; "sv" is always there.
    texts: dict[str, str]
    # language → [(code, label)]
    choices: dict[str, list[tuple[int, str]]] = field(default_factory=dict)


def load_bank(path: Path = BANK_PATH) -> list[BankQuestion]:
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    scales: dict[str, dict[str, dict[str, str]]] = data["scales"]
    questions = []
    for entry in data["questions"]:
        scale = scales[entry.get("scale") or DEFAULT_SCALES[entry["kind"]]]
        texts = {
            language: text
            for language, text in entry.items()
            if language not in {"code", "kind", "scale", "section", "problem"}
        }
        questions.append(
            BankQuestion(
                code=entry["code"],
                kind=entry["kind"],
                section=entry.get("section") or DEFAULT_SECTIONS[entry["kind"]],
                problem=entry.get("problem"),
                texts=texts,
                choices={
                    language: [(int(code), label) for code, label in labels.items()]
                    for language, labels in scale.items()
                },
            )
        )
    return questions
