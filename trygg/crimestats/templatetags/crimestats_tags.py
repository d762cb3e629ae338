from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from trygg.crimestats.analysis import Change, Figure

register = template.Library()


@register.filter
def number(value: float | int | None, decimals: int = 0) -> str:
    if value is None:
        return "–"
    return number_format(round(value, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True)


@register.filter
def rate(figure: Figure | None) -> str:
    # A figure the source lacks (or an area without every member) is "saknas", never 0; "–" is a figure
    # without a population to divide by.
    if figure is None or figure.count is None:
        return _("saknas")
    if figure.rate is None:
        return "–"
    text = number(figure.rate, 1)
    if not figure.uncertain:
        return text
    uncertain = _("osäker")  # outside the f-string, where makemessages finds it
    return f"{text} ({uncertain})"


@register.filter
def count(figure: Figure | None) -> str:
    if figure is None or figure.count is None:
        return _("uppgift saknas")
    text = number(figure.count)
    if figure.partial:
        text = f"{text} ({figure.months_label})"
    if not figure.preliminary:
        return text
    preliminary = _("prel.")
    return f"{text} {preliminary}"


@register.filter
def percent_change(value: Change | None) -> str:
    if value is None or value.percent is None:
        return "–"
    sign = "+" if value.percent > 0 else ("−" if value.percent < 0 else "±")
    # A no-break space: the per cent sign never ends up alone on the next line.
    text = f"{sign}{number(abs(value.percent), 1)}\u00a0%"
    return f"{text} ({value.months})" if value.months else text


@register.filter
def times(value: float | None) -> str:
    if value is None:
        return "–"
    return _("%(value)s gånger") % {"value": number(value, 2)}


@register.filter
def report_text(items: object) -> str:
    """An import's report entry as text: "Mord och dråp (1), Rån (3)", a list joined, or the value."""
    if isinstance(items, dict):
        return ", ".join(
            f"{name} ({' + '.join(value) if isinstance(value, list) else value})"
            for name, value in items.items()
        )
    if isinstance(items, list):
        return "; ".join(str(item) for item in items)
    return str(items)
