from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from trygg.municipalities.models import Municipality, Party
from trygg.problems.models import Problem
from trygg.promises.models import Activity, FocusArea


class Dialogue(models.Model):
    """A dialogue in which residents, staff, landlords, businesses… told the municipality what worries them."""

    class Kind(models.TextChoices):
        CITIZENS = "medborgardialog", _("medborgardialog")
        STAFF = "medarbetardialog", _("medarbetardialog")
        LANDLORDS = "hyresvardar", _("hyresvärdar")
        BUSINESS = "naringsliv", _("näringsliv")
        RURAL = "landsbygd", _("landsbygd")
        SCHOOL = "skola", _("skola")
        YOUTH = "unga", _("unga")
        OTHER = "annat", _("annat")

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("kommun"), on_delete=models.CASCADE, related_name="dialogues"
    )
    date = models.DateField(_("datum"))
    kind = models.CharField(_("slag"), max_length=30, choices=Kind.choices)
    place = models.CharField(_("plats"), max_length=200, blank=True)
    participants = models.PositiveIntegerField(_("antal deltagare"), null=True, blank=True)
    notes = models.TextField(_("anteckningar"), blank=True)
    example_data = models.BooleanField(_("exempeldata"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("dialog")
        verbose_name_plural = _("dialoger")
        ordering = ["-date", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d}" + (f", {self.place}" if self.place else "")


class DialogueProblem(models.Model):
    dialogue = models.ForeignKey(
        Dialogue, verbose_name=_("dialog"), on_delete=models.CASCADE, related_name="problems_raised"
    )
    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.PROTECT, related_name="dialogue_mentions"
    )
    raised_by = models.PositiveIntegerField(
        _("hur många tog upp det"), default=1, validators=[MinValueValidator(1)]
    )
    notes = models.CharField(_("anteckning"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("problem som togs upp")
        verbose_name_plural = _("problem som togs upp")
        ordering = ["dialogue", "-raised_by", "problem__name"]
        constraints = [
            models.UniqueConstraint(fields=["dialogue", "problem"], name="dialogue_problem_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.problem} ({self.raised_by})"


class EvidenceSnapshot(models.Model):
    """The evidence a focus area was decided on, frozen on a date: when it was made from the ranking, and again
    when its promise was published. Its parts (FocusAreaEvidence) hold the figures; this row holds what ties
    them together: the lägesbild year, the problem's rank and score, the weights and every source with its date.
    Never changed afterwards: a later lägesbild is its own page."""

    class Occasion(models.TextChoices):
        CREATED = "created", _("när fokusområdet valdes")
        PUBLISHED = "published", _("när löftet publicerades")

    focus_area = models.ForeignKey(
        FocusArea, verbose_name=_("fokusområde"), on_delete=models.CASCADE, related_name="evidence_snapshots"
    )
    occasion = models.CharField(_("tillfälle"), max_length=20, choices=Occasion.choices)
    taken_on = models.DateField(_("fastställt den"))
    year = models.PositiveSmallIntegerField(_("lägesbildens år"))
    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.PROTECT, related_name="+"
    )
    rank = models.PositiveSmallIntegerField(_("plats i rangordningen"))
    score = models.DecimalField(_("problemets poäng"), max_digits=8, decimal_places=2)
    weights = models.JSONField(_("vikter"), default=dict)
    #: [{key, label, available, date (ISO or null), note, example_data}] in the ranking's order.
    sources = models.JSONField(_("källor"), default=list)
    example_data = models.BooleanField(_("exempeldata"), default=False)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("fastställt underlag")
        verbose_name_plural = _("fastställda underlag")
        ordering = ["focus_area", "taken_on", "pk"]
        indexes = [models.Index(fields=["focus_area", "-taken_on"])]

    def __str__(self) -> str:
        return f"{self.focus_area}: {self.get_occasion_display()} {self.taken_on:%Y-%m-%d}"


class FocusAreaEvidence(models.Model):
    """Why a focus area was chosen: one part of the ranking, with the figures as they were when it was chosen."""

    taken = models.ForeignKey(
        EvidenceSnapshot,
        verbose_name=_("fastställt underlag"),
        on_delete=models.CASCADE,
        related_name="parts",
        null=True,
        blank=True,
    )

    focus_area = models.ForeignKey(
        FocusArea, verbose_name=_("fokusområde"), on_delete=models.CASCADE, related_name="evidence"
    )
    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("år"))
    part = models.CharField(_("del"), max_length=40)
    label = models.CharField(_("underlag"), max_length=200)
    explanation = models.CharField(_("förklaring"), max_length=500)
    source = models.CharField(_("källa"), max_length=300)
    source_date = models.DateField(_("källans datum"), null=True, blank=True)
    points = models.DecimalField(_("poäng"), max_digits=8, decimal_places=2)
    score = models.DecimalField(_("problemets poäng"), max_digits=8, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("plats i rangordningen"))
    status = models.CharField(_("status"), max_length=20)
    snapshot = models.JSONField(_("siffrorna då"), default=dict)
    example_data = models.BooleanField(_("exempeldata"), default=False)
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("underlag för fokusområde")
        verbose_name_plural = _("underlag för fokusområden")
        ordering = ["focus_area", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.focus_area}: {self.label}"


class MeasureQuerySet(models.QuerySet["Measure"]):
    def public(self) -> "MeasureQuerySet":
        return self.filter(is_public=True)

    def for_year(self, year: int) -> "MeasureQuerySet":
        return self.filter(year=year)


class Measure(models.Model):
    """One measure of the åtgärdsplan (Lag 2023:196); the public ones may become activities of a promise."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("kommun"), on_delete=models.CASCADE, related_name="measures"
    )
    year = models.PositiveSmallIntegerField(_("år"))
    start_date = models.DateField(_("från"), null=True, blank=True)
    end_date = models.DateField(_("till"), null=True, blank=True)
    text = models.TextField(_("åtgärd"))
    owner = models.ForeignKey(
        Party, verbose_name=_("ansvarig part"), on_delete=models.PROTECT, related_name="measures"
    )
    is_public = models.BooleanField(
        _("offentlig"), default=True, help_text=_("Interna åtgärder visas bara i personalens version.")
    )
    problems = models.ManyToManyField(Problem, verbose_name=_("problem"), related_name="measures", blank=True)
    activity = models.ForeignKey(
        Activity,
        verbose_name=_("aktivitet i medborgarlöftet"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
    )
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)

    objects = MeasureQuerySet.as_manager()

    class Meta:
        verbose_name = _("åtgärd")
        verbose_name_plural = _("åtgärdsplan")
        ordering = ["municipality", "year", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="measure_dates_ordered",
                violation_error_message=_("Slutdatumet kan inte ligga före startdatumet."),
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]
