from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from trygg.core.validators import validate_accent_colour, validate_not_reserved

from .logos import LogoField


class PoliceArea(models.Model):
    """A lokalpolisområde; one may cover several municipalities."""

    name = models.CharField(_("namn"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("lokalpolisområde")
        verbose_name_plural = _("lokalpolisområden")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MunicipalityQuerySet(models.QuerySet["Municipality"]):
    def with_public_promises(self) -> "MunicipalityQuerySet":
        from trygg.promises.models import Promise

        return self.filter(promises__status__in=Promise.Status.public()).distinct()


class Municipality(models.Model):
    """The tenant: one kommun, with its areas, parties and staff."""

    name = models.CharField(
        _("officiellt namn"), max_length=200, help_text=_("Hela namnet, t.ex. ”Ljungby kommun”.")
    )
    name_genitive = models.CharField(
        _("namnet i genitiv"),
        max_length=200,
        blank=True,
        help_text=_("Som i ”Ljungby kommuns medborgarlöfte”, t.ex. ”Ljungby kommuns”."),
    )
    slug = models.SlugField(
        _("adress"),
        max_length=60,
        unique=True,
        validators=[validate_not_reserved],
        help_text=_("Används i webbadressen, t.ex. ”ljungby”."),
    )
    scb_code = models.CharField(
        _("kommunkod"),
        max_length=4,
        unique=True,
        validators=[RegexValidator(r"^\d{4}$", _("Kommunkoden är fyra siffror, t.ex. 0781."))],
    )
    county = models.CharField(_("län"), max_length=100)
    population = models.PositiveIntegerField(_("invånare"), null=True, blank=True)
    population_note = models.CharField(
        _("källa för invånarantalet"),
        max_length=200,
        blank=True,
        help_text=_("T.ex. ”SCB 31 december 2023” eller ”ungefärligt”."),
    )
    police_areas = models.ManyToManyField(
        PoliceArea, verbose_name=_("lokalpolisområden"), related_name="municipalities", blank=True
    )
    logo = LogoField(
        _("logotyp"),
        upload_to="logos/",
        blank=True,
        help_text=_("En bild i PNG, JPEG, WebP eller GIF, högst 2 MB. Den sparas om som en ny PNG-bild."),
    )
    contact_email = models.EmailField(_("e-post"), blank=True)
    contact_phone = models.CharField(_("telefon"), max_length=40, blank=True)
    contact_address = models.CharField(
        _("postadress"), max_length=300, blank=True, help_text=_("T.ex. ”Box 88, 341 21 Ljungby”.")
    )
    website = models.URLField(_("webbplats"), blank=True, help_text=_("Kommunens egen webbplats."))
    map_latitude = models.FloatField(_("kartans mitt, latitud"), null=True, blank=True)
    map_longitude = models.FloatField(_("kartans mitt, longitud"), null=True, blank=True)
    accent_colour = models.CharField(
        _("profilfärg"), max_length=7, default="#005a8c", validators=[validate_accent_colour]
    )

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        verbose_name = _("kommun")
        verbose_name_plural = _("kommuner")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def genitive(self) -> str:
        from .names import genitive

        return self.name_genitive or genitive(self.name)

    @property
    def website_label(self) -> str:
        """The link text of the municipality's website: the genitive in Swedish ("Ljungby kommuns webbplats"), the
        official name where the language has no such case ("Website of Ljungby kommun")."""
        # Translators: %(genitive)s is the municipality's name in the genitive, %(name)s its official name; use
        # either one (English: "Website of %(name)s").
        # xgettext:no-python-format
        return _("%(genitive)s webbplats") % {"genitive": self.genitive, "name": self.name}

    @property
    def map_centre(self) -> tuple[float, float] | None:
        if self.map_latitude is None or self.map_longitude is None:
            return None
        return (self.map_latitude, self.map_longitude)

    @property
    def has_contact_details(self) -> bool:
        return bool(self.contact_email or self.contact_phone or self.contact_address or self.website)


class Party(models.Model):
    """An organisation that signs or owns activities: the kommun, the police, a housing company…"""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("kommun")
        POLICE = "police", _("polis")
        OTHER = "other", _("annan organisation")

    name = models.CharField(_("namn"), max_length=200)
    kind = models.CharField(_("slag"), max_length=20, choices=Kind.choices)
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("kommun"),
        on_delete=models.CASCADE,
        related_name="parties",
        null=True,
        blank=True,
        help_text=_("Lämna tomt för polisen, som kan verka i flera kommuner."),
    )
    police_area = models.ForeignKey(
        PoliceArea,
        verbose_name=_("lokalpolisområde"),
        on_delete=models.PROTECT,
        related_name="parties",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("part")
        verbose_name_plural = _("parter")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="party_unique_name_per_municipality"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    """A named part of the municipality (a district, the town centre, the countryside)."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("kommun"), on_delete=models.CASCADE, related_name="areas"
    )
    name = models.CharField(_("namn"), max_length=200)
    boundary = models.JSONField(
        _("gräns (GeoJSON)"), null=True, blank=True, help_text=_("En GeoJSON-geometri i WGS84.")
    )

    class Meta:
        verbose_name = _("område")
        verbose_name_plural = _("områden")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="area_unique_name")]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A staff user's place of work: (municipality, party, role). One person may have several."""

    class Role(models.TextChoices):
        ADMINISTRATOR = "administrator", _("administratör")
        COORDINATOR = "coordinator", _("samordnare")
        POLICE = "police", _("kommunpolis")
        CREW = "crew", _("driftpersonal")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("användare"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("kommun"), on_delete=models.CASCADE, related_name="memberships"
    )
    party = models.ForeignKey(
        Party, verbose_name=_("part"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("roll"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality", "party", "role"], name="membership_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.municipality} – {self.party} ({self.get_role_display()})"
