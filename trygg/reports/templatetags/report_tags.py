from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from trygg.core.pagecache import fragment_register, fragment_render
from trygg.followup.selectors import activity_period
from trygg.municipalities.models import Municipality
from trygg.promises.models import Activity
from trygg.reports.models import Report
from trygg.reports.selectors import PublicFilter, activity_report_metrics, report_rows_public

register = template.Library()

METRICS_TEMPLATE = "reports/_activity_metrics.html"


def report_metrics_context(activity: Activity, level: int) -> dict[str, Any]:
    """For an activity linked to report categories: the police-report share and time to cleaned per month,
    for reports filed inside the activity's period only."""
    if not activity.report_categories.exists():
        return {"show": False}
    start, end = activity_period(activity)
    metrics = activity_report_metrics(activity, period=(start, end))
    return {
        "show": True,
        "level": level,
        "metrics": metrics,
        "example": any(metrics)
        and Report.objects.filter(
            category__activities=activity,
            is_example=True,
            created_at__date__gte=start,
            created_at__date__lte=end,
        ).exists(),
    }


def report_metrics_rendered(activity_pk: int, level: int) -> str:
    """The figures again from the activity's number alone: a cached activity page asks for them after a report
    changed, without rendering the rest of the page."""
    activity = Activity.objects.select_related("focus_area__promise").get(pk=activity_pk)
    return render_to_string(METRICS_TEMPLATE, report_metrics_context(activity, level))


# Every report filed changes these figures; as a fragment of the cached page (trygg/core/pagecache.py) they are
# all that is rendered again, and the activity page around them stays in the cache.
fragment_register("reports.activity_metrics", report_metrics_rendered)


@register.simple_tag
def report_metrics(activity: Activity, level: int = 2) -> SafeString:
    return fragment_render(
        "reports.activity_metrics",
        activity.pk,
        level,
        render=lambda: render_to_string(METRICS_TEMPLATE, report_metrics_context(activity, level)),
    )


MAP_TABLE_TEMPLATE = "reports/_report_map_table.html"
# The map page lists at most this many reports (its GeoJSON carries the rest).
MAP_TABLE_ROWS = 500


def public_report_table_rendered(municipality_pk: int, category: str, state: str) -> str:
    """The map page's list of public reports, from the municipality's number and the filters alone."""
    municipality = Municipality.objects.get(pk=municipality_pk)
    filters = PublicFilter(category=category, state=state)
    rows = report_rows_public(municipality=municipality, filters=filters, limit=MAP_TABLE_ROWS)
    return render_to_string(MAP_TABLE_TEMPLATE, {"reports": rows})


# Each report filed or changed changes the list; as a fragment of the cached map page it is all that is rendered
# again, and the page around it (the filters, the map) stays in the cache.
fragment_register("reports.map_table", public_report_table_rendered)


@register.simple_tag
def public_report_table(municipality: Municipality, filters: PublicFilter) -> SafeString:
    def render() -> str:
        rows = report_rows_public(municipality=municipality, filters=filters, limit=MAP_TABLE_ROWS)
        return render_to_string(MAP_TABLE_TEMPLATE, {"reports": rows})

    return fragment_render(
        "reports.map_table", municipality.pk, filters.category, filters.state, render=render
    )
