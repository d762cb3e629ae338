from django import template
from django.db.models import QuerySet

from trygg.followup.models import Execution, PlannedDate
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
