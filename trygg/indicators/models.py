"""Measured series: wastewater analysis per substance, random school drug tests, other indicators.

A sampling occasion (indicator and sampling date) counts once towards each linked activity, however many
substances were analysed in it: "4 mätningar under året" are four samples. `SamplingExecution` keeps the
Execution recorded for each occasion and activity, so it is never recorded twice.
School drug tests are stored only as aggregated counts (tested, positive); no row describes a person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from trygg.core.validators import validate_not_reserved
from trygg.followup.models import Execution
from trygg.municipalities.models import Municipality
from trygg.promises.models import Activity


class Indicator(models.Model):
    class Kind(models.TextChoices):
        WASTEWATER = "wastewater", _("avloppsvattenanalys")
        SCHOOL_DRUG_TESTS = "school_drug_tests", _("slumpvisa drogtester i skolan")
        OTHER = "other", _("annan mätning")

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("kommun"), on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField(_("namn"), max_length=200)
    slug = models.SlugField(_("adress"), max_length=60, validators=[validate_not_reserved])
    kind = models.CharField(_("slag"), max_length=30, choices=Kind.choices)
    unit = models.CharField(
        _("enhet"), max_length=100, blank=True, help_text=_("T.ex. ”mg per 1000 invånare och dygn”.")
    )
    description = models.TextField(_("beskrivning"), blank=True)
    caveats = models.TextField(
        _("vad siffrorna inte säger"),
        blank=True,
        help_text=_("Metodens begränsningar på enkel svenska; visas bredvid siffrorna."),
    )
    activities = models.ManyToManyField(
        Activity, verbose_name=_("aktiviteter i löftet"), related_name="indicators", blank=True
    )
    is_public = models.BooleanField(_("publik"), default=True)
    is_example = models.BooleanField(_("exempeldata"), default=False)

    class Meta:
        verbose_name = _("indikator")
        verbose_name_plural = _("indikatorer")
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="indicator_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "indicators:detail", kwargs={"municipality": self.municipality.slug, "indicator": self.slug}
        )


class Measurement(models.Model):
    class Substance(models.TextChoices):
        AMPHETAMINE = "amfetamin", _("amfetamin")
        COCAINE = "kokain", _("kokain")
        CANNABIS = "cannabis", _("cannabis (THC)")
        MDMA = "mdma", _("MDMA")
        METHAMPHETAMINE = "metamfetamin", _("metamfetamin")
        OTHER = "other", _("annat ämne")

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indikator"), on_delete=models.CASCADE, related_name="measurements"
    )
    sampled_on = models.DateField(_("provdatum"))
    substance = models.CharField(_("ämne"), max_length=20, choices=Substance.choices, blank=True)
    value = models.DecimalField(_("värde"), max_digits=12, decimal_places=3, null=True, blank=True)
    tested = models.PositiveIntegerField(_("antal testade"), null=True, blank=True)
    positive = models.PositiveIntegerField(_("antal positiva"), null=True, blank=True)
    lab = models.CharField(_("laboratorium"), max_length=200, blank=True)
    note = models.CharField(_("anteckning"), max_length=500, blank=True)
    is_example = models.BooleanField(_("exempeldata"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registrerad av"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("registrerad"), auto_now_add=True)

    class Meta:
        verbose_name = _("mätning")
        verbose_name_plural = _("mätningar")
        ordering = ["indicator", "sampled_on", "substance", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "sampled_on", "substance"], name="measurement_unique_per_sample"
            ),
            models.CheckConstraint(
                condition=models.Q(positive__isnull=True)
                | models.Q(tested__isnull=True)
                | models.Q(positive__lte=models.F("tested")),
                name="measurement_positive_at_most_tested",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.sampled_on:%Y-%m-%d} {self.substance}"


class SamplingExecution(models.Model):
    """The Execution that one sampling occasion was recorded as, for one linked activity."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="sampling_executions")
    sampled_on = models.DateField()
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    execution = models.ForeignKey(Execution, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("räknad mätning")
        verbose_name_plural = _("räknade mätningar")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "sampled_on", "activity"], name="sampling_execution_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.sampled_on} → {self.activity_id}"
