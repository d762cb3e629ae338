"""The measurability check applied to activities in the database, with the findings explained in Swedish."""

from dataclasses import dataclass

from django.utils.functional import Promise as LazyText
from django.utils.translation import gettext_lazy as _

from .models import Activity, Promise
from .parsing import check_activity

EXPLANATIONS: dict[str, LazyText] = {
    "no_quantity": _("Inget antal: det går inte att följa upp hur mycket som ska göras."),
    "no_party": _("Ingen ansvarig: aktiviteten säger inte vem som ska göra den."),
    "vague": _("Vag formulering: ord som ”arbeta för”, ”vid behov” eller ”skyndsamt” utan tidsgräns."),
    "no_period": _("Ingen tidsperiod: varken aktiviteten eller löftet säger när den ska vara gjord."),
}

# The field each finding concerns: the staff editor shows the finding beside that field.
FIELD_OF_FINDING = {
    "no_quantity": "quantity",
    "no_party": "responsible_parties",
    "vague": "text",
    "no_period": "per",
}


@dataclass(frozen=True)
class Finding:
    code: str
    explanation: str

    @property
    def field(self) -> str:
        return FIELD_OF_FINDING.get(self.code, "text")


def activity_findings(*, activity: Activity, promise: Promise) -> list[Finding]:
    codes = check_activity(
        text=activity.text,
        parties=[party.name for party in activity.responsible_parties.all()],
        quantity=activity.quantity,
        quantity_max=activity.quantity_max,
        per=activity.per or None,
        promise_has_period=promise.valid_from is not None and promise.valid_until is not None,
    )
    return [Finding(code=code, explanation=str(EXPLANATIONS.get(code, code))) for code in codes]


def promise_findings(*, promise: Promise) -> dict[int, list[Finding]]:
    """Findings per activity id, for every activity of the promise that has any."""
    findings = {}
    for focus_area in promise.focus_areas.all():
        for activity in focus_area.activities.all():
            found = activity_findings(activity=activity, promise=promise)
            if found:
                findings[activity.pk] = found
    return findings
