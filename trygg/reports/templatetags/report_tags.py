from typing import Any

from django import template

from trygg.promises.models import Activity
from trygg.reports.models import Report
from trygg.reports.selectors import activity_report_metrics

register = template.Library()


@register.inclusion_tag("reports/_activity_metrics.html")
def report_metrics(activity: Activity, level: int = 2) -> dict[str, Any]:
    """For an activity linked to report categories: the police-report share and time to cleaned per month."""
    if not activity.report_categories.exists():
        return {"show": False}
    return {
        "show": True,
        "level": level,
        "metrics": activity_report_metrics(activity),
        "example": Report.objects.filter(category__activities=activity, is_example=True).exists(),
    }
