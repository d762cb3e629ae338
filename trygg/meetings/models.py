"""Meetings, safety walks with their observations and tasks, and neighbourhood-watch areas.

Holding a meeting or a walk is the follow-up of the activities it is linked to: the link rows
(`MeetingActivity`, `WalkActivity`) keep the id of the Execution recorded for them, so it is recorded once.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from trygg.followup.models import Execution
from trygg.municipalities.models import Area, Municipality, Party
from trygg.problems.models import Problem
from trygg.promises.models import Activity


class Status(models.TextChoices):
    PLANNED = "planned", _("planerat")
    HELD = "held", _("genomfört")
    CANCELLED = "cancelled", _("inställt")


class NeighbourhoodWatch(models.Model):
    """A grannsamverkan area. The contact is for staff only and never shown on public pages."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("kommun"), on_delete=models.CASCADE, related_name="neighbourhood_watches"
    )
    name = models.CharField(_("namn"), max_length=200)
    area = models.ForeignKey(
        Area, verbose_name=_("område"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contact_name = models.CharField(_("kontaktperson"), max_length=200, blank=True)
    contact_phone = models.CharField(_("kontaktpersonens telefon"), max_length=40, blank=True)
    contact_email = models.EmailField(_("kontaktpersonens e-post"), blank=True)
    signed_up_on = models.DateField(_("anmäld den"), null=True, blank=True)
    households = models.PositiveIntegerField(_("antal hushåll"), null=True, blank=True)
    is_example = models.BooleanField(_("exempeldata"), default=False)

    class Meta:
        verbose_name = _("grannsamverkansområde")
        verbose_name_plural = _("grannsamverkansområden")
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="neighbourhood_watch_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def public(self) -> MeetingQuerySet:
        return self.filter(is_public=True)


class Meeting(models.Model):
    class Kind(models.TextChoices):
        DIALOGUE = "dialogmote", _("dialogmöte")
        CITIZEN_DIALOGUE = "medborgardialog", _("medborgardialog")
        NEIGHBOURHOOD_WATCH = "grannsamverkansmote", _("grannsamverkansmöte")
        COLLABORATION = "samverkanstraff", _("samverkansträff")
        INFORMATION = "informationsinsats", _("informationsinsats")
        OTHER = "other", _("annat möte")

    Status = Status

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("kommun"), on_delete=models.CASCADE, related_name="meetings"
    )
    kind = models.CharField(_("slag"), max_length=30, choices=Kind.choices, default=Kind.DIALOGUE)
    title = models.CharField(_("rubrik"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True)
    starts_at = models.DateTimeField(_("börjar"))
    ends_at = models.DateTimeField(_("slutar"), null=True, blank=True)
    place = models.CharField(_("plats"), max_length=300, blank=True)
    area = models.ForeignKey(
        Area, verbose_name=_("område"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    organisers = models.ManyToManyField(
        Party, verbose_name=_("arrangörer"), related_name="organised_meetings", blank=True
    )
    invited_groups = models.TextField(
        _("inbjudna"), blank=True, help_text=_("T.ex. ”hyresvärdar i centrum”.")
    )
    activities = models.ManyToManyField(
        Activity,
        verbose_name=_("aktiviteter i löftet"),
        through="MeetingActivity",
        related_name="meetings",
        blank=True,
    )
    neighbourhood_watch = models.ForeignKey(
        NeighbourhoodWatch,
        verbose_name=_("grannsamverkansområde"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meetings",
    )
    is_public = models.BooleanField(
        _("öppet för alla"),
        default=True,
        help_text=_("Öppna möten visas i kalendern och tar emot anmälningar."),
    )
    capacity = models.PositiveIntegerField(
        _("antal platser"), null=True, blank=True, help_text=_("Lämna tomt om antalet inte är begränsat.")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    participants = models.PositiveIntegerField(_("antal deltagare"), null=True, blank=True)
    minutes = models.TextField(
        _("minnesanteckningar"),
        blank=True,
        help_text=_("Visas för alla om mötet är öppet. Skriv inga personuppgifter."),
    )
    problems = models.ManyToManyField(
        Problem, verbose_name=_("problem som togs upp"), through="RaisedProblem", related_name="+", blank=True
    )
    is_example = models.BooleanField(_("exempeldata"), default=False)
    created_at = models.DateTimeField(_("skapat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("ändrat"), auto_now=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("möte")
        verbose_name_plural = _("möten")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["municipality", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True) | models.Q(ends_at__gte=models.F("starts_at")),
                name="meeting_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting", kwargs={"municipality": self.municipality.slug, "pk": self.pk})

    @property
    def over_at(self) -> dt.datetime:
        """When the meeting is over: its end, or the end of the day it starts without one."""
        if self.ends_at is not None:
            return self.ends_at
        return self.starts_at + dt.timedelta(hours=24)


class MeetingActivity(models.Model):
    """A meeting's link to an activity, and the execution its holding was recorded as (once)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="activity_links")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    execution = models.ForeignKey(
        Execution, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("kopplad aktivitet")
        verbose_name_plural = _("kopplade aktiviteter")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "activity"], name="meeting_activity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} → {self.activity_id}"


class RaisedProblem(models.Model):
    """A problem raised at a meeting, and how many raised it: the lägesbild's dialogue input."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="raised_problems")
    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.PROTECT, related_name="+"
    )
    mentions = models.PositiveIntegerField(
        _("antal som tog upp det"), default=1, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("problem som togs upp")
        verbose_name_plural = _("problem som togs upp")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "problem"], name="raised_problem_unique"),
            models.CheckConstraint(
                condition=models.Q(mentions__gte=1), name="raised_problem_mentions_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.problem} ({self.mentions})"


class SignUp(models.Model):
    """A resident's sign-up for a public meeting: a name (and e-mail), or a count only.

    Kept until the meeting has passed; `purge_signups` (and `purge_personal_data`) removes them after."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("möte"), on_delete=models.CASCADE, related_name="signups"
    )
    name = models.CharField(_("namn"), max_length=200, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    count = models.PositiveSmallIntegerField(
        _("antal personer"), default=1, validators=[MinValueValidator(1)]
    )
    submission_id = models.UUIDField(_("inskickningens id"), unique=True, default=uuid.uuid4)
    # A sign-up for more than MEETING_SIGNUP_MAX holds no seats until its e-mailed link is opened
    # (services.signup_confirm); one within the maximum holds them at once.
    awaiting_confirmation = models.BooleanField(_("väntar på bekräftelse"), default=False)
    created_at = models.DateTimeField(_("anmäld"), auto_now_add=True)

    class Meta:
        verbose_name = _("anmälan")
        verbose_name_plural = _("anmälningar")
        ordering = ["meeting", "created_at", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(count__gte=1), name="signup_count_positive")]

    def __str__(self) -> str:
        return f"{self.meeting_id}: {self.count}"


class SafetyWalk(models.Model):
    """A trygghetsvandring: a route (a GeoJSON LineString and named stops), who walked, what was seen."""

    Status = Status

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("kommun"), on_delete=models.CASCADE, related_name="safety_walks"
    )
    title = models.CharField(_("rubrik"), max_length=200)
    date = models.DateField(_("datum"))
    starts_at = models.TimeField(_("klockan"), null=True, blank=True)
    area = models.ForeignKey(
        Area, verbose_name=_("område"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    route = models.JSONField(_("rutt (GeoJSON LineString)"), null=True, blank=True)
    stops = models.JSONField(_("stopp längs rutten"), default=list, blank=True)
    organisers = models.ManyToManyField(
        Party, verbose_name=_("arrangörer"), related_name="organised_walks", blank=True
    )
    participants = models.PositiveIntegerField(_("antal deltagare"), null=True, blank=True)
    participant_groups = models.TextField(
        _("vilka som deltog"),
        blank=True,
        help_text=_("Grupper, inte namn: t.ex. ”boende, kommunen, polisen”."),
    )
    activities = models.ManyToManyField(
        Activity,
        verbose_name=_("aktiviteter i löftet"),
        through="WalkActivity",
        related_name="safety_walks",
        blank=True,
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    is_public = models.BooleanField(_("protokollet är publikt"), default=True)
    is_example = models.BooleanField(_("exempeldata"), default=False)
    created_at = models.DateTimeField(_("skapad"), auto_now_add=True)

    class Meta:
        verbose_name = _("trygghetsvandring")
        verbose_name_plural = _("trygghetsvandringar")
        ordering = ["-date", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:walk", kwargs={"municipality": self.municipality.slug, "pk": self.pk})


class WalkActivity(models.Model):
    walk = models.ForeignKey(SafetyWalk, on_delete=models.CASCADE, related_name="activity_links")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="+")
    execution = models.ForeignKey(
        Execution, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("kopplad aktivitet")
        verbose_name_plural = _("kopplade aktiviteter")
        constraints = [models.UniqueConstraint(fields=["walk", "activity"], name="walk_activity_unique")]

    def __str__(self) -> str:
        return f"{self.walk_id} → {self.activity_id}"


class Observation(models.Model):
    class Category(models.TextChoices):
        LIGHTING = "belysning", _("belysning")
        VEGETATION = "vaxtlighet", _("växtlighet")
        GRAFFITI = "klotter", _("klotter")
        VANDALISM = "skadegorelse", _("skadegörelse")
        LITTER = "nedskrapning", _("nedskräpning")
        UNSAFE_PASSAGE = "otrygg_passage", _("otrygg passage")
        OTHER = "other", _("annat")

    walk = models.ForeignKey(
        SafetyWalk, verbose_name=_("trygghetsvandring"), on_delete=models.CASCADE, related_name="observations"
    )
    place = models.CharField(_("plats"), max_length=300)
    latitude = models.FloatField(_("latitud"), null=True, blank=True)
    longitude = models.FloatField(_("longitud"), null=True, blank=True)
    category = models.CharField(_("kategori"), max_length=20, choices=Category.choices)
    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("anteckning"), blank=True)
    photo = models.FileField(_("foto"), upload_to="meetings/observations/%Y/", blank=True)
    submission_id = models.UUIDField(_("inskickningens id"), unique=True, default=uuid.uuid4)
    # Set when the observation was sent on to the reports workflow (see services.observation_to_report).
    report_reference = models.CharField(_("felanmälans ärendenummer"), max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registrerad av"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("registrerad"), auto_now_add=True)
    is_example = models.BooleanField(_("exempeldata"), default=False)

    class Meta:
        verbose_name = _("iakttagelse")
        verbose_name_plural = _("iakttagelser")
        ordering = ["walk", "created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(latitude__isnull=True) & models.Q(longitude__isnull=True))
                | (
                    models.Q(latitude__gte=-90, latitude__lte=90)
                    & models.Q(longitude__gte=-180, longitude__lte=180)
                ),
                name="observation_point_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.place}"


class TaskQuerySet(models.QuerySet["Task"]):
    def open(self) -> TaskQuerySet:
        return self.filter(state=Task.State.OPEN)

    def overdue(self, today: dt.date) -> TaskQuerySet:
        """Open tasks whose last day has passed."""
        return self.open().filter(due_on__lt=today)


class Task(models.Model):
    """What is to be done about an observation: an owner, a due date and a status."""

    class State(models.TextChoices):
        OPEN = "open", _("öppen")
        DONE = "done", _("åtgärdad")
        NOT_OURS = "not_ours", _("inte vårt ansvar")

    observation = models.OneToOneField(
        Observation, verbose_name=_("iakttagelse"), on_delete=models.CASCADE, related_name="task"
    )
    owner_party = models.ForeignKey(
        Party,
        verbose_name=_("ansvarig part"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ansvarig person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    due_on = models.DateField(_("klart senast"), null=True, blank=True)
    state = models.CharField(_("status"), max_length=20, choices=State.choices, default=State.OPEN)
    outcome = models.TextField(_("vad som gjordes eller varför inte"), blank=True)
    closed_on = models.DateField(_("avslutad den"), null=True, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("uppgift")
        verbose_name_plural = _("uppgifter")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(state="not_ours") | ~models.Q(outcome=""), name="task_not_ours_has_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.observation} ({self.get_state_display()})"

    @property
    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    def days_overdue(self, today: dt.date) -> int:
        """How many days an open task is past its last day; 0 when it is not overdue."""
        if not self.is_open or self.due_on is None:
            return 0
        return max((today - self.due_on).days, 0)
