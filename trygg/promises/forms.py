"""Forms of the staff promise editor. Choices come from the page's read model, so a form costs no query."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.forms import BoundField
from django.utils.translation import gettext_lazy as _

from trygg.core.validators import validate_not_reserved
from trygg.followup.forms import DateInput

from .models import Activity, Promise, slug_validator
from .services import PROMISE_FIELDS, shift_years

Choices = Sequence[tuple[int, str]]


class PublishForm(forms.Form):
    confirm_findings = forms.BooleanField(
        label=_("Jag har läst anmärkningarna och vill publicera löftet ändå."),
        required=False,
    )


def reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Varför ändras löftet?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Löftet är publicerat: ändringen visas på löftets sida som en rättelse med dagens datum, vad som "
            "ändrades och den här anledningen."
        ),
        error_messages={
            "required": _("Löftet är publicerat. Skriv varför det ändras: anledningen visas för invånarna.")
        },
    )


class EditorForm(forms.Form):
    """A form of the editor: on a published promise every change also asks why (a rättelse)."""

    def __init__(self, *args: Any, promise: Promise, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.promise = promise
        if promise.is_public:
            self.fields["reason"] = reason_field()

    @property
    def reason_text(self) -> str:
        return str(self.cleaned_data.get("reason") or "")

    def changes(self) -> dict[str, Any]:
        """The cleaned fields the service takes (everything but the reason)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "reason"}


class ReasonForm(EditorForm):
    """Only the reason: removing or moving something of a published promise."""


class PromiseBasicsForm(forms.Form):
    """Title, address and period: what every new or changed promise has."""

    title = forms.CharField(label=_("Rubrik"), max_length=200)
    slug = forms.CharField(
        label=_("Adress"),
        max_length=60,
        validators=[slug_validator, validate_not_reserved],
        help_text=_("Del av webbadressen: ”2023”, ”2024-2025” eller ”2024-centrum”."),
    )
    valid_from = forms.DateField(label=_("Gäller från"), widget=DateInput())
    valid_until = forms.DateField(label=_("Gäller till och med"), widget=DateInput())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("Slutdatumet kan inte ligga före startdatumet."))
        return cleaned


class NewPromiseForm(PromiseBasicsForm):
    municipality = forms.TypedChoiceField(label=_("Kommun"), coerce=int)

    field_order = ["municipality", "title", "slug", "valid_from", "valid_until"]

    def __init__(self, *args: Any, municipalities: Choices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipality"].choices = list(municipalities)  # type: ignore[attr-defined]


class PromiseDetailsForm(EditorForm, PromiseBasicsForm):
    introduction = forms.CharField(
        label=_("Inledning"), required=False, widget=forms.Textarea(attrs={"rows": 6}), max_length=20000
    )
    background = forms.CharField(
        label=_("Bakgrund"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20000,
        help_text=_("Varför löftet finns: samarbetet, lägesbilden, trygghetsmätningen."),
    )
    source_note = forms.CharField(
        label=_("Källa"),
        required=False,
        max_length=300,
        help_text=_("Visas under löftet, t.ex. varifrån texten kommer."),
    )
    source_url = forms.URLField(
        label=_("Originalet"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "Adressen till löftet som kommunen och polisen publicerade, länkad från den publika sidan."
        ),
        error_messages={
            "invalid": _("Skriv en hel webbadress, till exempel https://www.kommun.se/medborgarlofte.")
        },
    )

    # The order of the promise's own fields, as the service names them.
    field_order = list(PROMISE_FIELDS)

    def __init__(self, *args: Any, promise: Promise, **kwargs: Any) -> None:
        super().__init__(*args, promise=promise, **kwargs)
        if promise.is_public:
            # Links to a published promise exist: its address stays.
            del self.fields["slug"]
        else:
            self.fields["slug"].help_text = _(
                "Del av webbadressen. Den kan inte ändras när löftet har publicerats."
            )


class SignatoryForm(EditorForm):
    name = forms.CharField(label=_("Namn"), max_length=200)
    role = forms.CharField(
        label=_("Befattning"), max_length=200, help_text=_("T.ex. ”kommunstyrelsens ordförande”.")
    )
    party = forms.TypedChoiceField(label=_("Part"), coerce=int, required=False, empty_value=None)
    signed_on = forms.DateField(label=_("Undertecknat den"), required=False, widget=DateInput())

    def __init__(self, *args: Any, promise: Promise, parties: Choices, **kwargs: Any) -> None:
        super().__init__(*args, promise=promise, **kwargs)
        self.fields["party"].choices = [("", "–"), *parties]  # type: ignore[attr-defined]


class FocusAreaForm(EditorForm):
    title = forms.CharField(label=_("Rubrik"), max_length=200)
    description = forms.CharField(
        label=_("Problembeskrivning"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
    )
    problems = forms.TypedMultipleChoiceField(
        label=_("Problem i den gemensamma problemlistan"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Kopplar fokusområdet till lägesbilden: brottsstatistik, trygghetsmätning, felanmälningar."
        ),
    )
    evidence_note = forms.CharField(
        label=_("Underlag"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_(
            "Vad valet bygger på, t.ex. ”Trygghetsmätningen 2022: var femte ser skadegörelse som ett problem”."
        ),
    )

    def __init__(self, *args: Any, promise: Promise, problems: Choices, **kwargs: Any) -> None:
        super().__init__(*args, promise=promise, **kwargs)
        self.fields["problems"].choices = list(problems)  # type: ignore[attr-defined]


class ActivityAmountsForm(forms.Form):
    """What an activity promises, for whom and where: the fields the editor and the import review share."""

    #: The names of the responsible parties' and the partners' fields in the form that uses these.
    parties_field = "responsible_parties"
    partners_field = "partners"

    other_partners = forms.CharField(
        label=_("Andra samarbetspartner"),
        required=False,
        max_length=500,
        help_text=_("Organisationer som inte är parter, t.ex. ”civilsamhället, föreningar”."),
    )
    quantity = forms.IntegerField(label=_("Antal"), required=False, min_value=0)
    quantity_max = forms.IntegerField(
        label=_("Högst"), required=False, min_value=0, help_text=_("Bara för ett spann: ”3–4 gånger”.")
    )
    at_least = forms.BooleanField(label=_("Antalet är ett golv (”minst”)"), required=False)
    unit = forms.CharField(
        label=_("Enhet"), required=False, max_length=60, help_text=_("T.ex. ”mätningar”, ”gånger”.")
    )
    per = forms.ChoiceField(label=_("Räknas per"), required=False, choices=[("", "–"), *Activity.Per.choices])
    target_group = forms.CharField(label=_("Målgrupp"), required=False, max_length=300)
    place = forms.CharField(label=_("Plats"), required=False, max_length=300)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        quantity, quantity_max = cleaned.get("quantity"), cleaned.get("quantity_max")
        if quantity is not None and quantity_max is not None and quantity_max < quantity:
            self.add_error("quantity_max", _("”Högst” kan inte vara mindre än antalet."))
        if (quantity is not None or quantity_max is not None) and not cleaned.get("per"):
            self.add_error("per", _("Ange vad antalet räknas per (år, månad, hela perioden …)."))
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("Slutdatumet kan inte ligga före startdatumet."))
        if set(cleaned.get(self.parties_field) or []) & set(cleaned.get(self.partners_field) or []):
            self.add_error(
                self.partners_field, _("En part kan inte vara både ansvarig och samarbetspartner.")
            )
        return cleaned


class ActivityForm(EditorForm, ActivityAmountsForm):
    focus_area = forms.TypedChoiceField(label=_("Fokusområde"), coerce=int)
    text = forms.CharField(label=_("Aktivitet"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    responsible_parties = forms.TypedMultipleChoiceField(
        label=_("Ansvariga parter"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    partners = forms.TypedMultipleChoiceField(
        label=_("Samarbetspartner bland parterna"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    area = forms.TypedChoiceField(label=_("Område"), coerce=int, required=False, empty_value=None)
    start_date = forms.DateField(label=_("Startdatum"), required=False, widget=DateInput())
    end_date = forms.DateField(label=_("Slutdatum"), required=False, widget=DateInput())

    def __init__(
        self,
        *args: Any,
        promise: Promise,
        focus_areas: Choices,
        parties: Choices,
        areas: Choices,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, promise=promise, **kwargs)
        self.fields["focus_area"].choices = list(focus_areas)  # type: ignore[attr-defined]
        self.fields["responsible_parties"].choices = list(parties)  # type: ignore[attr-defined]
        self.fields["partners"].choices = list(parties)  # type: ignore[attr-defined]
        self.fields["area"].choices = [("", "–"), *areas]  # type: ignore[attr-defined]


def activity_initial(activity: Activity) -> dict[str, Any]:
    return {
        "focus_area": activity.focus_area_id,
        "text": activity.text,
        "responsible_parties": [party.pk for party in activity.responsible_parties.all()],
        "partners": [party.pk for party in activity.partners.all()],
        "other_partners": activity.other_partners,
        "quantity": activity.quantity,
        "quantity_max": activity.quantity_max,
        "at_least": activity.at_least,
        "unit": activity.unit,
        "per": activity.per,
        "target_group": activity.target_group,
        "place": activity.place,
        "area": activity.area_id,
        "start_date": activity.start_date,
        "end_date": activity.end_date,
    }


CARRY, DROP = "carry", "drop"


class NextYearForm(PromiseBasicsForm):
    """ "Skapa nästa års löfte": the new period, and for every activity whether it is carried or dropped."""

    def __init__(
        self,
        *args: Any,
        promise: Promise,
        activities: Sequence[tuple[Activity, Sequence[tuple[str, str]]]],
        carry_all: bool = False,
        **kwargs: Any,
    ) -> None:
        """`activities` pairs each activity with the links that may follow it, as ("indicator:3", label)."""
        super().__init__(*args, **kwargs)
        self.activity_fields: list[tuple[Activity, str, str | None]] = []
        for activity, links in activities:
            choice_name, links_name = f"aktivitet_{activity.pk}", f"kopplingar_{activity.pk}"
            self.fields[choice_name] = forms.ChoiceField(
                label=activity.text,
                choices=[(CARRY, _("Ta med")), (DROP, _("Ta inte med"))],
                widget=forms.RadioSelect,
                error_messages={"required": _("Välj om aktiviteten ska tas med eller inte.")},
            )
            if carry_all and not self.is_bound:
                self.initial[choice_name] = CARRY
            if links:
                self.fields[links_name] = forms.MultipleChoiceField(
                    label=_("Följer med om aktiviteten tas med"),
                    choices=list(links),
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                )
            self.activity_fields.append((activity, choice_name, links_name if links else None))
        if not self.is_bound:
            years = max(promise.valid_until.year - promise.valid_from.year + 1, 1)
            self.initial.update(
                {
                    "title": promise.title.replace(
                        str(promise.valid_from.year), str(promise.valid_from.year + years)
                    ),
                    "slug": str(promise.valid_from.year + years),
                    "valid_from": shift_years(promise.valid_from, years),
                    "valid_until": shift_years(promise.valid_until, years),
                }
            )

    def activity_rows(self) -> list[tuple[Activity, BoundField, BoundField | None]]:
        """Each activity with its carry-or-drop field and its links field, for the template."""
        return [
            (activity, self[choice_name], self[links_name] if links_name else None)
            for activity, choice_name, links_name in self.activity_fields
        ]

    def choices(self) -> tuple[dict[int, set[str]], list[int]]:
        """The carried activities with the links chosen for each, and the dropped activities."""
        carried: dict[int, set[str]] = {}
        dropped: list[int] = []
        for activity, choice_name, links_name in self.activity_fields:
            if self.cleaned_data.get(choice_name) == CARRY:
                carried[activity.pk] = set(self.cleaned_data.get(links_name, []) if links_name else [])
            else:
                dropped.append(activity.pk)
        return carried, dropped
