from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def question_meta(form: Any, name: str) -> dict[str, Any]:
    """The language and kind of one question on an AnswerForm, for its fieldset's lang/dir attributes."""
    question = getattr(form, "questions", {}).get(name)
    if question is None:
        return {"is_text": False, "lang": "", "rtl": False}
    return {"is_text": question.kind == "text", "lang": question.lang, "rtl": question.rtl}
