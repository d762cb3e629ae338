import uuid

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from trygg.municipalities.models import Municipality
from trygg.problems.models import Problem

from .thresholds import DEFAULT_K, MIN_K

# Column names follow the interchange format: letters, digits and underscores, starting with a letter.
CODE_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9_]{0,59}$",
    _("Koden består av små bokstäver a–z, siffror och understreck och börjar med en bokstav."),
)


def default_k() -> int:
    return int(getattr(settings, "SURVEY_SUPPRESSION_K", DEFAULT_K))


class Language(models.TextChoices):
    """Languages a survey's questions can be offered in (the site's own interface stays sv/en)."""

    SWEDISH = "sv", "Svenska"
    EASY_SWEDISH = "sv-lattlast", "Lättläst svenska"
    ENGLISH = "en", "English"
    ARABIC = "ar", "العربية"
    SOMALI = "so", "Soomaali"
    PERSIAN = "fa", "فارسی"
    TIGRINYA = "ti", "ትግርኛ"
    FINNISH = "fi", "Suomi"
    POLISH = "pl", "Polski"
    UKRAINIAN = "uk", "Українська"

    @classmethod
    def html_lang(cls, code: str) -> str:
        # Easy-to-read Swedish is Swedish to a screen reader.
        return "sv" if code == cls.EASY_SWEDISH else code

    @classmethod
    def is_rtl(cls, code: str) -> bool:
        return code in {cls.ARABIC, cls.PERSIAN}


class QuestionQuerySet(models.QuerySet["Question"]):
    def bank(self) -> "QuestionQuerySet":
        return self.filter(municipality__isnull=True)

    def available_to(self, municipality: Municipality) -> "QuestionQuerySet":
        return self.filter(models.Q(municipality__isnull=True) | models.Q(municipality=municipality))


class Question(models.Model):
    """A question of the shipped bank (no municipality) or a municipality's own question."""

    class Kind(models.TextChoices):
        PROBLEM = "problem", _("problem i området (p_)")
        NIGHT = "night", _("trygghet ute en kväll (t_kvall)")
        VICTIMISATION = "victimisation", _("utsatt för brott (u_)")
        REPORTED = "reported", _("anmält till polisen")
        TRUST = "trust", _("förtroende för polisen (f_)")
        AVOIDANCE = "avoidance", _("undviker platser eller aktiviteter")
        WORRY = "worry", _("oro för brott")
        GROUP = "group", _("bakgrund (för redovisning per grupp)")
        CHOICE = "choice", _("egen fråga med svarsalternativ")
        TEXT = "text", _("egen fråga med fritt svar (publiceras aldrig)")

    class Section(models.TextChoices):
        BACKGROUND = "background", _("Om dig")
        PROBLEMS = "problems", _("Problem där du bor")
        SAFETY = "safety", _("Trygghet")
        VICTIMISATION = "victimisation", _("Brott det senaste året")
        POLICE = "police", _("Polisen och övrigt")

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("kommun"),
        on_delete=models.CASCADE,
        related_name="survey_questions",
        null=True,
        blank=True,
        help_text=_("Tomt för frågor i Tryggs frågebank."),
    )
    code = models.CharField(_("kod"), max_length=60, validators=[CODE_VALIDATOR])
    kind = models.CharField(_("slag"), max_length=20, choices=Kind.choices)
    section = models.CharField(_("avsnitt"), max_length=20, choices=Section.choices)
    text = models.TextField(_("frågetext"))
    # [[code, label], …] in Swedish; a translation may relabel them.
    choices = models.JSONField(_("svarsalternativ"), default=list, blank=True)
    problem = models.ForeignKey(
        Problem,
        verbose_name=_("problem"),
        on_delete=models.SET_NULL,
        related_name="survey_questions",
        null=True,
        blank=True,
    )
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("fråga")
        verbose_name_plural = _("frågor")
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(municipality__isnull=True),
                name="question_bank_unique_code",
            ),
            models.UniqueConstraint(
                fields=["municipality", "code"], name="question_unique_code_per_municipality"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text[:60]}"

    @property
    def is_free_text(self) -> bool:
        return self.kind == self.Kind.TEXT


class QuestionTranslation(models.Model):
    """A question's text in another language, or the easy-to-read Swedish version.

    Shipped translations have no municipality; a municipality's own version of a language wins over the
    shipped one.
    """

    question = models.ForeignKey(
        Question, verbose_name=_("fråga"), on_delete=models.CASCADE, related_name="translations"
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("kommun"),
        on_delete=models.CASCADE,
        related_name="survey_question_translations",
        null=True,
        blank=True,
    )
    language = models.CharField(_("språk"), max_length=20, choices=Language.choices)
    text = models.TextField(_("frågetext"))
    # {"code": "label"}; codes missing here keep the Swedish label.
    choice_labels = models.JSONField(_("svarsalternativ"), default=dict, blank=True)

    class Meta:
        verbose_name = _("översättning")
        verbose_name_plural = _("översättningar")
        constraints = [
            models.UniqueConstraint(
                fields=["question", "language"],
                condition=models.Q(municipality__isnull=True),
                name="translation_bank_unique",
            ),
            models.UniqueConstraint(
                fields=["question", "municipality", "language"], name="translation_unique_per_municipality"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question.code} ({self.language})"


class SurveyQuerySet(models.QuerySet["Survey"]):
    def published(self) -> "SurveyQuerySet":
        return self.filter(status=Survey.Status.PUBLISHED)

    def collecting(self) -> "SurveyQuerySet":
        return self.filter(status=Survey.Status.OPEN)


class Survey(models.Model):
    class Mode(models.TextChoices):
        INVITATION = "invitation", _("med inbjudningskoder (slumpmässigt urval)")
        OPEN = "open", _("öppen för alla (självselekterat urval)")

    class Status(models.TextChoices):
        DRAFT = "draft", _("utkast")
        OPEN = "open", _("öppen för svar")
        CLOSED = "closed", _("stängd")
        PUBLISHED = "published", _("resultat publicerade")

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("kommun"), on_delete=models.CASCADE, related_name="surveys"
    )
    year = models.PositiveSmallIntegerField(_("år"))
    title = models.CharField(_("rubrik"), max_length=200)
    slug = models.SlugField(_("adress"), max_length=60, help_text=_("Används i webbadressen, t.ex. ”2024”."))
    mode = models.CharField(_("urval"), max_length=20, choices=Mode.choices, default=Mode.INVITATION)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    k = models.PositiveSmallIntegerField(
        _("minsta antal svar som visas"),
        default=default_k,
        validators=[MinValueValidator(MIN_K)],
        help_text=_("Färre svar än så visas som ”för få svar”. Aldrig under 5."),
    )
    languages = models.JSONField(
        _("språk"), default=list, blank=True, help_text=_("Språk utöver svenska som frågorna erbjuds på.")
    )
    areas = models.JSONField(
        _("områden"), default=list, blank=True, help_text=_("Områden som den svarande kan välja mellan.")
    )
    introduction = models.TextField(_("inledning"), blank=True)
    is_example = models.BooleanField(_("exempeldata"), default=False)
    # Mixed into each invitation code's hash, so equal codes of two surveys have different hashes.
    code_salt = models.CharField(max_length=32, editable=False, default="")
    questions = models.ManyToManyField(
        Question, through="SurveyQuestion", verbose_name=_("frågor"), related_name="surveys"
    )

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("trygghetsmätning")
        verbose_name_plural = _("trygghetsmätningar")
        ordering = ["municipality", "-year", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "slug"], name="survey_unique_slug"),
            models.CheckConstraint(condition=models.Q(k__gte=MIN_K), name="survey_k_at_least_min"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.code_salt:
            self.code_salt = uuid.uuid4().hex
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def get_absolute_url(self) -> str:
        return reverse("surveys:answer", args=[self.municipality.slug, self.slug])

    @property
    def is_self_selected(self) -> bool:
        return self.mode == self.Mode.OPEN

    def get_results_url(self) -> str:
        return reverse("surveys:results", args=[self.municipality.slug, self.slug])


class SurveyQuestion(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="survey_questions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="survey_questions")
    order = models.PositiveSmallIntegerField(_("ordning"), default=0)

    class Meta:
        verbose_name = _("fråga i mätningen")
        verbose_name_plural = _("frågor i mätningen")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "question"], name="survey_question_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} – {self.question.code}"


class InvitationCode(models.Model):
    """A one-time code from a letter, kept only as a salted hash and whether it was used.

    No time of use, no link to the response: the response row cannot be traced back to the letter.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitation_codes")
    code_hash = models.CharField(max_length=64)
    used = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("inbjudningskod")
        verbose_name_plural = _("inbjudningskoder")
        constraints = [
            models.UniqueConstraint(fields=["survey", "code_hash"], name="invitation_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} – {self.code_hash[:8]}…"


class AnswerDraft(models.Model):
    """A respondent's answers while they are still answering, keyed by a fresh random id their session holds.

    Nothing here links to an invitation code: the code is used up when answering starts (services.answer_start),
    and the draft only carries the right to submit once. A draft idle for SURVEY_DRAFT_IDLE_MINUTES is
    abandoned: no page reads it any more, and `trygg purge_survey_drafts` deletes it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=20, default=Language.SWEDISH)
    area = models.CharField(max_length=200, blank=True)
    # The area question was answered ("" with this set is "vet inte").
    area_chosen = models.BooleanField(default=False)
    answers = models.JSONField(default=dict)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("påbörjat svar")
        verbose_name_plural = _("påbörjade svar")

    def __str__(self) -> str:
        return str(self.survey_id)


class Response(models.Model):
    """One respondent's answers, stored compactly as one JSON object.

    Deliberately absent: any link to the invitation code, user, session, IP address or browser, and any time
    finer than the day. The random primary key keeps the insertion order from showing, and so does the storage
    order: services.response_submit puts each new answer in a random row of its day (see there).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    submitted_on = models.DateField(_("datum"))
    area = models.CharField(_("område"), max_length=200, blank=True)
    # {"p_klotter": 2, "t_kvall": 1, "x_egen": "fri text"}; grouping answers (kon, alder) are here too.
    answers = models.JSONField(_("svar"), default=dict)
    weight = models.FloatField(_("vikt"), default=1.0)

    class Meta:
        verbose_name = _("svar")
        verbose_name_plural = _("svar")

    def __str__(self) -> str:
        return f"{self.survey} – {self.submitted_on}"


def data_file_path(instance: "SurveyDataFile", filename: str) -> str:
    return f"surveys/{instance.survey_id}/{uuid.uuid4().hex}.csv"


class SurveyDataFile(models.Model):
    """Imported answers kept as a validated interchange CSV (a million rows stay one file, not a million rows)."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="data_file")
    file = models.FileField(_("fil"), upload_to=data_file_path)
    original_name = models.CharField(_("ursprungligt filnamn"), max_length=255)
    row_count = models.PositiveIntegerField(_("antal svarande"))
    imported_on = models.DateField(_("importerad"))

    class Meta:
        verbose_name = _("importerad svarsfil")
        verbose_name_plural = _("importerade svarsfiler")

    def __str__(self) -> str:
        return self.original_name
