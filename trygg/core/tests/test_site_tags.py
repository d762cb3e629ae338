from django import forms
from django.template.loader import render_to_string


class _ExampleForm(forms.Form):
    place = forms.CharField(label="Plats", help_text="Gatan eller platsen.")
    area = forms.ChoiceField(
        label="Område", choices=[("a", "Centrum"), ("b", "Bolmen")], widget=forms.RadioSelect
    )


def test_item_32_a_field_with_an_error_is_described_by_its_hint_and_its_message() -> None:
    form = _ExampleForm(data={"place": ""})

    html = render_to_string("core/_field.html", {"field": form["place"]})

    assert 'aria-describedby="id_place-hint id_place-error"' in html
    assert html.count('id="id_place-error"') == 1


def test_item_32_a_field_without_errors_points_only_at_its_hint() -> None:
    html = render_to_string("core/_field.html", {"field": _ExampleForm()["place"]})

    assert 'aria-describedby="id_place-hint"' in html


def test_item_32_the_error_summary_links_a_radio_group_to_its_first_choice() -> None:
    form = _ExampleForm(data={"place": "Torget"})

    html = render_to_string("core/_form_errors.html", {"form": form})

    assert 'href="#id_area_0"' in html
    assert 'href="#"' not in html


def test_item_32_the_hidden_error_prefix_speaks_the_pages_language() -> None:
    from django.utils import translation

    form = _ExampleForm(data={"place": ""})

    with translation.override("en"):
        html = render_to_string("core/_field.html", {"field": form["place"]})

    assert '<span class="visually-hidden">Error: </span>' in html
