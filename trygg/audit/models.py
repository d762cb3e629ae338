from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One change (or one look at contact data) by one person. Never edited, never deleted by staff."""

    class Action(models.TextChoices):
        CREATE = "create", _("skapad")
        UPDATE = "update", _("ändrad")
        DELETE = "delete", _("borttagen")
        VIEW = "view", _("visad")

    at = models.DateTimeField(_("tidpunkt"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utförd av"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("utförd av (namn)"), max_length=150, blank=True)
    action = models.CharField(_("händelse"), max_length=10, choices=Action.choices)
    model = models.CharField(_("objekttyp"), max_length=100)
    object_id = models.CharField(_("objekt-id"), max_length=64)
    object_repr = models.CharField(_("objekt"), max_length=200)
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        verbose_name=_("kommun"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changes = models.JSONField(_("ändrade fält"), default=dict, blank=True)
    reason = models.CharField(_("anledning"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("granskningspost")
        verbose_name_plural = _("granskningslogg")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["model", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.object_repr}"
