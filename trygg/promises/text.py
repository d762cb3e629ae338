"""How an activity's promised amount reads to a resident: "4 mätningar under året", "minst 1 gång per år"."""

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from .models import Activity, Correction, FocusArea, Promise, Signatory


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


def _value(field_name: str, value: object) -> str:
    if value in (None, "", []):
        return "–"
    if field_name == "per" and isinstance(value, str) and value in Activity.Per.values:
        return str(Activity.Per(value).label)
    if isinstance(value, bool):
        return _("ja") if value else _("nej")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    text = str(value)
    return text if len(text) <= 80 else f"{text[:77]}…"


def _field_label(kind: str, field_name: str) -> str:
    model = {"promise": Promise, "signatory": Signatory, "focus_area": FocusArea, "activity": Activity}[kind]
    try:
        found = model._meta.get_field(field_name)
    except FieldDoesNotExist:
        return field_name
    return str(getattr(found, "verbose_name", field_name))


def correction_lines(correction: Correction) -> list[str]:
    """What a rättelse changed, one line per changed thing, in the reader's language:
    "aktiviteten ”Polisen ska fotpatrullera …”: antal – → 10, räknas per – → per år"."""
    things = {
        "promise": _("löftet"),
        "signatory": _("undertecknaren"),
        "focus_area": _("fokusområdet"),
        "activity": _("aktiviteten"),
    }
    grouped: dict[tuple[str, str, str], list[dict]] = {}
    for entry in correction.changes:
        key = (entry.get("object", ""), entry.get("label", ""), entry.get("change", ""))
        grouped.setdefault(key, []).append(entry)
    lines = []
    for (kind, label, change), entries in grouped.items():
        thing = things.get(kind, kind)
        name = thing if kind == "promise" else f"{thing} ”{_value('', label)}”"
        if change == "added":
            lines.append(_("%(thing)s lades till") % {"thing": name})
        elif change == "removed":
            lines.append(_("%(thing)s togs bort") % {"thing": name})
        elif change == "moved":
            lines.append(_("%(thing)s flyttades") % {"thing": name})
        else:
            fields = ", ".join(
                f"{_field_label(kind, entry['field'])} {_value(entry['field'], entry['before'])} → "
                f"{_value(entry['field'], entry['after'])}"
                for entry in entries
                if entry.get("field")
            )
            lines.append(f"{name}: {fields}")
    return [line[:1].upper() + line[1:] for line in lines]
