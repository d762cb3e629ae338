"""Who an actor named in a promise text is: one of the municipality's parties, the police, or nobody known.

Pure Python: the import gives the candidates (the municipality's parties and the police parties of its police
areas) and gets back the one an actor's name means, or None. An actor that matches nobody is never made a new
party; the import names it on the activity as a partner instead.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

MUNICIPALITY = "municipality"
POLICE = "police"

# Names of the police as promise texts write them, after normalising.
POLICE_NAMES = frozenset(
    {
        "polis",
        "polisen",
        "polismyndigheten",
        "kommunpolis",
        "kommunpolisen",
        "kommunpoliserna",
        "lokalpolisen",
        "närpolisen",
        "områdespolisen",
        "lokalpolisområdet",
        "lpo",
    }
)
POLICE_PREFIXES = ("lokalpolisområde ", "lpo ", "polisen i ", "polisområde ", "polisen lokalpolisområde ")
# The municipality without its name: "kommunen" and its units as the texts write them.
MUNICIPALITY_NAMES = frozenset({"kommun", "kommunen"})
MUNICIPALITY_PREFIXES = ("kommunens ",)
COMPANY_FORMS = frozenset({"ab", "ek för", "ekonomisk förening", "hb", "kb"})


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    kind: str  # "municipality", "police" or "other", as Party.Kind
    police_area: str = ""


def normalise(name: str) -> str:
    """Case, quotes, punctuation, company forms and spacing removed: "AB Ljungbybostäder." → "ljungbybostäder"."""
    text = name.casefold().replace("’", "'")
    text = re.sub(r"[\"”“„'«»()\[\].,;:!?]", " ", text)
    words = [word for word in text.replace("–", "-").split() if word != "-"]
    while words and words[0] in COMPANY_FORMS:
        words = words[1:]
    while words and words[-1] in COMPANY_FORMS:
        words = words[:-1]
    return " ".join(words)


def _without_genitive(text: str) -> str:
    return " ".join(word[:-1] if word.endswith("s") and len(word) > 3 else word for word in text.split())


def municipality_stem(municipality_name: str) -> str:
    """ "Ljungby kommun" → "ljungby"; "Region Gotland" stays whole."""
    folded = normalise(municipality_name)
    for suffix in (" kommun", " stad"):
        if folded.endswith(suffix):
            return folded.removesuffix(suffix)
    return folded


def _means_municipality(text: str, stem: str) -> bool:
    if text in MUNICIPALITY_NAMES or text.startswith(MUNICIPALITY_PREFIXES):
        return True
    for own in (f"{stem} kommun", f"{stem} stad"):
        # "Ljungby kommun", "Ljungby kommuns socialtjänstlots", "socialtjänsten i Ljungby kommun".
        if text == own or text.startswith(f"{own}s ") or text == f"{own}s" or text.endswith(f" i {own}"):
            return True
    return False


def _means_police(text: str) -> bool:
    return text in POLICE_NAMES or text.startswith(POLICE_PREFIXES)


def _police_candidate(text: str, candidates: Sequence[Candidate]) -> Candidate | None:
    police = [candidate for candidate in candidates if candidate.kind == POLICE]
    if len(police) > 1:
        # Several police areas cover the municipality: "lokalpolisområde Ljungby" names one of them.
        for candidate in police:
            area = municipality_stem(candidate.police_area.removeprefix("Lokalpolisområde ").strip())
            if area and area in text.split():
                return candidate
    return police[0] if police else None


def match_actor(name: str, *, candidates: Sequence[Candidate], municipality_name: str) -> Candidate | None:
    """The candidate an actor's name means, or None when it names none of them."""
    text = normalise(name)
    if not text:
        return None
    stem = municipality_stem(municipality_name)
    for candidate in candidates:
        if normalise(candidate.name) == text:
            return candidate
    if _means_police(text):
        return _police_candidate(text, candidates)
    if _means_municipality(text, stem):
        own = [candidate for candidate in candidates if candidate.kind == MUNICIPALITY]
        named = [candidate for candidate in own if municipality_stem(candidate.name) == stem]
        return next(iter(named or own), None)
    bare = _without_genitive(text)
    for candidate in candidates:
        if _without_genitive(normalise(candidate.name)) == bare:
            return candidate
    return None
