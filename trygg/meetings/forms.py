from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from trygg.accounts.models import User
from trygg.municipalities.models import Area, Municipality, Party
from trygg.problems.models import Problem
from trygg.promises.choices import (
    ActivityChoiceField,
    PromiseChoices,
    activities_to_link,
    activity_choice_groups,
)
from trygg.promises.models import Activity

from . import routes
from .models import Meeting, NeighbourhoodWatch, Observation, SafetyWalk, Task
from .services import MAX_SIGNUP_COUNT


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


def municipality_parties(municipality: Municipality) -> QuerySet[Party]:
    return Party.objects.filter(
        Q(municipality=municipality) | Q(police_area__municipalities=municipality)
    ).distinct()


class _ScopedModelForm(forms.ModelForm):
    def __init__(self, *args: Any, municipality: Municipality, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        if "area" in self.fields:
            self.fields["area"].queryset = Area.objects.filter(municipality=municipality)  # type: ignore[attr-defined]
        if "organisers" in self.fields:
            self.fields["organisers"].queryset = municipality_parties(municipality)  # type: ignore[attr-defined]
        if "activities" in self.fields:
            linked: list[int] = []
            if self.instance.pk:
                linked = list(self.instance.activity_links.values_list("activity_id", flat=True))
            self.fields["activities"].queryset = activities_to_link(  # type: ignore[attr-defined]
                municipality, today=today, on=self.instance_date(), linked=linked
            )

    def instance_date(self) -> dt.date | None:
        """The date the saved meeting or walk takes place, if there is one."""
        return None

    def activity_groups(self) -> list[PromiseChoices]:
        return activity_choice_groups(self["activities"])


class MeetingForm(_ScopedModelForm):
    activities = ActivityChoiceField(
        label=_("Aktiviteter i löftet"),
        queryset=Activity.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("När mötet registreras som genomfört räknas det som ett utförande av dessa aktiviteter."),
    )

    class Meta:
        model = Meeting
        fields = [
            "title",
            "kind",
            "starts_at",
            "ends_at",
            "place",
            "area",
            "organisers",
            "invited_groups",
            "activities",
            "neighbourhood_watch",
            "is_public",
            "capacity",
            "description",
        ]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "organisers": forms.CheckboxSelectMultiple,
            "invited_groups": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, municipality: Municipality, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, municipality=municipality, today=today, **kwargs)
        self.fields["neighbourhood_watch"].queryset = NeighbourhoodWatch.objects.filter(  # type: ignore[attr-defined]
            municipality=municipality
        )
        self.fields["organisers"].required = True

    def instance_date(self) -> dt.date | None:
        starts_at = self.instance.starts_at if self.instance.pk else None
        return timezone.localdate(starts_at) if starts_at is not None else None


class MeetingRecordForm(forms.Form):
    participants = forms.IntegerField(label=_("Antal deltagare"), min_value=0, required=False)
    minutes = forms.CharField(
        label=_("Minnesanteckningar"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Publiceras på mötets sida om mötet är öppet. Skriv inga personuppgifter."),
    )

    def __init__(self, *args: Any, problems: list[Problem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.problems = problems
        for problem in problems:
            self.fields[f"problem_{problem.slug}"] = forms.IntegerField(
                label=_("%(problem)s: antal som tog upp det") % {"problem": problem.name},
                min_value=0,
                required=False,
            )

    def raised(self) -> dict[Problem, int]:
        return {
            problem: self.cleaned_data[f"problem_{problem.slug}"]
            for problem in self.problems
            if self.cleaned_data.get(f"problem_{problem.slug}")
        }


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Anledning"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class SignUpForm(forms.Form):
    submission_id = forms.UUIDField(widget=forms.HiddenInput)
    name = forms.CharField(
        label=_("Namn"),
        max_length=200,
        required=False,
        help_text=_("Frivilligt. Du kan också bara anmäla hur många ni blir."),
    )
    email = forms.EmailField(
        label=_("E-post"),
        required=False,
        help_text=_("Frivilligt. Används bara om mötet ändras eller ställs in."),
    )
    count = forms.IntegerField(label=_("Antal personer"), min_value=1, max_value=MAX_SIGNUP_COUNT, initial=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("email") and not data.get("name", "").strip():
            self.add_error("name", _("Skriv ditt namn om du lämnar din e-post."))
        return data


class WalkForm(_ScopedModelForm):
    activities = ActivityChoiceField(
        label=_("Aktiviteter i löftet"),
        queryset=Activity.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "När vandringen registreras som genomförd räknas den som ett utförande av dessa aktiviteter."
        ),
    )
    route_text = forms.CharField(
        label=_("Rutt (GeoJSON LineString)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Linjen på kartan i WGS84, longitud först. Kan lämnas tom."),
    )
    stops_text = forms.CharField(
        label=_("Stopp längs rutten"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ett stopp per rad: ”namn” eller ”namn; latitud; longitud”."),
    )

    class Meta:
        model = SafetyWalk
        fields = [
            "title",
            "date",
            "starts_at",
            "area",
            "organisers",
            "participant_groups",
            "activities",
            "is_public",
        ]
        widgets = {
            "date": DateInput(),
            "starts_at": TimeInput(),
            "organisers": forms.CheckboxSelectMultiple,
            "participant_groups": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, municipality: Municipality, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, municipality=municipality, today=today, **kwargs)
        self.fields["organisers"].required = True
        if self.instance.pk and not self.is_bound:
            self.initial["route_text"] = _route_json(self.instance.route)
            self.initial["stops_text"] = routes.stops_text(self.instance.stops or [])

    def instance_date(self) -> dt.date | None:
        return self.instance.date if self.instance.pk else None

    def clean_route_text(self) -> dict[str, Any] | None:
        try:
            return routes.route_parse(self.cleaned_data.get("route_text", ""))
        except routes.RouteError as error:
            raise forms.ValidationError(error.message_in(gettext)) from None

    def clean_stops_text(self) -> list[routes.Stop]:
        try:
            return routes.stops_parse(self.cleaned_data.get("stops_text", ""))
        except routes.RouteError as error:
            raise forms.ValidationError(error.message_in(gettext)) from None


def _route_json(route: dict[str, Any] | None) -> str:
    return json.dumps(route, ensure_ascii=False) if route else ""


class WalkRecordForm(forms.Form):
    participants = forms.IntegerField(label=_("Antal deltagare"), min_value=0, required=False)


class ObservationForm(forms.Form):
    submission_id = forms.UUIDField(widget=forms.HiddenInput)
    place = forms.CharField(label=_("Plats"), max_length=300, help_text=_("T.ex. ”gångtunneln vid skolan”."))
    category = forms.ChoiceField(label=_("Kategori"), choices=Observation.Category.choices)
    note = forms.CharField(
        label=_("Vad ni såg"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    latitude = forms.FloatField(label=_("Latitud"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Longitud"), required=False, min_value=-180, max_value=180)
    photo = forms.FileField(
        label=_("Foto"),
        required=False,
        help_text=_("Högst 10 MB. Platsuppgifter och annan information i bildfilen tas bort."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    owner_party = forms.ModelChoiceField(
        label=_("Vem åtgärdar"), queryset=Party.objects.none(), required=False
    )
    due_on = forms.DateField(label=_("Klart senast"), required=False, widget=DateInput())

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_party"].queryset = municipality_parties(municipality)  # type: ignore[attr-defined]
        self.fields["latitude"].widget.attrs.update({"inputmode": "decimal", "step": "any"})
        self.fields["longitude"].widget.attrs.update({"inputmode": "decimal", "step": "any"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("latitude", _("Ange både latitud och longitud, eller ingen av dem."))
        return data


def new_submission_id() -> uuid.UUID:
    return uuid.uuid4()


class TaskForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Status"),
        choices=Task.State.choices,
        help_text=_(
            "”Åtgärdad” och ”inte vårt ansvar” avslutar uppgiften. Välj ”öppen” för att öppna den igen."
        ),
    )
    outcome = forms.CharField(
        label=_("Vad som gjordes, eller varför det inte är ert ansvar"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    owner_party = forms.ModelChoiceField(
        label=_("Ansvarig part"), queryset=Party.objects.none(), required=False
    )
    owner_user = forms.ModelChoiceField(
        label=_("Ansvarig person"), queryset=User.objects.none(), required=False
    )
    due_on = forms.DateField(label=_("Klart senast"), required=False, widget=DateInput())

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner_party"].queryset = municipality_parties(municipality)  # type: ignore[attr-defined]
        self.fields["owner_user"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            memberships__municipality=municipality
        ).distinct()


class WatchForm(forms.ModelForm):
    class Meta:
        model = NeighbourhoodWatch
        fields = [
            "name",
            "area",
            "contact_name",
            "contact_phone",
            "contact_email",
            "signed_up_on",
            "households",
        ]
        widgets = {"signed_up_on": DateInput()}

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.filter(municipality=municipality)  # type: ignore[attr-defined]

    def validate_unique(self) -> None:
        # The municipality is not a field here; the service checks the name per municipality.
        return None
