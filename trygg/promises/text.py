"""How an activity's promised amount reads to a resident: "4 mätningar under året", "minst 1 gång per år"."""

from django.utils.translation import gettext as _

from .models import Activity, Promise


def period_phrase(*, per: str, promise: Promise) -> str:
    if per == Activity.Per.YEAR and promise.spans_one_year:
        return _("under året")
    if per == Activity.Per.PERIOD:
        return _("under perioden")
    return str(Activity.Per(per).label)


def activity_commitment(*, activity: Activity, promise: Promise) -> str:
    """The promised amount as a phrase, or "" when the activity promises no amount."""
    if activity.quantity is None and activity.quantity_max is None:
        return ""
    unit = activity.unit or _("gånger")
    if activity.quantity is not None and activity.quantity_max is not None:
        amount = f"{activity.quantity}–{activity.quantity_max}"
    elif activity.quantity is not None:
        amount = str(activity.quantity)
    else:
        amount = _("upp till %(max)s") % {"max": activity.quantity_max}
    if activity.at_least:
        amount = _("minst %(amount)s") % {"amount": amount}
    phrase = f"{amount} {unit}"
    if activity.per:
        phrase = f"{phrase} {period_phrase(per=activity.per, promise=promise)}"
    return phrase
