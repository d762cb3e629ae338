import datetime as dt
import hashlib
import os
import secrets
import tempfile
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.validators import validate_slug
from django.db import transaction
from django.db.models import Case, F, JSONField, Value, When
from django.utils.text import slugify
from django.utils.translation import gettext as _

from trygg.accounts.models import User
from trygg.audit.models import AuditEntry
from trygg.audit.services import audit_changes, audit_record
from trygg.municipalities.models import Municipality
from trygg.problems.models import Problem
from trygg.problems.services import problems_ensure_defaults

from . import analysis, importing, rules
from .bank import load_bank
from .models import (
    AnswerDraft,
    InvitationCode,
    Language,
    Question,
    QuestionTranslation,
    Response,
    Survey,
    SurveyDataFile,
    SurveyQuestion,
)

# No 0/O, 1/I/L: the code is typed from a printed letter.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
MAX_CODES_PER_BATCH = 100_000


class CodeInvalid(Exception):
    pass


class CodeAlreadyUsed(Exception):
    pass


def code_normalise(code: str) -> str:
    return "".join(character for character in code.upper() if character.isalnum())


def code_hash(*, survey: Survey, code: str) -> str:
    return hashlib.sha256(f"{survey.code_salt}:{code_normalise(code)}".encode()).hexdigest()


def code_format(raw: str) -> str:
    return f"{raw[:5]}-{raw[5:]}"


# ----------------------------------------------------------------------------------------------------------
# The question bank


@transaction.atomic
def questions_ensure_bank() -> int:
    """Create the shipped questions and translations that are missing; never overwrite staff changes."""
    problems_ensure_defaults()
    problems = {problem.slug: problem for problem in Problem.objects.all()}
    created = 0
    for order, entry in enumerate(load_bank(), start=1):
        question, was_created = Question.objects.get_or_create(
            municipality=None,
            code=entry.code,
            defaults={
                "kind": entry.kind,
                "section": entry.section,
                "text": entry.texts["sv"],
                "choices": [[code, label] for code, label in entry.choices.get("sv", [])],
                "problem": problems.get(entry.problem) if entry.problem else None,
                "order": order,
            },
        )
        created += was_created
        for language, text in entry.texts.items():
            if language == "sv":
                continue
            QuestionTranslation.objects.get_or_create(
                question=question,
                municipality=None,
                language=language,
                defaults={
                    "text": text,
                    "choice_labels": {str(code): label for code, label in entry.choices.get(language, [])},
                },
            )
    return created


# ----------------------------------------------------------------------------------------------------------
# Building a survey


def _require_builder(by: User, municipality: Municipality) -> None:
    if not rules.can_build_survey(by, municipality):
        raise PermissionDenied


@transaction.atomic
def survey_create(
    *,
    municipality: Municipality,
    year: int,
    title: str,
    slug: str,
    mode: str,
    k: int,
    languages: Sequence[str],
    areas: Sequence[str],
    by: User,
    with_bank: bool = True,
) -> Survey:
    _require_builder(by, municipality)
    if k < analysis.MIN_K:
        raise ValidationError(_("k får aldrig vara under %(min)s.") % {"min": analysis.MIN_K})
    if Survey.objects.filter(municipality=municipality, slug=slug).exists():
        raise ValidationError(_("Det finns redan en mätning med den adressen."))
    survey = Survey.objects.create(
        municipality=municipality,
        year=year,
        title=title,
        slug=slug,
        mode=mode,
        k=k,
        languages=list(languages),
        areas=list(areas),
    )
    if with_bank:
        questions_ensure_bank()
        SurveyQuestion.objects.bulk_create(
            SurveyQuestion(survey=survey, question=question, order=question.order)
            for question in Question.objects.bank()
        )
    audit_record(actor=by, action=AuditEntry.Action.CREATE, instance=survey, changes={"title": [None, title]})
    return survey


def _require_draft(survey: Survey) -> None:
    if survey.status != Survey.Status.DRAFT:
        raise ValidationError(_("Frågorna kan bara ändras medan mätningen är ett utkast."))


@transaction.atomic
def survey_set_questions(*, survey: Survey, questions: Sequence[Question], by: User) -> Survey:
    """Keep exactly these questions, in the bank's order, with the survey's own questions last."""
    _require_builder(by, survey.municipality)
    _require_draft(survey)
    for question in questions:
        if question.municipality_id not in (None, survey.municipality_id):
            raise PermissionDenied
    before = sorted(survey.survey_questions.values_list("question__code", flat=True))
    survey.survey_questions.exclude(question__in=questions).delete()
    present = set(survey.survey_questions.values_list("question_id", flat=True))
    SurveyQuestion.objects.bulk_create(
        SurveyQuestion(survey=survey, question=question, order=question.order)
        for question in questions
        if question.pk not in present
    )
    after = sorted(question.code for question in questions)
    audit_record(
        actor=by, action=AuditEntry.Action.UPDATE, instance=survey, changes={"questions": [before, after]}
    )
    return survey


@transaction.atomic
def survey_add_custom_question(
    *,
    survey: Survey,
    text: str,
    kind: str,
    choices: Sequence[str],
    problem: Problem | None,
    by: User,
) -> Question:
    _require_builder(by, survey.municipality)
    _require_draft(survey)
    prefix = {Question.Kind.PROBLEM: "p_", Question.Kind.CHOICE: "x_", Question.Kind.TEXT: "fritext_"}[
        Question.Kind(kind)
    ]
    stem = slugify(text).replace("-", "_")[:30].strip("_") or "fraga"
    code = f"{prefix}{stem}"
    taken = set(Question.objects.available_to(survey.municipality).values_list("code", flat=True))
    suffix = 2
    while code in taken:
        code = f"{prefix}{stem}_{suffix}"
        suffix += 1
    if kind == Question.Kind.PROBLEM:
        stored_choices = list(Question.objects.get(municipality=None, code="p_klotter").choices)
        section = Question.Section.PROBLEMS
    elif kind == Question.Kind.CHOICE:
        labels = [label.strip() for label in choices if label.strip()]
        if len(labels) < 2:
            raise ValidationError(_("Ange minst två svarsalternativ, ett per rad."))
        stored_choices = [[number, label] for number, label in enumerate(labels, start=1)]
        section = Question.Section.POLICE
    else:
        stored_choices = []
        section = Question.Section.POLICE
    question = Question.objects.create(
        municipality=survey.municipality,
        code=code,
        kind=kind,
        section=section,
        text=text,
        choices=stored_choices,
        problem=problem,
        order=1000 + Question.objects.filter(municipality=survey.municipality).count(),
    )
    SurveyQuestion.objects.create(survey=survey, question=question, order=question.order)
    audit_record(actor=by, action=AuditEntry.Action.CREATE, instance=question, changes={"code": [None, code]})
    return question


@transaction.atomic
def question_translation_save(
    *,
    question: Question,
    municipality: Municipality,
    language: str,
    text: str,
    choice_labels: Mapping[str, str],
    by: User,
) -> QuestionTranslation:
    """The municipality's own version of a question in a language (e.g. lättläst); wins over the shipped one."""
    _require_builder(by, municipality)
    if question.municipality_id not in (None, municipality.pk):
        raise PermissionDenied
    translation, created = QuestionTranslation.objects.update_or_create(
        question=question,
        municipality=municipality,
        language=language,
        defaults={"text": text, "choice_labels": dict(choice_labels)},
    )
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        instance=translation,
        changes={"text": [None, text]},
    )
    return translation


@dataclass(frozen=True)
class SurveySettings:
    """A survey's settings as staff set them after creating it."""

    title: str
    introduction: str
    year: int
    slug: str
    mode: str
    k: int
    languages: Sequence[str]
    areas: Sequence[str]


# What may change once residents can answer: the sample (mode), the areas they choose from, the address in the
# letters and the year belong to the draft; k may only go up once results are out (a lower k would show cells
# that were hidden).
DRAFT_ONLY_SETTINGS = ("year", "slug", "mode", "areas")


@transaction.atomic
def survey_update_settings(*, survey: Survey, by: User, settings: SurveySettings) -> Survey:
    locked = Survey.objects.select_for_update().select_related("municipality").get(pk=survey.pk)
    _require_builder(by, locked.municipality)
    title = settings.title.strip()
    if not title:
        raise ValidationError({"title": _("Ge mätningen en rubrik.")})
    areas = [area.strip() for area in settings.areas if area.strip()]
    languages = list(dict.fromkeys(settings.languages))
    unknown = set(languages) - set(Language.values) | ({Language.SWEDISH} & set(languages))
    if unknown:
        raise ValidationError({"languages": _("Okänt språk.")})
    if settings.mode not in Survey.Mode.values:
        raise ValidationError({"mode": _("Välj urval i listan.")})
    if settings.k < analysis.MIN_K:
        raise ValidationError({"k": _("k får aldrig vara under %(min)s.") % {"min": analysis.MIN_K}})
    if locked.status == Survey.Status.PUBLISHED and settings.k < locked.k:
        raise ValidationError(
            {"k": _("Resultaten är publicerade: k kan bara höjas, annars visas siffror som var dolda.")}
        )
    after: dict[str, object] = {
        "title": title[:200],
        "introduction": settings.introduction.strip(),
        "year": settings.year,
        "slug": settings.slug.strip(),
        "mode": settings.mode,
        "k": settings.k,
        "languages": languages,
        "areas": areas,
    }
    before = {name: getattr(locked, name) for name in after}
    if locked.status != Survey.Status.DRAFT:
        changed = [name for name in DRAFT_ONLY_SETTINGS if after[name] != before[name]]
        if changed:
            raise ValidationError(
                {name: _("Kan bara ändras medan mätningen är ett utkast.") for name in changed}
            )
    if after["slug"] != locked.slug:
        try:
            validate_slug(str(after["slug"]))
        except ValidationError as error:
            raise ValidationError({"slug": error.messages}) from None
        if (
            Survey.objects.filter(municipality=locked.municipality, slug=after["slug"])
            .exclude(pk=locked.pk)
            .exists()
        ):
            raise ValidationError({"slug": _("Det finns redan en mätning med den adressen.")})
    changes = audit_changes(before=before, after=after, fields=list(after))
    if not changes:
        raise ValidationError(_("Inget ändrades."))
    for name, value in after.items():
        setattr(locked, name, value)
    locked.save()
    audit_record(actor=by, action=AuditEntry.Action.UPDATE, instance=locked, changes=changes)
    return locked


@transaction.atomic
def survey_set_status(*, survey: Survey, status: str, by: User) -> Survey:
    locked = Survey.objects.select_for_update().get(pk=survey.pk)
    _require_builder(by, locked.municipality)
    before = locked.status
    locked.status = status
    locked.save(update_fields=["status"])
    audit_record(
        actor=by, action=AuditEntry.Action.UPDATE, instance=locked, changes={"status": [before, status]}
    )
    return locked


@transaction.atomic
def invitation_codes_generate(*, survey: Survey, count: int, by: User) -> list[str]:
    """Create `count` one-time codes and return them in plain text: the only time they exist unhashed."""
    _require_builder(by, survey.municipality)
    if survey.mode != Survey.Mode.INVITATION:
        raise ValidationError(_("En öppen mätning har inga inbjudningskoder."))
    if not 1 <= count <= MAX_CODES_PER_BATCH:
        raise ValidationError(_("Ange ett antal mellan 1 och %(max)s.") % {"max": MAX_CODES_PER_BATCH})
    existing = set(InvitationCode.objects.filter(survey=survey).values_list("code_hash", flat=True))
    codes: list[str] = []
    hashes: list[str] = []
    while len(codes) < count:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        hashed = code_hash(survey=survey, code=raw)
        if hashed in existing:
            continue
        existing.add(hashed)
        codes.append(code_format(raw))
        hashes.append(hashed)
    InvitationCode.objects.bulk_create(
        (InvitationCode(survey=survey, code_hash=hashed) for hashed in hashes), batch_size=5000
    )
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        instance=survey,
        changes={"invitation_codes": [None, count]},
        reason=_("Inbjudningskoder skapade"),
    )
    return codes


# ----------------------------------------------------------------------------------------------------------
# Answering


class DraftMissing(Exception):
    """No answers in progress under that id: never started, already submitted, or abandoned and purged."""


def _draft_expiry(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(minutes=settings.SURVEY_DRAFT_IDLE_MINUTES)


@transaction.atomic
def answer_start(*, survey: Survey, code: str | None, language: str, now: dt.datetime) -> AnswerDraft:
    """Start answering: use up the invitation code (in invitation mode) and open a draft under a random id.

    The code is spent here, not at submission, so that nothing held while the respondent answers (the draft, the
    session) ever names the code or its hash: the draft only carries the right to submit once. Whoever abandons
    the survey cannot come back with the same code.
    """
    if survey.status != Survey.Status.OPEN:
        raise ValidationError(_("Mätningen tar inte emot svar just nu."))
    answer_drafts_purge(now=now)
    if survey.mode == Survey.Mode.INVITATION:
        if not code:
            raise CodeInvalid
        # Lock the code's row: fifty simultaneous starts with one code must give one draft.
        found = (
            InvitationCode.objects.select_for_update()
            .filter(survey=survey, code_hash=code_hash(survey=survey, code=code))
            .first()
        )
        if found is None:
            raise CodeInvalid
        if found.used:
            raise CodeAlreadyUsed
        found.used = True
        found.save(update_fields=["used"])
    return AnswerDraft.objects.create(survey=survey, language=language, expires_at=_draft_expiry(now))


def answer_draft_save(*, draft: AnswerDraft, now: dt.datetime) -> AnswerDraft:
    """Keep a page's answers (set on the draft by the caller) and restart the draft's idle clock."""
    draft.expires_at = _draft_expiry(now)
    AnswerDraft.objects.filter(pk=draft.pk).update(
        language=draft.language,
        area=draft.area,
        area_chosen=draft.area_chosen,
        answers=draft.answers,
        expires_at=draft.expires_at,
    )
    return draft


def answer_drafts_purge(*, now: dt.datetime) -> int:
    """Delete abandoned drafts: answers nobody will submit are not kept (nor backed up) beyond their idle time."""
    deleted, _counts = AnswerDraft.objects.filter(expires_at__lte=now).delete()
    return deleted


def _response_store_in_random_place(
    *, survey: Survey, today: dt.date, area: str, answers: dict[str, object]
) -> None:
    """Store the answers so that no storage detail gives their order among the day's answers.

    Times are dates only and keys random, but the database keeps its own order: SQLite's rowid and the
    physical position of a row grow with insertion, and PostgreSQL stamps each row with the transaction that
    wrote it (`xmin`, the same as on the code used when answering started). So the new answers go into a
    uniformly chosen row of the day's rows (the inside-out Fisher–Yates shuffle: the new row takes that row's
    old answers), and one statement rewrites every row of the day, so all of them carry this transaction.
    Whatever order the rows are read in, each day's answers are in a uniformly random order.
    """
    same_day = list(
        Response.objects.select_for_update()
        .filter(survey=survey, submitted_on=today)
        .values_list("pk", "area", "answers", "weight")
    )
    place = secrets.randbelow(len(same_day) + 1)
    if place == len(same_day):
        Response.objects.create(survey=survey, submitted_on=today, area=area, answers=answers)
    else:
        partner, partner_area, partner_answers, partner_weight = same_day[place]
        Response.objects.create(
            survey=survey,
            submitted_on=today,
            area=partner_area,
            answers=partner_answers,
            weight=partner_weight,
        )
    day = Response.objects.filter(survey=survey, submitted_on=today)
    if place == len(same_day):
        day.update(weight=F("weight"))
        return
    day.update(
        area=Case(When(pk=partner, then=Value(area)), default=F("area")),
        answers=Case(When(pk=partner, then=Value(answers, output_field=JSONField())), default=F("answers")),
        weight=Case(When(pk=partner, then=Value(1.0)), default=F("weight")),
    )


@transaction.atomic
def response_submit(*, draft_id: uuid.UUID | str, survey: Survey, today: dt.date, now: dt.datetime) -> None:
    """Store the answers of a draft, once: the draft is deleted in the same transaction.

    Deliberately no audit entry and no return value naming the row: a logged time or id would tie the answers
    to the moment of submission.
    """
    if survey.status != Survey.Status.OPEN:
        raise ValidationError(_("Mätningen tar inte emot svar just nu."))
    draft = (
        AnswerDraft.objects.select_for_update().filter(pk=draft_id, survey=survey, expires_at__gt=now).first()
    )
    if draft is None:
        raise DraftMissing
    area = draft.area
    if area and area not in survey.areas:
        raise ValidationError(_("Okänt område."))
    answers = dict(draft.answers)
    draft.delete()
    _response_store_in_random_place(survey=survey, today=today, area=area, answers=answers)


# ----------------------------------------------------------------------------------------------------------
# Importing


def upload_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "surveys" / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def survey_check_import_allowed(*, survey: Survey) -> None:
    """The one-source rule: a survey that has answers from the web form takes no imported answers. Checked when
    the file is uploaded, before any column is mapped, and again when it is imported."""
    if survey.responses.exists():
        raise ValidationError(
            _("Mätningen har redan svar från webbformuläret; importera till en ny mätning.")
        )


@transaction.atomic
def survey_import_file(
    *,
    survey: Survey,
    path: str | os.PathLike[str],
    kind: str,
    mapping: Mapping[str, str],
    original_name: str,
    by: User,
    today: dt.date,
    progress: importing.Progress | None = None,
) -> SurveyDataFile:
    """Map, validate and keep an uploaded file as the survey's answers; raise SurveyFileError and keep nothing
    if any row has an error."""
    _require_builder(by, survey.municipality)
    survey_check_import_allowed(survey=survey)
    targets = [target for target in mapping.values() if target]
    if len(set(targets)) != len(targets):
        raise ValidationError(_("Två kolumner har fått samma namn."))
    with tempfile.NamedTemporaryFile(
        "w+", encoding="utf-8", suffix=".csv", newline="", delete=False
    ) as handle:
        converted = handle.name
        importing.write_interchange(path, kind, mapping, handle, progress=progress)
    try:
        responses = analysis.read_responses(converted, progress=progress)
        SurveyDataFile.objects.filter(survey=survey).delete()
        with open(converted, "rb") as opened:
            data_file = SurveyDataFile(
                survey=survey,
                original_name=original_name[:255],
                row_count=responses.row_count,
                imported_on=today,
            )
            data_file.file.save("answers.csv", File(opened), save=False)
            data_file.save()
    finally:
        os.unlink(converted)
    audit_record(
        actor=by,
        action=AuditEntry.Action.CREATE,
        instance=data_file,
        changes={"rows": [None, data_file.row_count], "file": [None, original_name]},
    )
    return data_file
