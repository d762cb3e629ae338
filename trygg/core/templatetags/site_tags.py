import hashlib
import re
from functools import lru_cache
from urllib.parse import urlsplit

from django import template
from django.conf import settings
from django.forms import BoundField
from django.http import HttpRequest
from django.urls import get_urlconf, translate_url
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_info, gettext

from trygg.core.charts import NARROW_MEDIA, NARROW_PARAMETER
from trygg.core.fileerrors import LineError, MessageError

register = template.Library()


@register.simple_tag(takes_context=True)
def other_languages(context: template.Context) -> list[dict[str, str]]:
    """The current page in each other interface language, as plain links (no script, no form)."""
    request: HttpRequest | None = context.get("request")
    path = request.get_full_path() if request else "/"
    current = get_language()
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    links = []
    for code, _name in settings.LANGUAGES:
        if code == current:
            continue
        info = get_language_info(code)
        links.append(
            {"code": code, "name": info["name_local"], "url": _translated(urlconf, current, path, code)}
        )
    return links


@lru_cache(maxsize=1024)
def _translated(urlconf: str, current: str, path: str, code: str) -> str:
    """`translate_url` once per address and language: resolving a path costs more than the rest of the tag, and
    the same pages are asked for again and again. Keyed by the URLconf and the active language, which the
    resolution depends on; a bounded cache, so odd query strings only push older entries out."""
    return translate_url(path, code)


_NUMBER_AND_UNIT = re.compile(r"(?<=\d) (?=%|‰|procentenheter|percentage points)")


@register.filter
def swedish(text: object) -> str:
    """Text people wrote in Swedish (a promise, a comment, a name), marked as Swedish on a page in another
    language, so a screen reader pronounces it as Swedish: `{{ comment.text|swedish }}`. Paragraphs made by
    `linebreaks` go in a `<div lang="sv">`, since a span may not hold them."""
    if text in (None, ""):
        return ""
    if (get_language() or settings.LANGUAGE_CODE).split("-")[0] == "sv":
        return format_html("{}", text)
    if isinstance(text, SafeString) and text.lstrip().startswith("<p>"):
        return format_html('<div lang="sv">{}</div>', text)
    return format_html('<span lang="sv">{}</span>', text)


@register.filter
def url_host(url: object) -> str:
    """The site a link leads to ("ljungby.se" for https://www.ljungby.se/…), said beside a link to another site."""
    host = urlsplit(str(url or "")).hostname or ""
    return host.removeprefix("www.")


@register.filter
def keep_units(text: object) -> str:
    """A figure and its unit ("24 %") joined by a no-break space, so that a narrow cell never wraps between them."""
    return _NUMBER_AND_UNIT.sub("\u00a0", str(text))


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


_CAPTION = re.compile(r"<caption(?P<attrs>[^>]*)>", re.IGNORECASE)
_ID = re.compile(r"""\bid\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


class TableRegionNode(template.Node):
    def __init__(
        self, nodelist: template.NodeList, name: tuple[str, template.base.FilterExpression] | None
    ) -> None:
        self.nodelist = nodelist
        self.name = name

    def render(self, context: template.Context) -> str:
        content: str = self.nodelist.render(context)
        if self.name is not None:
            attribute, value = self.name
            named = format_html('aria-{}="{}"', attribute, value.resolve(context))
        else:
            caption = _CAPTION.search(content)
            if caption is None:
                raise template.TemplateSyntaxError("table_region needs a table with a <caption> or a label")
            found = _ID.search(caption.group("attrs"))
            if found:
                caption_id = found.group(1)
            else:
                # The same table gives the same id, so a cached page and a fresh one agree.
                caption_id = "tabell-" + hashlib.sha256(content.encode()).hexdigest()[:10]
                content = (
                    content[: caption.start()]
                    + f'<caption id="{caption_id}"{caption.group("attrs")}>'
                    + content[caption.end() :]
                )
            named = format_html('aria-labelledby="{}"', caption_id)
        # `content` is the template's own rendered (autoescaped) output, with at most an id added to its caption.
        return format_html(
            '<div class="table-scroll" role="region" {} tabindex="0">{}</div>',
            named,
            mark_safe(content),  # noqa: S308
        )


#: A range of years or months ("2022–2024", "2023-01–2023-12"), and a figure written in groups of three
#: ("100 000"): units a line may not break inside.
_RANGE = re.compile(r"\b\d{4}(?:-\d{2})?–\d{4}(?:-\d{2})?\b")
_GROUPED = re.compile(r"\b\d{1,3}(?: \d{3})+\b")


@register.filter
def message_in_language(error: MessageError | LineError) -> str:
    """An import error's message (marked in a pure module with gettext_noop) in the page's language."""
    return error.message_in(gettext)


@register.filter
def unbroken_figures(value: object) -> SafeString:
    """The text, escaped, with each range of years or months, each figure in groups of three and each figure with its
    unit (`keep_units`) kept on one line:
    a browser may break a line after an en dash or at a space, and "2022–" or "100" at a line's end with "2024"
    or "000" below reads as two things (in a narrow table cell)."""
    text = keep_units(conditional_escape(str(value)))
    text = _GROUPED.sub(lambda found: found.group().replace(" ", "\u00a0"), text)
    return mark_safe(_RANGE.sub(lambda found: f'<span class="nowrap">{found.group()}</span>', text))  # noqa: S308


@register.tag
def table_region(parser: template.base.Parser, token: template.base.Token) -> TableRegionNode:
    """{% table_region %}<table><caption>…</caption>…</table>{% end_table_region %}: the one wrapper every public
    table sits in. A table wider than the screen scrolls sideways inside this focusable region, named by the
    table's caption (or by `label=` text or `labelledby=` an element's id), instead of squeezing its cells until
    words and numbers break (WCAG 1.4.10)."""
    bits = token.split_contents()[1:]
    name = None
    if bits:
        attribute, _sep, value = bits[0].partition("=")
        if len(bits) > 1 or attribute not in {"label", "labelledby"} or not value:
            raise template.TemplateSyntaxError("table_region takes label=… or labelledby=…, or nothing")
        name = (attribute, parser.compile_filter(value))
    nodelist = parser.parse(("end_table_region",))
    parser.delete_first_token()
    return TableRegionNode(nodelist, name)


@register.inclusion_tag("core/_chart.html")
def chart(
    src: str, alt: str, width: int | None = None, height: int | None = None, css_class: str = "chart"
) -> dict:
    """A chart drawn as SVG: the wide drawing, and below NARROW_MEDIA the narrow one its view draws with ?smal=1,
    so that no text on a phone is smaller than 12 CSS px. A data: address (in a PDF) has no narrow drawing."""
    narrow_src = None
    if not src.startswith("data:"):
        narrow_src = f"{src}{'&' if '?' in src else '?'}{NARROW_PARAMETER}=1"
    return {
        "src": src,
        "alt": alt,
        "width": width,
        "height": height,
        "css_class": css_class,
        "narrow_src": narrow_src,
        "media": NARROW_MEDIA,
    }
