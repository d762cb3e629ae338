"""The report categories a municipality starts with; coordinators change them on the staff pages afterwards."""

from dataclasses import dataclass

from django.utils.translation import gettext_noop


@dataclass(frozen=True)
class DefaultCategory:
    slug: str
    name: str
    description: str
    problem: str | None
    response_time: int
    response_unit: str  # "hours" or "working_days"
    offensive_response_hours: int | None = None
    duplicate_radius_m: int = 100


DEFAULT_CATEGORIES: tuple[DefaultCategory, ...] = (
    DefaultCategory(
        "klotter",
        gettext_noop("Klotter"),
        "Klotter på väggar, skyltar, busskurer och annat. Kränkande klotter tas bort inom ett dygn.",
        "klotter",
        5,
        "working_days",
        offensive_response_hours=24,
    ),
    DefaultCategory(
        "skadegorelse",
        gettext_noop("Skadegörelse"),
        "Sönderslagna rutor, trasiga bänkar, lekplatser och annat som förstörts.",
        "skadegorelse",
        5,
        "working_days",
    ),
    DefaultCategory(
        "belysning",
        gettext_noop("Belysning"),
        "Gatlampor och annan belysning som inte lyser.",
        "belysning",
        10,
        "working_days",
        duplicate_radius_m=150,
    ),
    DefaultCategory(
        "nedskrapning",
        gettext_noop("Nedskräpning"),
        "Skräp, fulla papperskorgar och dumpat avfall.",
        "nedskrapning",
        5,
        "working_days",
    ),
    DefaultCategory(
        "otrygg-plats",
        gettext_noop("Otrygg plats"),
        "En plats som känns otrygg, t.ex. en mörk gångväg eller skymmande buskage.",
        "otrygga-platser",
        15,
        "working_days",
        duplicate_radius_m=200,
    ),
    DefaultCategory(
        "ovrigt", gettext_noop("Övrigt"), "Annat som kommunen bör känna till.", None, 15, "working_days"
    ),
)

#: slug → Trygg's own Swedish name, to tell a category Trygg named from one staff named or renamed.
DEFAULT_NAMES: dict[str, str] = {category.slug: category.name for category in DEFAULT_CATEGORIES}
