from collections.abc import Sequence
from html import escape

from django import template
from django.db.models import QuerySet
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from trygg.followup.models import Execution, PlannedDate
from trygg.followup.promise_page import ActivityView, RowTexts
from trygg.followup.selectors import execution_list_public, planned_date_list_public
from trygg.promises.models import Activity

register = template.Library()


@register.simple_tag
def activity_executions(activity: Activity) -> QuerySet[Execution]:
    """Every execution of one activity, for its own page: one query however many there are."""
    return execution_list_public(activity=activity)


@register.simple_tag
def activity_planned_dates(activity: Activity) -> QuerySet[PlannedDate]:
    return planned_date_list_public(activity=activity)


@register.simple_tag
def activity_rows(activities: Sequence[ActivityView], *, base: str, coming: bool = False) -> SafeString:
    """The promise page's lean row for each activity, as a list: its text linking to its own page (where the full
    facts are), who is responsible, the status written out (its colour and mark only repeat it), a cancellation's
    reason, the latest executions as short dated lines and a link to all of them. Before the promise starts
    (``coming``) there is no status or execution to show.

    ``base`` is the address of the page the rows are on (the promise's): the links are written relative to it
    ("aktivitet/12/"), which keeps 200 rows under the page's size budget (100 KiB) and the language prefix.

    Written here rather than as an included template: with hundreds of rows the template engine's cost for each
    variable was most of the page's time (issue 21); every value is escaped as ``{{ }}`` would. The strings that
    need a translation come from `RowTexts`, once per page rather than per row."""
    language = get_language() or "sv"
    texts = RowTexts(language)
    # People's Swedish text on a page in another language is marked so a screen reader says it in Swedish.
    swedish = "{}" if language.split("-")[0] == "sv" else '<span lang="sv">{}</span>'
    owner_label = escape(_("Ansvarig:"))
    no_owner = '<span class="warning-text">{}</span>'.format(escape(_("Ingen ansvarig part angiven")))
    example_label = ' <span class="example-data">{}</span>'.format(escape(_("Exempeldata")))
    cancelled_label = escape(_("Inställd:"))
    parts = ['<ul class="activity-rows">']
    for view in activities:
        url = escape(view.url.removeprefix(base) if base.endswith("/") else view.url)
        parts.append(
            f'<li id="aktivitet-{view.pk}"><h4><a href="{url}">'
            f"{swedish.format(escape(view.activity.text))}</a></h4><p>"
        )
        progress = view.progress
        if not coming:
            parts.append(
                f'<span class="status status-{escape(progress.status_value)}">{escape(texts.status(progress))}'
                f"</span> {escape(texts.progress(progress))}. "
            )
        parts.append(f"{owner_label} {escape(view.owners)}</p>" if view.owners else f"{no_owner}</p>")
        cancellation = progress.cancellation
        if cancellation is not None and not coming:
            # Why an activity was called off is public on the promise page; an assessment's reason is on its page.
            example = example_label if cancellation.is_example else ""
            parts.append(
                f"<p><strong>{cancelled_label}</strong> {swedish.format(escape(cancellation.reason))}{example}</p>"
            )
        if progress.latest and not coming:
            parts.append("<ul>")
            for execution in progress.latest:
                example = example_label if execution.is_example else ""
                parts.append(
                    f"<li>{escape(texts.day(execution.done_on))}: "
                    f"{swedish.format(escape(texts.line(execution.description)))}{example}</li>"
                )
            parts.append("</ul>")
            if progress.has_more:
                parts.append(
                    f'<a href="{url}#utforanden">{escape(texts.more(progress.executions_total))}</a>'
                )
        parts.append("</li>\n")
    parts.append("</ul>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
