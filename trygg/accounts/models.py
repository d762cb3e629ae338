import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device

from trygg.municipalities.models import Membership


class User(AbstractUser):
    """A staff member. Residents never need an account."""

    session_generation = models.PositiveIntegerField(
        _("sessionsgeneration"),
        default=0,
        editable=False,
        help_text=_("Ökas för att avsluta alla användarens inloggningar."),
    )

    class Meta:
        verbose_name = _("användare")
        verbose_name_plural = _("användare")

    def get_session_auth_hash(self) -> str:
        # Django checks this hash on every request; bumping the generation ends every session at once.
        return salted_hmac(
            "trygg.accounts.User.get_session_auth_hash",
            f"{self.password}:{self.session_generation}",
            algorithm="sha256",
        ).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self, now: "dt.datetime") -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, user__is_active=True)


class ApiToken(models.Model):
    """A bearer token for the staff API, scoped to one municipality. Only its hash is stored."""

    user = models.ForeignKey(
        User, verbose_name=_("användare"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    municipality = models.ForeignKey(
        "municipalities.Municipality", verbose_name=_("kommun"), on_delete=models.CASCADE, related_name="+"
    )
    name = models.CharField(_("namn"), max_length=100)
    prefix = models.CharField(_("början av nyckeln"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    expires_at = models.DateTimeField(_("går ut"))
    revoked_at = models.DateTimeField(_("återkallad"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("senast använd"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API-nyckel")
        verbose_name_plural = _("API-nycklar")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class IdentityProviderDevice(Device):
    """Stands for the second factor the municipality's identity provider checked at an OpenID Connect login.

    It never accepts a token itself; the OIDC callback marks the session verified with it when the provider
    says it used more than one factor.
    """

    class Meta:
        verbose_name = _("inloggning via identitetsleverantör")
        verbose_name_plural = _("inloggningar via identitetsleverantör")

    def verify_token(self, token: str) -> bool:
        return False


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self, now: "dt.datetime") -> "InvitationQuerySet":
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class Invitation(models.Model):
    """A coordinator's invitation of a person, by e-mail, to one role in one party of their municipality.

    The link in the e-mail carries a secret of which only the hash is stored; it works once, until it expires.
    """

    municipality = models.ForeignKey(
        "municipalities.Municipality",
        verbose_name=_("kommun"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    party = models.ForeignKey(
        "municipalities.Party", verbose_name=_("part"), on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(_("roll"), max_length=20, choices=Membership.Role.choices)
    email = models.EmailField(_("e-post"))
    first_name = models.CharField(_("förnamn"), max_length=150, blank=True)
    last_name = models.CharField(_("efternamn"), max_length=150, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User, verbose_name=_("inbjuden av"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)
    expires_at = models.DateTimeField(_("går ut"))
    accepted_at = models.DateTimeField(_("antagen"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, verbose_name=_("antagen av"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("återkallad"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("inbjudan")
        verbose_name_plural = _("inbjudningar")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.municipality} – {self.role} ({self.created_at:%Y-%m-%d})"
