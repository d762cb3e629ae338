"""What was done for each activity, and the staff judgements the status rules need.

The status itself is never stored: `trygg.followup.status` derives it from these rows.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from trygg.municipalities.models import Area
from trygg.promises.models import Activity

from .status import ASSESSABLE, Status


class StatusChoice(models.TextChoices):
    """The Swedish labels of the derived statuses (values are those of `status.Status`)."""

    NOT_STARTED = Status.NOT_STARTED.value, _("ej påbörjad")
    ON_TRACK = Status.ON_TRACK.value, _("pågår enligt plan")
    DELAYED = Status.DELAYED.value, _("försenad")
    DONE = Status.DONE.value, _("genomförd")
    PARTLY_DONE = Status.PARTLY_DONE.value, _("delvis genomförd")
    NOT_DONE = Status.NOT_DONE.value, _("ej genomförd")
    NOT_ASSESSED = Status.NOT_ASSESSED.value, _("ej bedömd")
    NOT_FINALLY_ASSESSED = Status.NOT_FINALLY_ASSESSED.value, _("ej slutbedömd")
    CANCELLED = Status.CANCELLED.value, _("inställd")


ASSESSMENT_CHOICES = [(value, label) for value, label in StatusChoice.choices if Status(value) in ASSESSABLE]


class ExecutionQuerySet(models.QuerySet["Execution"]):
    def counted(self) -> "ExecutionQuerySet":
        """Executions that count towards the target: withdrawn ones stay in history but not in the sum."""
        return self.filter(withdrawn=False)


class Execution(models.Model):
    """One occasion on which (part of) an activity was carried out: "5 skolbesök" may be one row with count 5."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("aktivitet"), on_delete=models.CASCADE, related_name="executions"
    )
    done_on = models.DateField(_("utfört den"))
    description = models.TextField(_("vad som gjordes"))
    place = models.CharField(_("plats"), max_length=300, blank=True)
    area = models.ForeignKey(
        Area, verbose_name=_("område"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    count = models.PositiveIntegerField(
        _("antal"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("Hur många av det som lovas det här gäller, t.ex. 5 för fem skolbesök samma dag."),
    )
    participants = models.PositiveIntegerField(_("antal deltagare"), null=True, blank=True)
    attachment = models.FileField(_("bilaga eller foto"), upload_to="followup/%Y/", blank=True)
    # A free-text reference until the meetings and indicators apps exist; then a real link can replace it.
    link_note = models.CharField(
        _("koppling till möte eller mätning"),
        max_length=300,
        blank=True,
        help_text=_("T.ex. namnet på mötet eller mätningen som detta gäller."),
    )
    withdrawn = models.BooleanField(
        _("återkallad"), default=False, help_text=_("Registrerad av misstag; räknas inte men finns kvar.")
    )
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
    # The staff form's (or an API client's) id for one submission: the same form sent twice (a double click, a
    # phone that resent the post on a weak connection) records one execution. Empty for other sources.
    submission_id = models.UUIDField(_("inskickning"), unique=True, null=True, blank=True, editable=False)

    objects = ExecutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("utförande")
        verbose_name_plural = _("utföranden")
        ordering = ["-done_on", "-pk"]
        indexes = [
            # An activity's newest executions, read backwards in (done_on, id) order: the promise page's latest
            # three stop after three rows instead of sorting all of them.
            models.Index(fields=["activity", "done_on", "id"], name="execution_newest"),
            # Covers the sum and number of counted executions in a period (`selectors.with_followup`) without
            # reading the rows themselves.
            models.Index(fields=["activity", "done_on", "withdrawn", "count"], name="execution_counted"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(count__gte=1), name="execution_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.done_on:%Y-%m-%d}: {self.description[:60]}"

    @property
    def area_name(self) -> str:
        """The name of the area it was done in, "" for none (as `selectors.LatestExecution.area_name`)."""
        return self.area.name if self.area is not None else ""


class ExecutionRevision(models.Model):
    """One correction of an execution: the fields before and after, who, when and why. Never deleted."""

    execution = models.ForeignKey(
        Execution, verbose_name=_("utförande"), on_delete=models.CASCADE, related_name="revisions"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ändrad av"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    changed_by_name = models.CharField(_("ändrad av (namn)"), max_length=150, blank=True)
    changed_at = models.DateTimeField(_("ändrad"), auto_now_add=True)
    reason = models.CharField(_("anledning"), max_length=500)
    before = models.JSONField(_("före"))
    after = models.JSONField(_("efter"))

    class Meta:
        verbose_name = _("rättelse")
        verbose_name_plural = _("rättelser")
        ordering = ["execution", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.execution_id} {self.changed_at:%Y-%m-%d %H:%M}: {self.reason[:60]}"


class PlannedDate(models.Model):
    """A date on which part of an activity is planned: a meeting on 14 March, a walk in September."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("aktivitet"), on_delete=models.CASCADE, related_name="planned_dates"
    )
    date = models.DateField(_("datum"))
    note = models.CharField(_("vad som planeras"), max_length=300, blank=True)
    is_example = models.BooleanField(_("exempeldata"), default=False)

    class Meta:
        verbose_name = _("planerat datum")
        verbose_name_plural = _("planerade datum")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.note}"


class Assessment(models.Model):
    """A staff judgement of an activity without a quantity. The latest one counts; earlier ones stay."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("aktivitet"), on_delete=models.CASCADE, related_name="assessments"
    )
    status = models.CharField(_("bedömning"), max_length=20, choices=ASSESSMENT_CHOICES)
    reason = models.TextField(_("motivering"))
    assessed_on = models.DateField(_("bedömd den"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bedömd av"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registrerad"), auto_now_add=True)
    is_example = models.BooleanField(_("exempeldata"), default=False)

    class Meta:
        verbose_name = _("bedömning")
        verbose_name_plural = _("bedömningar")
        ordering = ["activity", "assessed_on", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="assessment_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.assessed_on:%Y-%m-%d} {self.get_status_display()}"


class Cancellation(models.Model):
    """An activity called off, with the reason residents are shown. Lifting it keeps the row."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("aktivitet"), on_delete=models.CASCADE, related_name="cancellations"
    )
    cancelled_on = models.DateField(_("inställd den"))
    reason = models.TextField(_("anledning"))
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inställd av"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    lifted_on = models.DateField(_("upphävd den"), null=True, blank=True)
    lift_reason = models.TextField(_("anledning till upphävandet"), blank=True)
    created_at = models.DateTimeField(_("registrerad"), auto_now_add=True)
    is_example = models.BooleanField(_("exempeldata"), default=False)

    class Meta:
        verbose_name = _("inställd aktivitet")
        verbose_name_plural = _("inställda aktiviteter")
        ordering = ["activity", "cancelled_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="cancellation_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.cancelled_on:%Y-%m-%d} {self.reason[:60]}"


class ActivityLineage(models.Model):
    """Links an activity to the one of an earlier promise it was copied from ("Skapa nästa års löfte")."""

    activity = models.OneToOneField(
        Activity, verbose_name=_("aktivitet"), on_delete=models.CASCADE, related_name="lineage"
    )
    source = models.ForeignKey(
        Activity,
        verbose_name=_("kopierad från"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="copies",
    )
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("ursprung")
        verbose_name_plural = _("ursprung")

    def __str__(self) -> str:
        return f"{self.activity_id} ← {self.source_id}"


class ReminderSent(models.Model):
    """One digest e-mailed to one user about one municipality's activities on one day: the reminder log.

    The unique triple makes `send_reminders` idempotent. Rows from before the log named the municipality have none.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("användare"), on_delete=models.CASCADE, related_name="+"
    )
    municipality = models.ForeignKey(
        "municipalities.Municipality",
        verbose_name=_("kommun"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    sent_on = models.DateField(_("skickad den"))
    activity_ids = models.JSONField(_("aktiviteter"), default=list)
    created_at = models.DateTimeField(_("skickad"), auto_now_add=True)

    class Meta:
        verbose_name = _("skickad påminnelse")
        verbose_name_plural = _("skickade påminnelser")
        ordering = ["-sent_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "municipality", "sent_on"], name="reminder_once_a_day_per_municipality"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.sent_on:%Y-%m-%d}"
