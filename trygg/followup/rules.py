"""Who may follow up which activity. Built on `trygg.municipalities.rules`.

Recording, correcting, assessing, cancelling and planning an activity's follow-up is for staff of one of
its responsible parties (a membership in that party in the activity's municipality), for a person named
responsible for it who works in that municipality, and for the municipality's coordinators and
administrators. Other staff of the municipality get 403; staff of other municipalities never see it (404).
"""

from django.db.models import F, Q, QuerySet

from trygg.municipalities import rules
from trygg.municipalities.models import Membership, Municipality
from trygg.promises.models import Activity

AnyUser = rules.AnyUser


def activity_municipality(activity: Activity) -> Municipality:
    return activity.focus_area.promise.municipality


def staff_activities(user: AnyUser) -> QuerySet[Activity]:
    """Activities that exist for the user at all: those of the municipalities they work in."""
    return Activity.objects.filter(focus_area__promise__municipality__in=rules.staff_municipalities(user))


def own_activities(user: AnyUser) -> QuerySet[Activity]:
    """The user's own activities: named responsible, or one of the user's parties is responsible there."""
    if not user.is_authenticated or not user.is_active:
        return Activity.objects.none()
    # One filter() call, so party and municipality are checked on the same membership row.
    through_party = Activity.objects.filter(
        responsible_parties__memberships__user_id=user.pk,
        responsible_parties__memberships__municipality=F("focus_area__promise__municipality"),
    )
    return (
        staff_activities(user)
        .filter(Q(responsible_users=user.pk) | Q(pk__in=through_party.values("pk")))
        .distinct()
    )


def can_follow_up_activity(user: AnyUser, activity: Activity) -> bool:
    """May record, correct, assess, cancel and plan this activity's follow-up.

    The second factor is checked where the request comes in (`staff_required`, the API's session auth)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if getattr(user, "is_superuser", False):
        return True
    municipality = activity_municipality(activity)
    memberships = Membership.objects.filter(user_id=user.pk, municipality=municipality)
    if memberships.filter(role__in=rules.EDITOR_ROLES).exists():
        return True
    if memberships.filter(party__in=activity.responsible_parties.all()).exists():
        return True
    return memberships.exists() and activity.responsible_users.filter(pk=user.pk).exists()
