import secrets
import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from trygg.municipalities.models import Municipality, Party
from trygg.promises.models import Promise

from .targets import allowed_content_types

ANONYMOUS = "anonym"


class CommentSettings(models.Model):
    """A municipality's choice between reviewing comments before or after they are published."""

    class Mode(models.TextChoices):
        PRE = "pre", _("granskas innan de publiceras")
        POST = "post", _("publiceras direkt och granskas efteråt")

    municipality = models.OneToOneField(
        Municipality, verbose_name=_("kommun"), on_delete=models.CASCADE, related_name="comment_settings"
    )
    moderation_mode = models.CharField(
        _("granskning"),
        max_length=10,
        choices=Mode.choices,
        default=Mode.PRE,
        help_text=_(
            "Efterhandsgranskning: en kommentar utan automatiska varningar visas direkt och räknas som "
            "godkänd tills en moderator avvisar eller döljer den."
        ),
    )

    class Meta:
        verbose_name = _("inställning för kommentarer")
        verbose_name_plural = _("inställningar för kommentarer")

    def __str__(self) -> str:
        return f"{self.municipality}: {self.get_moderation_mode_display()}"


class CommentQuerySet(models.QuerySet["Comment"]):
    def published(self) -> "CommentQuerySet":
        return self.filter(state=Comment.State.APPROVED)

    def for_target(self, target: models.Model) -> "CommentQuerySet":
        return self.filter(content_type=ContentType.objects.get_for_model(target), object_id=target.pk)

    def for_targets(self, targets: list[models.Model]) -> "CommentQuerySet":
        query = models.Q(pk__in=[])
        for target in targets:
            query |= models.Q(content_type=ContentType.objects.get_for_model(target), object_id=target.pk)
        return self.filter(query)


class Comment(models.Model):
    """A resident's comment on a promise, a focus area or an activity (see targets.py for the allow-list)."""

    class State(models.TextChoices):
        PENDING = "pending", _("väntar på granskning")
        APPROVED = "approved", _("publicerad")
        REJECTED = "rejected", _("avvisad")
        HIDDEN = "hidden", _("dold")

    class Flag(models.TextChoices):
        PERSONNUMMER = "personnummer", _("personnummer")
        PHONE = "phone", _("telefonnummer")
        EMAIL = "email", _("e-postadress")
        ADDRESS = "address", _("gatuadress med nummer")
        ACCUSATION = "accusation", _("namngiven person anklagas för brott")
        THREAT = "threat", _("hot eller nödläge")

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("kommun"), on_delete=models.CASCADE, related_name="comments"
    )
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("gäller typ"),
        on_delete=models.PROTECT,
        limit_choices_to=allowed_content_types,
        related_name="+",
    )
    object_id = models.PositiveBigIntegerField(_("gäller id"))
    target = GenericForeignKey("content_type", "object_id")
    # The promise the target belongs to, kept beside the generic key so a promise's comments, feed and
    # unanswered list are one indexed query. Empty for targets outside a promise (meetings, reports).
    promise = models.ForeignKey(
        Promise,
        verbose_name=_("medborgarlöfte"),
        on_delete=models.CASCADE,
        related_name="comments",
        null=True,
        blank=True,
    )
    author_name = models.CharField(_("namn"), max_length=100, default=ANONYMOUS)
    original_text = models.TextField(_("ursprunglig text"))
    published_text = models.TextField(_("publicerad text"))
    is_edited = models.BooleanField(
        _("redigerad"),
        default=False,
        help_text=_("Personuppgifter har tagits bort ur den publicerade texten."),
    )
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.PENDING)
    flags = models.JSONField(_("automatiska varningar"), default=list, blank=True)
    is_urgent = models.BooleanField(_("hot eller nödläge"), default=False)
    reports_count = models.PositiveIntegerField(_("anmälningar sedan granskning"), default=0)
    reviewed = models.BooleanField(_("granskad"), default=False)
    submission_id = models.UUIDField(_("inskickning"), unique=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("skickad"), auto_now_add=True)
    published_at = models.DateTimeField(_("publicerad"), null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("kommentar")
        verbose_name_plural = _("kommentarer")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "state"]),
            models.Index(fields=["municipality", "state", "created_at"]),
            models.Index(fields=["promise", "state"]),
        ]

    def __str__(self) -> str:
        # Never the text or the name: this string ends up in the audit log.
        label = _("Kommentar")
        return f"{label} {self.pk}"

    @property
    def is_published(self) -> bool:
        return self.state == self.State.APPROVED

    def flag_labels(self) -> list[str]:
        labels = dict(self.Flag.choices)
        return [str(labels.get(flag, flag)) for flag in self.flags]


class CommentContact(models.Model):
    """The optional e-mail address for replies, apart from the comment so it can be purged on its own."""

    comment = models.OneToOneField(
        Comment, verbose_name=_("kommentar"), on_delete=models.CASCADE, related_name="contact"
    )
    email = models.EmailField(_("e-post"))
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("kontaktuppgift")
        verbose_name_plural = _("kontaktuppgifter")

    def __str__(self) -> str:
        label = _("Kontakt för")
        return f"{label} {self.comment}"


class CommentReport(models.Model):
    """A resident's report that a published comment breaks the rules; one per client, comment and day.

    The client is an HMAC of its address with that day's random secret (trygg.core.ratelimit.client_key), and
    only the date is kept. Flags go 30 days after a moderator's decision (comments.flag_retention).
    """

    comment = models.ForeignKey(
        Comment, verbose_name=_("kommentar"), on_delete=models.CASCADE, related_name="reports"
    )
    client_key = models.CharField(_("klient (nyckel för dagen)"), max_length=64)
    created_on = models.DateField(_("anmäld"))

    class Meta:
        verbose_name = _("anmälan av kommentar")
        verbose_name_plural = _("anmälningar av kommentarer")
        constraints = [
            models.UniqueConstraint(fields=["comment", "client_key"], name="comment_report_once_per_client")
        ]

    def __str__(self) -> str:
        return f"{self.comment}: {self.created_on:%Y-%m-%d}"


class ModerationEvent(models.Model):
    """Who did what to a comment, when and why: the comment's own record, beside the audit log."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("inskickad")
        APPROVED = "approved", _("godkänd")
        REJECTED = "rejected", _("avvisad")
        HIDDEN = "hidden", _("dold")
        EDITED = "edited", _("personuppgifter borttagna")
        REPORTED = "reported", _("dold efter anmälningar")
        ANONYMISED = "anonymised", _("namnet borttaget")
        EMAIL_PURGED = "email_purged", _("e-postadressen raderad")

    comment = models.ForeignKey(
        Comment, verbose_name=_("kommentar"), on_delete=models.CASCADE, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utförd av"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_name = models.CharField(_("utförd av (namn)"), max_length=150, blank=True)
    action = models.CharField(_("händelse"), max_length=20, choices=Action.choices)
    reason = models.CharField(_("anledning"), max_length=500, blank=True)
    at = models.DateTimeField(_("tidpunkt"), auto_now_add=True)

    class Meta:
        verbose_name = _("granskningshändelse")
        verbose_name_plural = _("granskningshändelser")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.comment} {self.get_action_display()}"


class OfficialReply(models.Model):
    """The kommun's or the police's answer to a comment, in the party's name ("Svar från Polisen")."""

    comment = models.ForeignKey(
        Comment, verbose_name=_("kommentar"), on_delete=models.CASCADE, related_name="replies"
    )
    party = models.ForeignKey(Party, verbose_name=_("part"), on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("skriven av"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    text = models.TextField(_("svar"))
    created_at = models.DateTimeField(_("publicerat"), auto_now_add=True)

    class Meta:
        verbose_name = _("svar")
        verbose_name_plural = _("svar")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        label = _("Svar från")
        return f"{label} {self.party} ({self.comment})"


class Subscription(models.Model):
    """Someone who follows a target by e-mail. Unconfirmed until they open the link in the first e-mail."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("kommun"), on_delete=models.CASCADE, related_name="comment_subscriptions"
    )
    email = models.EmailField(_("e-post"))
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("gäller typ"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("gäller id"))
    target = GenericForeignKey("content_type", "object_id")
    confirmed_at = models.DateTimeField(_("bekräftad"), null=True, blank=True)
    unsubscribe_token = models.CharField(
        _("avregistreringsnyckel"), max_length=64, unique=True, default=secrets.token_urlsafe, editable=False
    )
    last_digest_on = models.DateField(_("senaste sammanfattning"), null=True, blank=True)
    last_digest_at = models.DateTimeField(_("senaste sammanfattning, tid"), null=True, blank=True)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("prenumeration")
        verbose_name_plural = _("prenumerationer")
        constraints = [
            models.UniqueConstraint(
                fields=["email", "content_type", "object_id"], name="subscription_unique_per_target"
            )
        ]

    def __str__(self) -> str:
        # Never the address: this string ends up in the audit log.
        label = _("Prenumeration")
        return f"{label} {self.pk}"


class DigestLog(models.Model):
    """One digest sent to one subscription on one day; the unique key makes `send_digests` idempotent."""

    subscription = models.ForeignKey(
        Subscription, verbose_name=_("prenumeration"), on_delete=models.CASCADE, related_name="digests"
    )
    sent_on = models.DateField(_("dag"))
    item_count = models.PositiveIntegerField(_("antal nyheter"))
    sent_at = models.DateTimeField(_("skickad"), auto_now_add=True)

    class Meta:
        verbose_name = _("skickad sammanfattning")
        verbose_name_plural = _("skickade sammanfattningar")
        constraints = [
            models.UniqueConstraint(fields=["subscription", "sent_on"], name="digest_once_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.subscription} {self.sent_on}"
