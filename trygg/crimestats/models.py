from collections.abc import Iterator

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from trygg.municipalities.models import Municipality
from trygg.problems.models import Problem


class CrimeCategory(models.Model):
    """A category of reported crime; kept in step with categories.toml by `crime_categories_sync`."""

    code = models.SlugField(_("kod"), max_length=80, unique=True)
    name = models.CharField(_("namn"), max_length=200)
    aliases = models.JSONField(_("andra stavningar"), default=list, blank=True)
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("problem"),
        on_delete=models.SET_NULL,
        related_name="crime_categories",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("brottskategori")
        verbose_name_plural = _("brottskategorier")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ImportRun(models.Model):
    """One import of a statistics file: what it covered and what it changed."""

    class Kind(models.TextChoices):
        CRIME = "crime", _("anmälda brott")
        POPULATION = "population", _("folkmängd")
        COMPARISON = "comparison", _("jämförelsetal (Kolada)")

    kind = models.CharField(_("slag"), max_length=20, choices=Kind.choices, default=Kind.CRIME)
    file_name = models.CharField(_("filnamn"), max_length=300)
    file_format = models.CharField(
        _("format"), max_length=300, blank=True, help_text=_("Det format Trygg läste filen som.")
    )
    checksum = models.CharField(_("kontrollsumma (SHA-256)"), max_length=64, db_index=True)
    fingerprint = models.CharField(
        _("fingeravtryck"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_(
            "SHA-256 av filen, inställningarna för importen, brottstyperna och kommunerna: samma fil igen "
            "hoppas över utan att läsas så länge ingen senare import av samma slag har gjorts."
        ),
    )
    periods = models.CharField(_("perioder"), max_length=500, blank=True)
    municipality_count = models.PositiveIntegerField(_("antal kommuner"), default=0)
    rows = models.PositiveIntegerField(_("rader"), default=0)
    added = models.PositiveIntegerField(_("nya uppgifter"), default=0)
    replaced = models.PositiveIntegerField(_("ersatta uppgifter"), default=0)
    removed = models.PositiveIntegerField(_("borttagna uppgifter"), default=0)
    finalised = models.PositiveIntegerField(_("preliminära uppgifter ersatta av slutliga"), default=0)
    report = models.JSONField(
        _("det som inte importerades"),
        default=dict,
        blank=True,
        help_text=_("Okända brottstyper och regioner med antal rader, saknade värden (..), anteckningar."),
    )
    replaced_examples = models.JSONField(
        _("exempel på ersatta uppgifter"),
        default=list,
        blank=True,
        help_text=_("Upp till 20 ersatta uppgifter med gammalt och nytt värde."),
    )
    source_note = models.CharField(_("källa"), max_length=300, blank=True)
    example_data = models.BooleanField(
        _("exempeldata"), default=False, help_text=_("Påhittade siffror för demonstration.")
    )
    imported_at = models.DateTimeField(_("importerad"), auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("importerad av"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("importer")
        ordering = ["-imported_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.imported_at:%Y-%m-%d %H:%M})" if self.imported_at else self.file_name

    @property
    def examples_removed(self) -> int:
        """Example figures this real import's figures superseded (outside its cover, in the year rows it filled)."""
        return int(self.report.get(EXAMPLES_REMOVED, 0)) if isinstance(self.report, dict) else 0

    @property
    def left_out(self) -> dict[str, object]:
        """What the import did not store or combined: its report without the example figures it superseded."""
        if not isinstance(self.report, dict):
            return {}
        return {title: items for title, items in self.report.items() if title != EXAMPLES_REMOVED}


# Keys of ImportRun.report (stored text, in Swedish like the other keys): example figures a real file superseded,
# and figures of an example-data file left out because their year rows hold real figures.
EXAMPLES_REMOVED = "exempeldata som verkliga siffror ersatte"
REAL_KEPT = "verkliga siffror som exempeldata inte fick ersätta"


PERIOD_HELP = _("0 betyder hela året, 1–12 en månad och 13–16 kvartal 1–4.")


# The periods of a year a figure can be for (month 0 = the whole year, 1–12 the months, 13–16 the quarters) and
# the column of ReportedCrime that holds each.
PERIOD_FIELDS: dict[int, str] = {
    0: "whole_year",
    **{month: f"m{month:02d}" for month in range(1, 13)},
    **{13 + quarter: f"q{quarter + 1}" for quarter in range(4)},
}


def _period_field(month: int) -> models.PositiveIntegerField:
    if month == 0:
        name = _("helår")
    elif month <= 12:
        name = format_lazy("{} {}", _("månad"), month)
    else:
        name = format_lazy("{} {}", _("kvartal"), month - 12)
    return models.PositiveIntegerField(name, null=True, blank=True)


class ReportedCrimeQuerySet(models.QuerySet["ReportedCrime"]):
    def records(self) -> Iterator[tuple[str, str, int, int, int, bool]]:
        """One (kommun code, category code, year, month, count, preliminary) per stored figure: the shape
        analysis.collect reads (month 0 = the whole year, 13–16 the quarters)."""
        for code, category, year, preliminary, *counts in self.values_list(
            "municipality__scb_code", "category__code", "year", "preliminary_periods", *PERIOD_FIELDS.values()
        ):
            for month, count in zip(PERIOD_FIELDS, counts, strict=True):
                if count is not None:
                    yield code, category, year, month, count, bool(preliminary >> month & 1)


class ReportedCrime(models.Model):
    """Crimes reported to the police in one municipality, category and year: the whole-year figure, the twelve
    months and the four quarters, each empty when the source gave none (a national monthly series fills the
    months; a yearly table only `whole_year`).

    One row per year, not per figure: a national import writes twelve times fewer rows (the rows written were most
    of its time). Millions of figures are written by one bulk import (services.crime_table_store), which checks the
    kommun, category and run ids once per import as a set and holds them locked until it commits. The foreign keys
    are therefore not constraints in the database (a constraint checks every row); Django still applies on_delete.
    The one index besides the primary key is the unique constraint's, which starts with the municipality: every
    page reads figures by municipality (deleting a category with figures, which PROTECT refuses, or an import run,
    whose figures are set to NULL, scans the table instead: both are rare staff actions). `import_run` is the run
    that last added, changed or removed a figure of the row."""

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("kommun"),
        on_delete=models.CASCADE,
        related_name="reported_crimes",
        db_constraint=False,
        db_index=False,
    )
    category = models.ForeignKey(
        CrimeCategory,
        verbose_name=_("brottskategori"),
        on_delete=models.PROTECT,
        related_name="figures",
        db_constraint=False,
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("år"))
    whole_year = _period_field(0)
    m01 = _period_field(1)
    m02 = _period_field(2)
    m03 = _period_field(3)
    m04 = _period_field(4)
    m05 = _period_field(5)
    m06 = _period_field(6)
    m07 = _period_field(7)
    m08 = _period_field(8)
    m09 = _period_field(9)
    m10 = _period_field(10)
    m11 = _period_field(11)
    m12 = _period_field(12)
    q1 = _period_field(13)
    q2 = _period_field(14)
    q3 = _period_field(15)
    q4 = _period_field(16)
    preliminary_periods = models.PositiveIntegerField(
        _("preliminära perioder"),
        default=0,
        help_text=_(
            "Vilka av årets siffror källan märkte ”prel.”: bit 0 helåret, 1–12 månaderna, 13–16 kvartalen; "
            "en senare import ersätter dem."
        ),
    )
    import_run = models.ForeignKey(
        ImportRun,
        verbose_name=_("import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="figures",
        db_constraint=False,
        db_index=False,
    )

    objects = ReportedCrimeQuerySet.as_manager()

    class Meta:
        verbose_name = _("anmälda brott")
        verbose_name_plural = _("anmälda brott")
        ordering = ["municipality", "category", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "category", "year"], name="reported_crime_unique_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.category} {self.year}"

    def figures(self) -> dict[int, tuple[int, bool]]:
        """month (0 = the whole year, 13–16 the quarters) → (count, preliminary), for the periods stored."""
        return {
            month: (count, bool(self.preliminary_periods >> month & 1))
            for month, name in PERIOD_FIELDS.items()
            if (count := getattr(self, name)) is not None
        }


class AreaCrime(models.Model):
    """A län's or the whole country's reported crimes as the source itself gives them (area "00" is the country).

    County and country comparisons use these totals; without them, only the complete sum of every kommun."""

    area_code = models.CharField(
        _("län eller riket"), max_length=2, help_text=_("SCB:s länskod; 00 är riket.")
    )
    category = models.ForeignKey(
        CrimeCategory, verbose_name=_("brottskategori"), on_delete=models.PROTECT, related_name="area_figures"
    )
    year = models.PositiveSmallIntegerField(_("år"))
    month = models.PositiveSmallIntegerField(
        _("månad"), default=0, validators=[MaxValueValidator(16)], help_text=PERIOD_HELP
    )
    count = models.PositiveIntegerField(_("antal"))
    preliminary = models.BooleanField(_("preliminär"), default=False)
    import_run = models.ForeignKey(
        ImportRun,
        verbose_name=_("import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="area_figures",
    )

    class Meta:
        verbose_name = _("anmälda brott i län eller riket")
        verbose_name_plural = _("anmälda brott i län eller riket")
        ordering = ["area_code", "category", "year", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["area_code", "category", "year", "month"], name="area_crime_unique_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area_code} {self.category} {self.year}-{self.month}: {self.count}"


class AreaPopulation(models.Model):
    """A län's or the country's population on 31 December, as SCB's table gives it."""

    area_code = models.CharField(_("län eller riket"), max_length=2)
    year = models.PositiveSmallIntegerField(_("år"))
    population = models.PositiveIntegerField(_("folkmängd"), validators=[MinValueValidator(1)])
    import_run = models.ForeignKey(
        ImportRun,
        verbose_name=_("import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("folkmängd i län eller riket")
        verbose_name_plural = _("folkmängd i län eller riket")
        ordering = ["area_code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["area_code", "year"], name="area_population_unique_year"),
        ]

    def __str__(self) -> str:
        return f"{self.area_code} {self.year}: {self.population}"


class KpiValue(models.Model):
    """One value of a Kolada key figure (e.g. N07403, reported violent crimes per 100 000) for a kommun, a län
    or the country, a year and a gender (T = total, K = women, M = men): a series to compare municipalities by."""

    kpi = models.CharField(_("nyckeltal"), max_length=20)
    area_code = models.CharField(
        _("kommun, län eller riket"),
        max_length=4,
        help_text=_("SCB:s kommunkod, länskod, eller 00 för riket."),
    )
    area_name = models.CharField(_("namn"), max_length=100)
    year = models.PositiveSmallIntegerField(_("år"))
    gender = models.CharField(_("kön"), max_length=1, default="T")
    value = models.FloatField(_("värde"), null=True, blank=True, help_text=_("Tomt: uppgift saknas."))
    count = models.PositiveIntegerField(_("antal"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=30, blank=True)
    import_run = models.ForeignKey(
        ImportRun,
        verbose_name=_("import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("jämförelsetal")
        verbose_name_plural = _("jämförelsetal")
        ordering = ["kpi", "area_code", "year", "gender"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "area_code", "year", "gender"], name="kpi_value_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kpi} {self.area_code} {self.year} {self.gender}: {self.value}"


class Population(models.Model):
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("kommun"), on_delete=models.CASCADE, related_name="populations"
    )
    year = models.PositiveSmallIntegerField(_("år"))
    population = models.PositiveIntegerField(_("folkmängd"), validators=[MinValueValidator(1)])
    import_run = models.ForeignKey(
        ImportRun,
        verbose_name=_("import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="populations",
    )

    class Meta:
        verbose_name = _("folkmängd")
        verbose_name_plural = _("folkmängd")
        ordering = ["municipality", "year"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="population_unique_year"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year}: {self.population}"


class ComparisonGroup(models.Model):
    """Municipalities that staff of one municipality choose to compare it with ("liknande kommuner")."""

    municipality = models.OneToOneField(
        Municipality, verbose_name=_("kommun"), on_delete=models.CASCADE, related_name="comparison_group"
    )
    name = models.CharField(_("namn"), max_length=200, default=_("Liknande kommuner"))
    members = models.ManyToManyField(
        Municipality, verbose_name=_("kommuner att jämföra med"), related_name="+", blank=True
    )
    note = models.CharField(
        _("varför just de"), max_length=300, blank=True, help_text=_("T.ex. ”Brås kommungrupp 6”.")
    )

    class Meta:
        verbose_name = _("jämförelsegrupp")
        verbose_name_plural = _("jämförelsegrupper")

    def __str__(self) -> str:
        return f"{self.municipality}: {self.name}"
