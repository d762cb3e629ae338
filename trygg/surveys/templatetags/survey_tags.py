from typing import Any

from django import template

from trygg.municipalities.models import Municipality
from trygg.surveys.models import Survey

register = template.Library()


@register.simple_tag
def question_meta(form: Any, name: str) -> dict[str, Any]:
    """The language and kind of one question on an AnswerForm, for its fieldset's lang/dir attributes."""
    question = getattr(form, "questions", {}).get(name)
    if question is None:
        return {"is_text": False, "lang": "", "rtl": False}
    return {"is_text": question.kind == "text", "lang": question.lang, "rtl": question.rtl}


@register.inclusion_tag("surveys/_published_list.html")
def published_surveys(municipality: Municipality) -> dict[str, Any]:
    """The municipality's published surveys, newest first, for its start page."""
    surveys = Survey.objects.published().filter(municipality=municipality).order_by("-year", "-pk")
    return {"municipality": municipality, "surveys": list(surveys)}
