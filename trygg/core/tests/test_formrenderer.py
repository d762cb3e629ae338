"""Form widgets are drawn by Django's Jinja2 widget templates (`trygg.core.formrenderer.WidgetRenderer`): the same
markup as Django's template engine draws, and the admin's own widget templates still work."""

import datetime as dt
from html.parser import HTMLParser
from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.template.backends.jinja2 import Template as JinjaTemplate
from django.urls import reverse

from trygg.accounts.models import User
from trygg.core.formrenderer import WidgetRenderer
from trygg.municipalities.models import Municipality


class _Everything(forms.Form):
    text = forms.CharField(max_length=20, help_text="Hjälp", initial='"citat" & <tagg>')
    number = forms.IntegerField(min_value=0, required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), initial=dt.date(2026, 12, 6))
    story = forms.CharField(widget=forms.Textarea, initial="rad ett\nrad två")
    choice = forms.ChoiceField(choices=[("", "–"), ("a", "Åtta"), ("b", "Bé")], initial="b")
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y")], initial=["y"])
    ticks = forms.MultipleChoiceField(
        choices=[("1", "Ett"), ("2", "Två")], widget=forms.CheckboxSelectMultiple, initial=["1"]
    )
    radio = forms.ChoiceField(choices=[("j", "Ja"), ("n", "Nej")], widget=forms.RadioSelect)
    agree = forms.BooleanField(required=False, initial=True)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=False))
    hidden = forms.CharField(widget=forms.HiddenInput, initial="dold")
    upload = forms.FileField(required=False)


class _Markup(HTMLParser):
    """Tags with their attributes (values unescaped) and text with its white space collapsed: what a browser makes of
    the HTML, without the escaping style (`&quot;` or `&#34;`) or the line breaks between tags."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[object] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append((tag, attrs))

    def handle_endtag(self, tag: str) -> None:
        self.parts.append(("/", tag))

    def handle_data(self, data: str) -> None:
        if text := " ".join(data.split()):
            self.parts.append(text)


def _markup(html: str) -> list[object]:
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser.parts


def test_the_settings_draw_widgets_with_jinja2() -> None:
    renderer = get_default_renderer()

    assert isinstance(renderer, WidgetRenderer)
    assert isinstance(renderer.get_template("django/forms/widgets/select.html"), JinjaTemplate)


@pytest.mark.parametrize("bound", [False, True])
def test_every_kind_of_widget_has_the_markup_of_django_s_template_engine(bound: bool) -> None:
    data = (
        {"text": "x" * 30, "number": "-1", "choice": "a", "many": ["x", "y"], "radio": "n"} if bound else None
    )
    fast = _Everything(data, renderer=WidgetRenderer())
    reference = _Everything(data, renderer=DjangoTemplates())
    if bound:
        assert not fast.is_valid() and not reference.is_valid()

    for name in fast.fields:
        assert _markup(str(fast[name])) == _markup(str(reference[name])), name
        assert _markup(fast[name].label_tag()) == _markup(reference[name].label_tag())
    assert _markup(str(fast)) == _markup(str(reference))
    assert ("value", "x" * 30 if bound else '"citat" & <tagg>') in _markup(str(fast["text"]))[0][1]  # type: ignore[index]


def test_a_template_only_django_s_engine_has_is_drawn_by_it() -> None:
    template = WidgetRenderer().get_template("admin/widgets/related_widget_wrapper.html")

    assert not isinstance(template, JinjaTemplate)


@pytest.mark.django_db
def test_the_operators_admin_still_draws_its_change_form_with_related_widgets(
    login: Any, home_municipality: Municipality
) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    operator = User.objects.create_superuser("operator", "operator@example.se", "ett-långt-lösenord")
    TOTPDevice.objects.create(user=operator, name="test", confirmed=True)
    client = login(operator)

    response = client.get(reverse("admin:municipalities_municipality_change", args=[home_municipality.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "related-widget-wrapper" in html
    assert f'value="{home_municipality.slug}"' in html
