from django import template
from django.conf import settings
from django.forms import BoundField
from django.http import HttpRequest
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info

register = template.Library()


@register.simple_tag(takes_context=True)
def other_languages(context: template.Context) -> list[dict[str, str]]:
    """The current page in each other interface language, as plain links (no script, no form)."""
    request: HttpRequest | None = context.get("request")
    path = request.get_full_path() if request else "/"
    current = get_language()
    links = []
    for code, _name in settings.LANGUAGES:
        if code == current:
            continue
        info = get_language_info(code)
        links.append({"code": code, "name": info["name_local"], "url": translate_url(path, code)})
    return links


@register.filter
def described(field: BoundField, hint: str = "") -> str:
    """The field's widget, pointing with aria-describedby at its hint and its error messages (WCAG 3.3.1).
    `hint` says the template writes a hint of its own instead of the field's help text."""
    described_by = []
    if field.help_text or hint:
        described_by.append(f"{field.auto_id}-hint")
    if field.errors:
        described_by.append(f"{field.auto_id}-error")
    if not described_by:
        return str(field)
    return field.as_widget(attrs={"aria-describedby": " ".join(described_by)})


@register.filter
def anchor(field: BoundField) -> str:
    """The id an error summary links to: the field's input, or the first choice of a group of radio buttons."""
    if field.id_for_label:
        return field.id_for_label
    choices = field.subwidgets
    return choices[0].id_for_label if choices else field.auto_id or ""
