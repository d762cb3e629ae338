import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from trygg.municipalities.models import Municipality, Party
from trygg.problems.models import Problem
from trygg.promises.models import Activity, slug_validator


class ReportCategoryQuerySet(models.QuerySet["ReportCategory"]):
    def active(self) -> "ReportCategoryQuerySet":
        return self.filter(is_active=True)


class ReportCategory(models.Model):
    """What a resident can report (klotter, belysning …), with its promised response time."""

    class Unit(models.TextChoices):
        HOURS = "hours", _("timmar")
        WORKING_DAYS = "working_days", _("arbetsdagar")

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("kommun"), on_delete=models.CASCADE, related_name="report_categories"
    )
    name = models.CharField(_("namn"), max_length=100)
    slug = models.CharField(_("kod"), max_length=60, validators=[slug_validator])
    description = models.CharField(_("beskrivning"), max_length=300, blank=True)
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("problem"),
        on_delete=models.PROTECT,
        related_name="report_categories",
        null=True,
        blank=True,
    )
    response_time = models.PositiveIntegerField(
        _("utlovad åtgärdstid"), validators=[MinValueValidator(1)], default=5
    )
    response_unit = models.CharField(
        _("enhet för åtgärdstiden"), max_length=20, choices=Unit.choices, default=Unit.WORKING_DAYS
    )
    offensive_response_hours = models.PositiveIntegerField(
        _("åtgärdstid i timmar om innehållet är kränkande"),
        null=True,
        blank=True,
        help_text=_("T.ex. 24 för kränkande klotter. Lämna tomt om det inte gäller kategorin."),
    )
    duplicate_radius_m = models.PositiveIntegerField(
        _("avstånd för dubbletter (meter)"),
        default=100,
        validators=[MinValueValidator(1), MaxValueValidator(5000)],
    )
    activities = models.ManyToManyField(
        Activity,
        verbose_name=_("aktiviteter i medborgarlöftet"),
        related_name="report_categories",
        blank=True,
    )
    is_active = models.BooleanField(_("kan väljas"), default=True)
    photos_need_review = models.BooleanField(
        _("bilder granskas innan de visas"),
        default=False,
        help_text=_("Bilder i kategorin visas publikt först när någon i personalen har godkänt dem."),
    )
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)

    objects = ReportCategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("kategori för felanmälan")
        verbose_name_plural = _("kategorier för felanmälan")
        ordering = ["municipality", "order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="report_category_unique_slug"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        """The name in the visitor's language where Trygg named the category; a name staff wrote stays as written."""
        from .catalogue import DEFAULT_NAMES

        return gettext(self.name) if DEFAULT_NAMES.get(self.slug) == self.name else self.name


class ReportQuerySet(models.QuerySet["Report"]):
    def public(self) -> "ReportQuerySet":
        return self.filter(is_public=True)

    def open(self) -> "ReportQuerySet":
        return self.filter(state__in=Report.State.open_states())

    def overdue(self, now: dt.datetime) -> "ReportQuerySet":
        return self.open().filter(due_at__lt=now)


class Report(models.Model):
    """A resident's (or staff member's) report of a problem at a place."""

    class State(models.TextChoices):
        NEW = "new", _("ny")
        RECEIVED = "received", _("mottagen")
        POLICE_REPORTED = "police_reported", _("polisanmäld")
        RESOLVED = "resolved", _("åtgärdad")
        NOT_RESOLVED = "not_resolved", _("ej åtgärdad")
        NOT_RESPONSIBLE = "not_responsible", _("inte kommunens ansvar")

        @classmethod
        def open_states(cls) -> list[str]:
            return [cls.NEW, cls.RECEIVED, cls.POLICE_REPORTED]

        @classmethod
        def final_states(cls) -> list[str]:
            return [cls.RESOLVED, cls.NOT_RESOLVED, cls.NOT_RESPONSIBLE]

        @classmethod
        def needs_reason(cls) -> list[str]:
            return [cls.NOT_RESOLVED, cls.NOT_RESPONSIBLE]

    class Source(models.TextChoices):
        WEB = "web", _("webbformulär")
        OPEN311 = "open311", _("Open311")
        STAFF = "staff", _("personal")
        DEMO = "demo", _("exempeldata")

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("kommun"), on_delete=models.CASCADE, related_name="reports"
    )
    category = models.ForeignKey(
        ReportCategory, verbose_name=_("kategori"), on_delete=models.PROTECT, related_name="reports"
    )
    reference = models.CharField(_("ärendenummer"), max_length=20, unique=True)
    description = models.TextField(_("beskrivning"), max_length=4000, blank=True)
    offensive = models.BooleanField(
        _("kränkande innehåll"),
        default=False,
        help_text=_("Klotter med t.ex. rasistiskt eller sexistiskt innehåll åtgärdas snabbare."),
    )
    place_name = models.CharField(_("plats"), max_length=200, blank=True)
    # The exact point is for staff only; everything public uses the snapped point.
    latitude = models.FloatField(_("latitud (exakt)"))
    longitude = models.FloatField(_("longitud (exakt)"))
    public_latitude = models.FloatField(_("latitud (grov, 100 m)"))
    public_longitude = models.FloatField(_("longitud (grov, 100 m)"))
    state = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.NEW)
    public_reason = models.TextField(_("motivering (publik)"), blank=True)
    police_report_number = models.CharField(_("K-nummer (polisanmälan)"), max_length=40, blank=True)
    assigned_party = models.ForeignKey(
        Party,
        verbose_name=_("tilldelad part"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_reports",
    )
    assigned_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tilldelad person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_reports",
    )
    reporter_name = models.CharField(_("anmälarens namn"), max_length=120, blank=True)
    reporter_email = models.EmailField(_("anmälarens e-post"), blank=True)
    # The reporter used the unsubscribe link of a status mail: no more mail about this report.
    reporter_mail_stopped = models.BooleanField(_("anmälaren vill inte ha e-post"), default=False)
    submission_id = models.UUIDField(_("inskicknings-id"), unique=True, null=True, blank=True, editable=False)
    source = models.CharField(_("källa"), max_length=10, choices=Source.choices, default=Source.WEB)
    open311_key = models.ForeignKey(
        "Open311Key",
        verbose_name=_("Open311-nyckel"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        help_text=_("Systemet som skickade in felanmälan via Open311."),
    )
    is_public = models.BooleanField(
        _("visas publikt"),
        default=True,
        help_text=_("Dölj t.ex. om beskrivningen innehåller personuppgifter."),
    )
    is_example = models.BooleanField(_("exempeldata"), default=False)
    created_at = models.DateTimeField(_("inkom"), db_index=True)
    due_at = models.DateTimeField(_("ska vara åtgärdad senast"))
    received_at = models.DateTimeField(_("mottagen"), null=True, blank=True)
    police_reported_at = models.DateTimeField(_("polisanmäld"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("avslutad"), null=True, blank=True)
    updated_at = models.DateTimeField(_("senast ändrad"), auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("felanmälan")
        verbose_name_plural = _("felanmälningar")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["municipality", "state"]),
            models.Index(fields=["public_latitude", "public_longitude"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.category}"

    def get_absolute_url(self) -> str:
        return reverse(
            "reports:detail", kwargs={"municipality": self.municipality.slug, "reference": self.reference}
        )

    @property
    def is_open(self) -> bool:
        return self.state in self.State.open_states()


class ReportPhotoQuerySet(models.QuerySet["ReportPhoto"]):
    def shown_publicly(self) -> "ReportPhotoQuerySet":
        """Photos a report's public page names: ready ones, and those still being processed ("Bilden bearbetas")."""
        return self.filter(is_public=True).exclude(state=ReportPhoto.State.FAILED)


class ReportPhoto(models.Model):
    """A photo, re-encoded from its pixels by the task worker: nothing of the original file but the picture survives.

    Until the task has run, `image` names the upload as it came, in a private directory that nothing serves
    (state "processing"); then the re-encoded photo and its thumbnail ("ready"). A photo that cannot be decoded is
    "failed": its file is removed and staff see that it was.
    """

    class State(models.TextChoices):
        PROCESSING = "processing", _("bearbetas")
        READY = "ready", _("klar")
        FAILED = "failed", _("kunde inte bearbetas")

    report = models.ForeignKey(
        Report, verbose_name=_("felanmälan"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("bild"), upload_to="reports/photos/", max_length=200, blank=True)
    thumbnail = models.FileField(_("miniatyr"), upload_to="reports/thumbnails/", max_length=200, blank=True)
    name = models.CharField(_("filnamn"), max_length=64, unique=True)
    width = models.PositiveIntegerField(_("bredd"))
    height = models.PositiveIntegerField(_("höjd"))
    state = models.CharField(_("bearbetning"), max_length=20, choices=State.choices, default=State.READY)
    processed_at = models.DateTimeField(_("bearbetad"), null=True, blank=True)
    # Hidden by staff, or waiting for review in a category whose photos are reviewed first.
    is_public = models.BooleanField(_("visas publikt"), default=True)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    objects = ReportPhotoQuerySet.as_manager()

    class Meta:
        verbose_name = _("bild")
        verbose_name_plural = _("bilder")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "reports:photo", kwargs={"municipality": self.report.municipality.slug, "name": self.name}
        )

    @property
    def is_ready(self) -> bool:
        return self.state == self.State.READY

    @property
    def file_names(self) -> list[str]:
        """Every stored file of the photo (the upload, or the photo and its thumbnail)."""
        return [name for name in (self.image.name, self.thumbnail.name) if name]

    @property
    def thumbnail_size(self) -> tuple[int, int]:
        """The thumbnail's width and height, for the page's img attributes (so nothing jumps as it loads)."""
        from .photos import THUMBNAIL_SIDE  # Pillow: not when Django starts

        scale = min(1.0, THUMBNAIL_SIDE / max(self.width, self.height, 1))
        return max(1, round(self.width * scale)), max(1, round(self.height * scale))

    def get_thumbnail_url(self) -> str:
        if not self.thumbnail:
            return self.get_absolute_url()
        return reverse(
            "reports:photo_thumbnail",
            kwargs={"municipality": self.report.municipality.slug, "name": self.name.removesuffix(".jpg")},
        )


class ReportEvent(models.Model):
    """One entry of a report's public history: when, which state, and a note for the public."""

    report = models.ForeignKey(
        Report, verbose_name=_("felanmälan"), on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("tidpunkt"))
    state_from = models.CharField(_("från status"), max_length=20, choices=Report.State.choices, blank=True)
    state_to = models.CharField(_("till status"), max_length=20, choices=Report.State.choices, blank=True)
    note = models.TextField(_("anteckning (publik)"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("av"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("händelse")
        verbose_name_plural = _("händelser")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report.reference} {self.at:%Y-%m-%d} {self.state_to}"


class ReportFollower(models.Model):
    """A resident who follows a report (often instead of filing a duplicate) and is e-mailed on changes."""

    report = models.ForeignKey(
        Report, verbose_name=_("felanmälan"), on_delete=models.CASCADE, related_name="followers"
    )
    email = models.EmailField(_("e-post"))
    # Nothing is sent before the address's owner opened the confirmation link (double opt-in).
    confirmed_at = models.DateTimeField(_("bekräftad"), null=True, blank=True)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("följare")
        verbose_name_plural = _("följare")
        constraints = [models.UniqueConstraint(fields=["report", "email"], name="report_follower_unique")]

    def __str__(self) -> str:
        return f"{self.report.reference}"


class ReportFlag(models.Model):
    """A resident's "Anmäl innehåll" on a public report: what is wrong with it, for staff to look at.

    The client is a keyed hash of the day (trygg.core.ratelimit.client_key) and only the date is kept; flags go
    30 days after staff decided on the report's visibility (reports.privacy)."""

    report = models.ForeignKey(
        Report, verbose_name=_("felanmälan"), on_delete=models.CASCADE, related_name="flags"
    )
    reason = models.CharField(_("vad är fel"), max_length=500)
    client_key = models.CharField(max_length=64)
    created_on = models.DateField(_("anmäld"))
    handled_on = models.DateField(_("hanterad"), null=True, blank=True)

    class Meta:
        verbose_name = _("anmälan av innehåll")
        verbose_name_plural = _("anmälningar av innehåll")
        ordering = ["created_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "client_key"], name="report_flag_once_per_client_and_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.created_on}"


class Place(models.Model):
    """One entry of a municipality's gazetteer: a street, an address (a street with its house number, kind
    "adress") or a named place, resolved offline. The locality (tätort or village) tells apart the Storgatan of
    two towns of one municipality."""

    ADDRESS = "adress"

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("kommun"), on_delete=models.CASCADE, related_name="places"
    )
    name = models.CharField(_("namn"), max_length=200)
    normalized = models.CharField(max_length=200, db_index=True, editable=False)
    kind = models.CharField(_("slag"), max_length=60, help_text=_("T.ex. ”gata”, ”adress”, ”torg”, ”park”."))
    locality = models.CharField(
        _("ort"), max_length=100, blank=True, default="", help_text=_("T.ex. ”Ljungby” eller ”Lagan”.")
    )
    latitude = models.FloatField(_("latitud"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("longitud"), validators=[MinValueValidator(-180), MaxValueValidator(180)])

    class Meta:
        verbose_name = _("plats")
        verbose_name_plural = _("platser")
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name", "kind", "locality"], name="place_unique_name_kind_locality"
            ),
        ]
        indexes = [models.Index(fields=["municipality", "latitude"], name="place_municipality_latitude")]

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"

    @property
    def label(self) -> str:
        """The name with its locality, as a resident reads it: "Storgatan 12, Lagan"."""
        return f"{self.name}, {self.locality}" if self.locality else self.name


class Open311KeyQuerySet(models.QuerySet["Open311Key"]):
    def active(self) -> "Open311KeyQuerySet":
        return self.filter(revoked_at__isnull=True)


class Open311Key(models.Model):
    """An Open311 api_key of one municipality, for systems that file reports. Only its hash is stored."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("kommun"), on_delete=models.CASCADE, related_name="open311_keys"
    )
    name = models.CharField(_("namn"), max_length=100, help_text=_("Vem som använder nyckeln."))
    prefix = models.CharField(_("början av nyckeln"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("återkallad"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("senast använd"), null=True, blank=True)
    # An integrator (a FixMyStreet installation, an app) usually tells its own users about their reports;
    # Trygg writing to them as well would be a second, unexpected sender.
    notify_reporters = models.BooleanField(
        _("Trygg mejlar anmälarna"),
        default=False,
        help_text=_(
            "Kryssa i om Trygg ska skicka e-post om statusändringar till dem som anmält via den här nyckeln. "
            "Annars meddelar systemet sina egna användare."
        ),
    )

    objects = Open311KeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("Open311-nyckel")
        verbose_name_plural = _("Open311-nycklar")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
