from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
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

    kind = models.CharField(_("slag"), max_length=20, choices=Kind.choices, default=Kind.CRIME)
    file_name = models.CharField(_("filnamn"), max_length=300)
    checksum = models.CharField(_("kontrollsumma (SHA-256)"), max_length=64, db_index=True)
    periods = models.CharField(_("perioder"), max_length=500, blank=True)
    municipality_count = models.PositiveIntegerField(_("antal kommuner"), default=0)
    rows = models.PositiveIntegerField(_("rader"), default=0)
    added = models.PositiveIntegerField(_("nya uppgifter"), default=0)
    replaced = models.PositiveIntegerField(_("ersatta uppgifter"), default=0)
    removed = models.PositiveIntegerField(_("borttagna uppgifter"), default=0)
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


class ReportedCrime(models.Model):
    """Crimes reported to the police: one figure per municipality, category and period (month 0 = whole year)."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("kommun"), on_delete=models.CASCADE, related_name="reported_crimes"
    )
    category = models.ForeignKey(
        CrimeCategory, verbose_name=_("brottskategori"), on_delete=models.PROTECT, related_name="figures"
    )
    year = models.PositiveSmallIntegerField(_("år"))
    month = models.PositiveSmallIntegerField(
        _("månad"), default=0, validators=[MaxValueValidator(12)], help_text=_("0 betyder hela året.")
    )
    count = models.PositiveIntegerField(_("antal"))
    import_run = models.ForeignKey(
        ImportRun,
        verbose_name=_("import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="figures",
    )

    class Meta:
        verbose_name = _("anmälda brott")
        verbose_name_plural = _("anmälda brott")
        ordering = ["municipality", "category", "year", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "category", "year", "month"], name="reported_crime_unique_period"
            ),
        ]

    def __str__(self) -> str:
        period = f"{self.year}" if self.month == 0 else f"{self.year}-{self.month:02d}"
        return f"{self.municipality} {self.category} {period}: {self.count}"


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
