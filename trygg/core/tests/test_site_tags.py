"""The site's template filters that keep figures whole in narrow table cells."""

from django.template import Context, Template

from trygg.core.templatetags.site_tags import unbroken_figures


def test_a_range_of_years_is_kept_on_one_line_and_a_grouped_figure_joined_by_no_break_spaces() -> None:
    text = unbroken_figures(
        "367,5 per 100 000 invånare, +32,6 % mot snittet för 2022–2024 och 2023-01–2023-12."
    )

    assert text == (
        '367,5 per 100\u00a0000 invånare, +32,6\u00a0% mot snittet för <span class="nowrap">2022–2024</span> och '
        '<span class="nowrap">2023-01–2023-12</span>.'
    )


def test_years_side_by_side_and_other_numbers_are_left_alone() -> None:
    assert unbroken_figures("2023 2024, årskurs 8 och 15 år") == "2023 2024, årskurs 8 och 15 år"


def test_the_text_is_escaped_before_any_markup_is_added() -> None:
    rendered = Template("{% load site_tags %}{{ value|unbroken_figures }}").render(
        Context({"value": '<script>alert("2022–2024")</script>'})
    )

    assert "<script>" not in rendered
    assert rendered.startswith("&lt;script&gt;alert(&quot;")
    assert '<span class="nowrap">2022–2024</span>' in rendered
