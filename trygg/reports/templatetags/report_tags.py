from typing import Any

from django import template

from trygg.followup.selectors import activity_period
from trygg.promises.models import Activity
from trygg.reports.models import Report
from trygg.reports.selectors import activity_report_metrics

register = template.Library()


@register.inclusion_tag("reports/_activity_metrics.html")
def report_metrics(activity: Activity, level: int = 2) -> dict[str, Any]:
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
