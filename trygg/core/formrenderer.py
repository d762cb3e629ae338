"""How form widgets are drawn (settings.FORM_RENDERER)."""

from typing import Any

from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class WidgetRenderer(Jinja2):
    """Django's own Jinja2 widget templates, the same markup as the template engine's (but for the blank lines
    between a select's options), drawn in a fraction of the time: a staff page of many forms renders in half the
    time (docs/performance.md). A template that exists only for Django's template engine, such as the admin's
    widget wrappers, is drawn by that engine."""

    def __init__(self) -> None:
        self.fallback = DjangoTemplates()

    def get_template(self, template_name: str) -> Any:
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.fallback.get_template(template_name)
