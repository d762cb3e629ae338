import datetime as dt

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from trygg.core.validators import validate_not_reserved
from trygg.municipalities.models import Area, Municipality, Party
from trygg.problems.models import Problem

slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    _("Använd små bokstäver a–z, siffror och bindestreck, t.ex. ”2024-2025” eller ”2024-centrum”."),
)


class PromiseQuerySet(models.QuerySet["Promise"]):
    def public(self) -> "PromiseQuerySet":
        return self.filter(status__in=Promise.Status.public())

    def current(self, today: dt.date) -> "PromiseQuerySet":
        return self.filter(valid_until__gte=today)

    def earlier(self, today: dt.date) -> "PromiseQuerySet":
        return self.filter(valid_until__lt=today)

    def for_year(self, year: int) -> "PromiseQuerySet":
        return self.filter(valid_from__year__lte=year, valid_until__year__gte=year)


class Promise(models.Model):
    """A medborgarlöfte: the public commitment of a kommun and the police for one or more years."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("utkast")
        PUBLISHED = "published", _("publicerat")
        CLOSED = "closed", _("avslutat")

        @classmethod
        def public(cls) -> list[str]:
            return [cls.PUBLISHED, cls.CLOSED]

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("kommun"), on_delete=models.PROTECT, related_name="promises"
    )
    slug = models.CharField(
        _("adress"),
        max_length=60,
        validators=[slug_validator, validate_not_reserved],
        help_text=_("Del av webbadressen: ”2023”, ”2024-2025” eller ”2024-centrum”."),
    )
    title = models.CharField(_("rubrik"), max_length=200)
    valid_from = models.DateField(_("gäller från"))
    valid_until = models.DateField(_("gäller till och med"))
    introduction = models.TextField(_("inledning"), blank=True)
    background = models.TextField(
        _("bakgrund"),
        blank=True,
        help_text=_("Varför löftet finns: samarbetet, lägesbilden, trygghetsmätningen."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_on = models.DateField(_("publicerat den"), null=True, blank=True)
    source_note = models.CharField(
        _("källa"),
        max_length=300,
        blank=True,
        help_text=_("Visas under löftet, t.ex. varifrån texten kommer."),
    )
    source_url = models.URLField(
        _("originalet"),
        max_length=500,
        blank=True,
        help_text=_(
            "Adressen till löftet som kommunen och polisen publicerade, länkad från den publika sidan."
        ),
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("föregående löfte"),
        on_delete=models.SET_NULL,
        related_name="next_promises",
        null=True,
        blank=True,
        help_text=_("Löftet som det här skapades från med ”Skapa nästa års löfte”."),
    )

    objects = PromiseQuerySet.as_manager()

    class Meta:
        verbose_name = _("medborgarlöfte")
        verbose_name_plural = _("medborgarlöften")
        ordering = ["municipality", "-valid_from", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="promise_unique_slug"),
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="promise_period_ordered",
                violation_error_message=_("Slutdatumet kan inte ligga före startdatumet."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse(
            "promises:detail", kwargs={"municipality": self.municipality.slug, "promise": self.slug}
        )

    @property
    def is_public(self) -> bool:
        return self.status in self.Status.public()

    @property
    def spans_one_year(self) -> bool:
        return self.valid_from == dt.date(self.valid_from.year, 1, 1) and self.valid_until == dt.date(
            self.valid_from.year, 12, 31
        )


class Signatory(models.Model):
    promise = models.ForeignKey(
        Promise, verbose_name=_("medborgarlöfte"), on_delete=models.CASCADE, related_name="signatories"
    )
    name = models.CharField(_("namn"), max_length=200)
    role = models.CharField(
        _("befattning"), max_length=200, help_text=_("T.ex. ”kommunstyrelsens ordförande”.")
    )
    party = models.ForeignKey(
        Party,
        verbose_name=_("part"),
        on_delete=models.PROTECT,
        related_name="signatories",
        null=True,
        blank=True,
    )
    signed_on = models.DateField(_("undertecknat den"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("undertecknare")
        verbose_name_plural = _("undertecknare")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return f"{self.name}, {self.role}"


class FocusArea(models.Model):
    """One prioritised problem in a promise, with its description and activities."""

    promise = models.ForeignKey(
        Promise, verbose_name=_("medborgarlöfte"), on_delete=models.CASCADE, related_name="focus_areas"
    )
    title = models.CharField(_("rubrik"), max_length=200)
    slug = models.CharField(_("adress"), max_length=80, validators=[slug_validator, validate_not_reserved])
    description = models.TextField(_("problembeskrivning"), blank=True)
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)
    problems = models.ManyToManyField(
        Problem, verbose_name=_("problem"), related_name="focus_areas", blank=True
    )
    evidence_note = models.TextField(
        _("underlag"),
        blank=True,
        help_text=_(
            "Vad valet bygger på, t.ex. ”Trygghetsmätningen 2022: var femte ser skadegörelse som ett problem”."
        ),
    )

    class Meta:
        verbose_name = _("fokusområde")
        verbose_name_plural = _("fokusområden")
        ordering = ["promise", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["promise", "slug"], name="focus_area_unique_slug")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "promises:focus_area",
            kwargs={
                "municipality": self.promise.municipality.slug,
                "promise": self.promise.slug,
                "focus_area": self.slug,
            },
        )


class Activity(models.Model):
    """One concrete commitment: who does what, how much, how often, for whom, where, by when."""

    class Per(models.TextChoices):
        YEAR = "year", _("per år")
        TERM = "term", _("per termin")
        QUARTER = "quarter", _("per kvartal")
        MONTH = "month", _("per månad")
        WEEK = "week", _("per vecka")
        DAY = "day", _("per dygn")
        PERIOD = "period", _("under hela perioden")

    focus_area = models.ForeignKey(
        FocusArea, verbose_name=_("fokusområde"), on_delete=models.CASCADE, related_name="activities"
    )
    text = models.TextField(_("aktivitet"))
    responsible_parties = models.ManyToManyField(
        Party, verbose_name=_("ansvariga parter"), related_name="activities", blank=True
    )
    partners = models.ManyToManyField(
        Party,
        verbose_name=_("samarbetspartner"),
        related_name="partner_activities",
        blank=True,
        help_text=_("Organisationer som deltar utan att vara ansvariga."),
    )
    other_partners = models.CharField(
        _("andra samarbetspartner"),
        max_length=500,
        blank=True,
        help_text=_("Organisationer som inte är parter i Trygg, t.ex. ”civilsamhället” eller ”föreningar”."),
    )
    quantity = models.PositiveIntegerField(_("antal"), null=True, blank=True)
    quantity_max = models.PositiveIntegerField(_("högst"), null=True, blank=True)
    at_least = models.BooleanField(
        _("minst"), default=False, help_text=_("Antalet är ett golv: ”minst 1 gång”.")
    )
    unit = models.CharField(
        _("enhet"), max_length=60, blank=True, help_text=_("T.ex. ”mätningar”, ”gånger”.")
    )
    per = models.CharField(_("räknas per"), max_length=10, choices=Per.choices, blank=True)
    target_group = models.CharField(_("målgrupp"), max_length=300, blank=True)
    place = models.CharField(_("plats"), max_length=300, blank=True)
    area = models.ForeignKey(
        Area,
        verbose_name=_("område"),
        on_delete=models.SET_NULL,
        related_name="activities",
        null=True,
        blank=True,
    )
    start_date = models.DateField(_("startdatum"), null=True, blank=True)
    end_date = models.DateField(_("slutdatum"), null=True, blank=True)
    responsible_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ansvariga personer"),
        related_name="activities",
        blank=True,
    )
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("aktivitet")
        verbose_name_plural = _("aktiviteter")
        ordering = ["focus_area", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity_max__isnull=True)
                | models.Q(quantity__isnull=True)
                | models.Q(quantity_max__gte=models.F("quantity")),
                name="activity_range_ordered",
                violation_error_message=_("”Högst” kan inte vara mindre än antalet."),
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="activity_dates_ordered",
                violation_error_message=_("Slutdatumet kan inte ligga före startdatumet."),
            ),
            models.CheckConstraint(
                condition=(models.Q(quantity__isnull=True) & models.Q(quantity_max__isnull=True))
                | ~models.Q(per=""),
                name="activity_quantity_has_period",
                violation_error_message=_("Ange vad antalet räknas per (år, månad, hela perioden …)."),
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        promise = self.focus_area.promise
        return reverse(
            "promises:activity",
            kwargs={"municipality": promise.municipality.slug, "promise": promise.slug, "activity": self.pk},
        )


class Correction(models.Model):
    """A recorded change to a published promise (a rättelse): when, what and why. Shown on the public page."""

    promise = models.ForeignKey(
        Promise, verbose_name=_("medborgarlöfte"), on_delete=models.CASCADE, related_name="corrections"
    )
    made_on = models.DateField(_("ändrat den"))
    reason = models.TextField(_("anledning"))
    # A list of {"object", "label", "field", "before", "after"}: rendered in the reader's language.
    changes = models.JSONField(_("ändringar"), default=list)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ändrat av"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registrerad"), auto_now_add=True)

    class Meta:
        verbose_name = _("rättelse")
        verbose_name_plural = _("rättelser")
        ordering = ["-made_on", "-pk"]
        constraints = [models.CheckConstraint(condition=~models.Q(reason=""), name="correction_has_reason")]

    def __str__(self) -> str:
        return f"{self.made_on:%Y-%m-%d}: {self.reason[:60]}"
