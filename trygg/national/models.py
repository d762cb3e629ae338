"""The national view's own tables: SKR's kommungrupper, the police's areas over time, where each promise came from,
the installations harvested, and the journal of changes that the federation feed publishes.

Reference data (groups, police areas) is keyed by SCB's kommunkod, a string, so it loads whether or not the
installation has a row for the kommun.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from trygg.municipalities.models import PoliceArea
from trygg.promises.models import Promise

kommun_code_validator = RegexValidator(r"^\d{4}$", _("Kommunkoden är fyra siffror, t.ex. 0781."))


class MunicipalityGroup(models.Model):
    """One of SKR's kommungrupper in one edition (2023: A1 Storstäder … C9)."""

    edition = models.CharField(_("utgåva"), max_length=10, help_text=_("T.ex. 2023."))
    code = models.CharField(_("kod"), max_length=4, help_text=_("T.ex. A1 eller C9."))
    name = models.CharField(_("namn"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True)

    class Meta:
        verbose_name = _("kommungrupp")
        verbose_name_plural = _("kommungrupper")
        ordering = ["edition", "code"]
        constraints = [models.UniqueConstraint(fields=["edition", "code"], name="municipality_group_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name} ({self.edition})"


class GroupAssignment(models.Model):
    """Which kommungrupp a kommun belongs to in an edition, with where the operator got it."""

    kommun_code = models.CharField(_("kommunkod"), max_length=4, validators=[kommun_code_validator])
    edition = models.CharField(_("utgåva"), max_length=10)
    group = models.ForeignKey(
        MunicipalityGroup, verbose_name=_("kommungrupp"), on_delete=models.CASCADE, related_name="assignments"
    )
    source = models.CharField(_("källa"), max_length=300)
    is_example = models.BooleanField(_("exempeldata"), default=False)
    loaded_at = models.DateTimeField(_("inläst"), auto_now=True)

    class Meta:
        verbose_name = _("kommun i kommungrupp")
        verbose_name_plural = _("kommuner i kommungrupper")
        ordering = ["edition", "kommun_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["kommun_code", "edition"], name="group_assignment_once_per_edition"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kommun_code} → {self.group.code} ({self.edition})"


class PoliceRegion(models.Model):
    """One of the police's seven regions."""

    name = models.CharField(_("namn"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("polisregion")
        verbose_name_plural = _("polisregioner")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PoliceDistrict(models.Model):
    """A polisområde, inside one region."""

    name = models.CharField(_("namn"), max_length=200, unique=True)
    region = models.ForeignKey(
        PoliceRegion, verbose_name=_("polisregion"), on_delete=models.PROTECT, related_name="districts"
    )

    class Meta:
        verbose_name = _("polisområde")
        verbose_name_plural = _("polisområden")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PoliceAreaCoverage(models.Model):
    """That a lokalpolisområde covered a kommun from one date to another: many-to-many and changing over time.

    No official machine-readable list exists, so every row says where it came from."""

    police_area = models.ForeignKey(
        PoliceArea, verbose_name=_("lokalpolisområde"), on_delete=models.CASCADE, related_name="coverages"
    )
    district = models.ForeignKey(
        PoliceDistrict,
        verbose_name=_("polisområde"),
        on_delete=models.PROTECT,
        related_name="coverages",
        null=True,
        blank=True,
    )
    kommun_code = models.CharField(_("kommunkod"), max_length=4, validators=[kommun_code_validator])
    valid_from = models.DateField(_("gäller från"))
    valid_to = models.DateField(_("gäller till och med"), null=True, blank=True)
    source = models.CharField(_("källa"), max_length=300)
    is_example = models.BooleanField(_("exempeldata"), default=False)

    class Meta:
        verbose_name = _("lokalpolisområdets kommun")
        verbose_name_plural = _("lokalpolisområdenas kommuner")
        ordering = ["police_area", "kommun_code", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["police_area", "kommun_code", "valid_from"], name="police_area_coverage_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True) | models.Q(valid_to__gte=models.F("valid_from")),
                name="police_area_coverage_ordered",
                violation_error_message=_("Slutdatumet kan inte ligga före startdatumet."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.police_area} {self.kommun_code} {self.valid_from}–{self.valid_to or ''}"


class HarvestSource(models.Model):
    """A Trygg installation whose promises this one harvests: its discovery document's address."""

    name = models.CharField(_("namn"), max_length=200)
    discovery_url = models.URLField(_("adress till upptäcktsdokumentet"), max_length=500, unique=True)
    allowed_codes = models.JSONField(
        _("kommunkoder källan får publicera för"),
        default=list,
        blank=True,
        help_text=_(
            "Fylls i från upptäcktsdokumentet när källan registreras; löften för andra kommuner avvisas."
        ),
    )
    active = models.BooleanField(_("hämtas"), default=True)
    added_at = models.DateTimeField(_("tillagd"), auto_now_add=True)
    cursor = models.DateTimeField(_("hämtat till och med"), null=True, blank=True)
    discovery_etag = models.CharField(_("ETag"), max_length=200, blank=True)
    last_attempt_at = models.DateTimeField(_("senaste försök"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("senast hämtad"), null=True, blank=True)
    last_error = models.TextField(_("senaste fel"), blank=True)
    consecutive_failures = models.PositiveIntegerField(_("misslyckade försök i rad"), default=0)
    ping_pending = models.BooleanField(_("aviserad ändring"), default=False)

    class Meta:
        verbose_name = _("skördad installation")
        verbose_name_plural = _("skördade installationer")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HarvestRun(models.Model):
    """One pull of one source: what came of it, kept for the operator and the provenance lines."""

    source = models.ForeignKey(
        HarvestSource, verbose_name=_("källa"), on_delete=models.CASCADE, related_name="runs"
    )
    started_at = models.DateTimeField(_("startad"))
    finished_at = models.DateTimeField(_("klar"))
    ok = models.BooleanField(_("lyckades"))
    not_modified = models.BooleanField(_("oförändrad"), default=False)
    error = models.TextField(_("fel"), blank=True)
    created = models.PositiveIntegerField(_("nya"), default=0)
    updated = models.PositiveIntegerField(_("ändrade"), default=0)
    deleted = models.PositiveIntegerField(_("borttagna"), default=0)
    rejected = models.PositiveIntegerField(_("avvisade"), default=0)
    requests = models.PositiveIntegerField(_("anrop"), default=0)
    bytes_read = models.PositiveBigIntegerField(_("byte"), default=0)

    class Meta:
        verbose_name = _("skörd")
        verbose_name_plural = _("skördar")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M}"


class HarvestedRecord(models.Model):
    """Maps an object of a harvested installation (kind and its id there) to the local row that mirrors it."""

    source = models.ForeignKey(
        HarvestSource, verbose_name=_("källa"), on_delete=models.CASCADE, related_name="records"
    )
    kind = models.CharField(_("slag"), max_length=20)
    remote_id = models.BigIntegerField(_("id hos källan"))
    local_id = models.BigIntegerField(_("id här"))

    class Meta:
        verbose_name = _("skördad post")
        verbose_name_plural = _("skördade poster")
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "remote_id"], name="harvested_record_unique")
        ]
        indexes = [models.Index(fields=["kind", "local_id"])]

    def __str__(self) -> str:
        return f"{self.source_id} {self.kind} {self.remote_id} → {self.local_id}"


class PromiseSource(models.Model):
    """Where a promise came from, when it was fetched, how it was read, and whether the kommun has verified it.

    Promises written in this installation by its own staff have no row: that is the default provenance."""

    class Kind(models.TextChoices):
        HARVESTED = "harvested", _("hämtat från kommunens Trygg")
        DOCUMENT = "document", _("inläst ur dokument")

    promise = models.OneToOneField(
        Promise, verbose_name=_("medborgarlöfte"), on_delete=models.CASCADE, related_name="provenance"
    )
    kind = models.CharField(_("slag"), max_length=20, choices=Kind.choices)
    source_url = models.CharField(_("källans adress"), max_length=500, blank=True)
    fetched_at = models.DateTimeField(_("hämtat"))
    extraction = models.CharField(_("hur det lästes"), max_length=300)
    harvest_source = models.ForeignKey(
        HarvestSource,
        verbose_name=_("skördad installation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promises",
    )
    file_name = models.CharField(_("filnamn"), max_length=300, blank=True)
    checksum = models.CharField(_("kontrollsumma (SHA-256)"), max_length=64, blank=True)
    verified_at = models.DateTimeField(_("verifierat"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verifierat av"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("löftets källa")
        verbose_name_plural = _("löftenas källor")

    def __str__(self) -> str:
        return f"{self.promise_id} {self.kind}"

    @property
    def is_verified(self) -> bool:
        # A harvested promise comes from the kommun's own installation: the kommun published it itself.
        return self.kind == self.Kind.HARVESTED or self.verified_at is not None


class PromiseCoverage(models.Model):
    """A further kommun that a promise covers: an LPO signs one promise for several kommuner, and it counts for each."""

    promise = models.ForeignKey(
        Promise, verbose_name=_("medborgarlöfte"), on_delete=models.CASCADE, related_name="covered_kommuner"
    )
    kommun_code = models.CharField(_("kommunkod"), max_length=4, validators=[kommun_code_validator])

    class Meta:
        verbose_name = _("ytterligare kommun i löftet")
        verbose_name_plural = _("ytterligare kommuner i löftet")
        constraints = [
            models.UniqueConstraint(fields=["promise", "kommun_code"], name="promise_coverage_unique")
        ]

    def __str__(self) -> str:
        return f"{self.promise_id} {self.kommun_code}"


class FeedChange(models.Model):
    """When an object that the federation feed publishes last changed, or was deleted (a tombstone).

    Written by the receivers in journal.py for every save and delete, whatever channel made it."""

    kind = models.CharField(_("slag"), max_length=20)
    object_id = models.BigIntegerField(_("id"))
    promise_id = models.BigIntegerField(_("löftets id"), null=True)
    changed_at = models.DateTimeField(_("ändrad"), db_index=True)
    deleted = models.BooleanField(_("borttagen"), default=False)

    class Meta:
        verbose_name = _("ändring i flödet")
        verbose_name_plural = _("ändringar i flödet")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id"], name="feed_change_unique")]
        indexes = [models.Index(fields=["promise_id", "changed_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} {self.changed_at:%Y-%m-%d %H:%M}"
