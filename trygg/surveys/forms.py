from collections.abc import Sequence
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from trygg.municipalities.models import Municipality
from trygg.problems.models import Problem

from .models import Language, Question, Survey
from .selectors import FormQuestion
from .services import DRAFT_ONLY_SETTINGS, SurveySettings
from .thresholds import MIN_K

NO_AREA = "-"
MAX_TEXT_ANSWER = 2000


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Din kod"),
        max_length=40,
        help_text=_(
            "Koden står i brevet du fick, t.ex. ABCDE-23456. Stora eller små bokstäver spelar ingen roll."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class LanguageForm(forms.Form):
    sprak = forms.ChoiceField(label=_("Språk för frågorna"))

    def __init__(self, *args: Any, languages: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["sprak"]).choices = list(languages)


class AnswerForm(forms.Form):
    """One page of the questionnaire. Every question may be left unanswered; only the area must be chosen."""

    def __init__(
        self, *args: Any, questions: Sequence[FormQuestion], areas: Sequence[str] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.questions = {question.code: question for question in questions}
        if areas:
            self.fields["area"] = forms.ChoiceField(
                label=_("I vilket område bor du?"),
                choices=[(area, area) for area in areas] + [(NO_AREA, _("Vet inte eller vill inte säga"))],
                widget=forms.RadioSelect,
                error_messages={"required": _("Välj ett område, eller ”Vet inte eller vill inte säga”.")},
            )
        for question in questions:
            if question.kind == Question.Kind.TEXT:
                self.fields[question.code] = forms.CharField(
                    label=question.text,
                    required=False,
                    max_length=MAX_TEXT_ANSWER,
                    widget=forms.Textarea(attrs={"rows": 4}),
                )
            else:
                self.fields[question.code] = forms.ChoiceField(
                    label=question.text, required=False, choices=question.choices, widget=forms.RadioSelect
                )

    def answers(self) -> dict[str, object]:
        """The cleaned answers as stored: codes as integers, free text as text, unanswered left out."""
        found: dict[str, object] = {}
        for name, value in self.cleaned_data.items():
            if value in ("", None) or name == "area":
                continue
            question = self.questions[name]
            found[name] = value if question.kind == Question.Kind.TEXT else int(value)
        return found

    def valid_part(self) -> dict[str, object]:
        """What can be kept from an invalid page (going back must not lose what was already right)."""
        kept: dict[str, object] = {}
        for name, field in self.fields.items():
            if name == "area" or name in self.errors:
                continue
            try:
                value = field.clean(self[name].data)
            except forms.ValidationError:
                continue
            if value not in ("", None):
                kept[name] = value if self.questions[name].kind == Question.Kind.TEXT else int(value)
        return kept


class _SurveyFields(forms.Form):
    """What creating a survey and changing its settings ask alike."""

    title = forms.CharField(label=_("Rubrik"), max_length=200)
    year = forms.IntegerField(label=_("År"), min_value=1990, max_value=2100)
    slug = forms.SlugField(
        label=_("Adress"), max_length=60, help_text=_("Används i webbadressen, t.ex. ”2024”.")
    )
    mode = forms.ChoiceField(label=_("Urval"), choices=Survey.Mode.choices, widget=forms.RadioSelect)
    k = forms.IntegerField(
        label=_("Minsta antal svar som visas"),
        min_value=MIN_K,
        initial=10,
        help_text=_("Färre svar än så visas som ”för få svar”. Aldrig under 5."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Fler språk"),
        required=False,
        choices=[choice for choice in Language.choices if choice[0] != Language.SWEDISH],
        widget=forms.CheckboxSelectMultiple,
    )
    areas = forms.CharField(
        label=_("Områden"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ett område per rad. Lämna tomt för kommunens områden."),
    )

    def area_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["areas"].splitlines() if line.strip()]


class SurveyCreateForm(_SurveyFields):
    municipality = forms.ModelChoiceField(label=_("Kommun"), queryset=Municipality.objects.none())

    field_order = ["municipality"]

    def __init__(self, *args: Any, municipalities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["municipality"]).queryset = municipalities


class SurveySettingsForm(_SurveyFields):
    """A survey's settings after it was created. What only a draft may change is shown but locked later."""

    introduction = forms.CharField(
        label=_("Inledning"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Visas först i formuläret: vem som frågar, varför och hur svaren används."),
    )

    field_order = ["title", "introduction"]

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "title": survey.title,
                "introduction": survey.introduction,
                "year": survey.year,
                "slug": survey.slug,
                "mode": survey.mode,
                "k": survey.k,
                "languages": list(survey.languages),
                "areas": "\n".join(survey.areas),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["slug"].help_text = _("Används i webbadressen och i breven, t.ex. ”2024”.")
        self.fields["areas"].help_text = _("Ett område per rad: de som den svarande väljer mellan.")
        if survey.status != Survey.Status.DRAFT:
            for name in DRAFT_ONLY_SETTINGS:
                field = self.fields[name]
                field.disabled = True
                field.help_text = _("Kan bara ändras medan mätningen är ett utkast.")

    def settings(self) -> SurveySettings:
        data = self.cleaned_data
        return SurveySettings(
            title=data["title"],
            introduction=data["introduction"],
            year=data["year"],
            slug=data["slug"],
            mode=data["mode"],
            k=data["k"],
            languages=list(data["languages"]),
            areas=self.area_list(),
        )


class QuestionsField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.text} ({obj.code})"


class QuestionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.code}: {obj.text[:60]}"


class QuestionSelectForm(forms.Form):
    questions = QuestionsField(
        label=_("Frågor i mätningen"),
        queryset=Question.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelMultipleChoiceField, self.fields["questions"])
        field.queryset = Question.objects.available_to(survey.municipality)


class CustomQuestionForm(forms.Form):
    text = forms.CharField(label=_("Frågetext"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(
        label=_("Slag"),
        choices=[
            (Question.Kind.PROBLEM, Question.Kind.PROBLEM.label),
            (Question.Kind.CHOICE, Question.Kind.CHOICE.label),
            (Question.Kind.TEXT, Question.Kind.TEXT.label),
        ],
        widget=forms.RadioSelect,
    )
    choices = forms.CharField(
        label=_("Svarsalternativ"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Bara för egen fråga med svarsalternativ: ett alternativ per rad."),
    )
    problem = forms.ModelChoiceField(
        label=_("Problem i problemlistan"), queryset=Problem.objects.all(), required=False
    )


class TranslationForm(forms.Form):
    question = QuestionField(label=_("Fråga"), queryset=Question.objects.none())
    language = forms.ChoiceField(
        label=_("Språk"), choices=[choice for choice in Language.choices if choice[0] != Language.SWEDISH]
    )
    text = forms.CharField(label=_("Frågetext"), widget=forms.Textarea(attrs={"rows": 3}))
    choice_labels = forms.CharField(
        label=_("Svarsalternativ"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Ett per rad i samma ordning som på svenska. Tomma rader behåller den svenska texten."),
    )

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["question"])
        field.queryset = survey.questions.all()

    def labels(self) -> dict[str, str]:
        question: Question = self.cleaned_data["question"]
        lines = self.cleaned_data["choice_labels"].splitlines()
        return {
            str(code): line.strip()
            for (code, _label), line in zip(question.choices, lines, strict=False)
            if line.strip()
        }


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Survey.Status.choices)


class CodesForm(forms.Form):
    count = forms.IntegerField(label=_("Antal koder"), min_value=1, max_value=100_000, initial=100)


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fil"), help_text=_("Utbytesformatet (CSV i UTF-8, kommaseparerad) eller en SPSS-fil (.sav).")
    )

    def clean_file(self) -> Any:
        uploaded = self.cleaned_data["file"]
        if not uploaded.name.lower().endswith((".csv", ".sav")):
            raise forms.ValidationError(_("Filen ska sluta på .csv eller .sav."))
        return uploaded


IGNORE = ""
KEEP = "="


class MappingForm(forms.Form):
    """One select per column of the uploaded file: which interchange column it becomes."""

    def __init__(self, *args: Any, columns: Sequence[str], targets: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.columns = list(columns)
        choices = [(IGNORE, _("Använd inte")), (KEEP, _("Behåll med samma namn (gruppering)"))] + [
            (target, target) for target in targets
        ]
        known = set(targets)
        for index, column in enumerate(self.columns):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=column, choices=choices, required=False, initial=column if column in known else IGNORE
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        mapping = self.mapping()
        targets = [target for target in mapping.values() if target]
        duplicates = sorted({target for target in targets if targets.count(target) > 1})
        if duplicates:
            raise forms.ValidationError(
                _("Flera kolumner har fått samma namn: %(names)s.") % {"names": ", ".join(duplicates)}
            )
        return cleaned

    def mapping(self) -> dict[str, str]:
        found = {}
        for index, column in enumerate(self.columns):
            choice = (self.cleaned_data or {}).get(f"column_{index}", IGNORE)
            found[column] = column if choice == KEEP else choice
        return found


class BreakdownForm(forms.Form):
    per = forms.ChoiceField(
        label=_("Redovisa per"),
        required=False,
        choices=[("", _("Hela kommunen")), ("area", _("Område")), ("kon", _("Kön")), ("alder", _("Ålder"))],
    )
