from __future__ import annotations

import datetime as dt
import uuid
from pathlib import PurePath
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from trygg.accounts.models import User
from trygg.core.formtiming import FillTimeMixin
from trygg.core.text import without_control_characters
from trygg.municipalities.models import Municipality, Party
from trygg.problems.models import Problem
from trygg.promises.choices import (
    ActivityChoiceField,
    PromiseChoices,
    activities_to_link,
    activity_choice_groups,
)
from trygg.promises.models import Activity

from . import selectors
from .attributes import OFFENSIVE
from .models import Report, ReportCategory
from .photos import MAX_BYTES, CheckedPhoto, PhotoError, photo_check
from .services import DESCRIPTION_MAX_LENGTH, MAX_PHOTOS, CategoryDetails

PHOTO_ERRORS = {
    "too_large": _("Bilden är för stor. Den får vara högst 10 MB."),
    "too_many_pixels": _("Bilden har för många pixlar. Ta en bild med lägre upplösning."),
    "not_an_image": _("Filen är ingen bild som vi kan läsa. Välj en JPEG-, PNG- eller WebP-bild."),
    "unsupported": _("Bildformatet stöds inte. Välj en JPEG-, PNG- eller WebP-bild."),
}


def _field(form: forms.BaseForm, name: str) -> Any:
    # A ChoiceField or ModelChoiceField; django-stubs types form.fields as plain Field.
    return form.fields[name]


def _upload_name(upload: UploadedFile) -> str:
    name = " ".join(without_control_characters(PurePath(upload.name or "").name).split())
    return name[:100] or str(_("bild"))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        return [super(PhotosField, self).clean(item, initial) for item in files]


# Django fills in the numbers when it refuses a text (MaxLengthValidator's parameters).
TOO_LONG = _("Skriv högst %(limit_value)d tecken (nu %(show_value)d).")
# Trygg's own words for every refusal of the report form: never Django's defaults ("Detta fält måste fyllas i.").
EMAIL_ERRORS = {
    "invalid": _("Skriv e-postadressen som namn@exempel.se, eller lämna fältet tomt."),
    "required": _("Skriv din e-postadress."),
}
POINT_ERRORS = {
    "invalid": _("Platsen på kartan kunde inte läsas. Klicka på kartan igen eller skriv en adress."),
    "min_value": _("Platsen på kartan kunde inte läsas. Klicka på kartan igen eller skriv en adress."),
    "max_value": _("Platsen på kartan kunde inte läsas. Klicka på kartan igen eller skriv en adress."),
}


class ReportForm(FillTimeMixin):
    category = forms.ModelChoiceField(
        label=_("Vad gäller det?"),
        queryset=ReportCategory.objects.none(),
        empty_label=_("Välj kategori"),
        error_messages={
            "required": _("Välj vad felanmälan gäller."),
            "invalid_choice": _("Välj en av kategorierna i listan."),
        },
    )
    offensive = forms.BooleanField(
        label=_("Klottret är kränkande, t.ex. rasistiskt eller sexistiskt"),
        required=False,
        help_text=_("Kränkande klotter tas bort snabbare."),
    )
    place = forms.CharField(
        label=_("Adress eller plats"),
        max_length=200,
        required=False,
        help_text=_(
            "Krävs, om du inte väljer platsen på kartan. Skriv en adress eller ett platsnamn, "
            "t.ex. ”Storgatan 12” eller ”Stora torget”."
        ),
        error_messages={"max_length": TOO_LONG},
    )
    latitude = forms.FloatField(
        required=False, widget=forms.HiddenInput, min_value=-90, max_value=90, error_messages=POINT_ERRORS
    )
    longitude = forms.FloatField(
        required=False, widget=forms.HiddenInput, min_value=-180, max_value=180, error_messages=POINT_ERRORS
    )
    description = forms.CharField(
        label=_("Beskriv problemet"),
        max_length=DESCRIPTION_MAX_LENGTH,
        error_messages={
            "required": _("Beskriv problemet, t.ex. vad som är trasigt eller var klottret sitter."),
            "max_length": TOO_LONG,
        },
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Beskrivningen visas för alla. Skriv inga namn eller andra personuppgifter."),
    )
    photos = PhotosField(
        label=_("Bilder (högst 3, valfritt)"),
        required=False,
        help_text=_(
            "JPEG, PNG eller WebP, högst 10 MB per bild. Vi tar bort all information om kamera och plats från bilderna."
        ),
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    reporter_name = forms.CharField(
        label=_("Ditt namn (valfritt)"),
        max_length=120,
        required=False,
        error_messages={"max_length": TOO_LONG},
    )
    reporter_email = forms.EmailField(
        label=_("Din e-postadress (valfritt)"),
        required=False,
        help_text=_("Du får en kvittens och e-post när ärendet ändras. Adressen visas aldrig för andra."),
        error_messages=EMAIL_ERRORS,
    )
    not_emergency = forms.BooleanField(
        label=_("Jag har läst råden. Det är inte akut och jag vill skicka felanmälan."), required=False
    )
    # A field people never see; bots that fill every field give themselves away.
    website = forms.CharField(label=_("Lämna tomt"), required=False)
    submission_id = forms.UUIDField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Formuläret saknar en del. Ladda om sidan och försök igen."),
            "invalid": _("Formuläret saknar en del. Ladda om sidan och försök igen."),
        },
    )
    step = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, municipality: Municipality, kept_photos: int = 0, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("submission_id", uuid.uuid4())
        super().__init__(*args, **kwargs)
        self.municipality = municipality
        # Photos kept from an earlier post of the same submission count towards the limit.
        self.kept_photos = kept_photos
        _field(self, "category").queryset = ReportCategory.objects.active().filter(municipality=municipality)
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})
        # Required unless a point is picked on the map, which the server checks; said to assistive technology too.
        self.fields["place"].widget.attrs.update({"autocomplete": "street-address", "aria-required": "true"})
        self.fields["reporter_email"].widget.attrs.update({"autocomplete": "email"})
        self.fields["reporter_name"].widget.attrs.update({"autocomplete": "name"})
        # Each upload that passed the checks, with the name it had on the resident's device.
        self.checked_photos: list[tuple[str, CheckedPhoto]] = []
        self.place_candidates: list[Any] = []

    def clean_photos(self) -> list[UploadedFile]:
        files: list[UploadedFile] = self.cleaned_data.get("photos") or []
        if len(files) + self.kept_photos > MAX_PHOTOS:
            raise forms.ValidationError(_("Du kan skicka högst 3 bilder."))
        checked = []
        for upload in files:
            if upload.size is not None and upload.size > MAX_BYTES:
                raise forms.ValidationError(PHOTO_ERRORS["too_large"])
            try:
                # Only the cheap checks here: the task worker decodes and re-encodes the photo.
                checked.append((_upload_name(upload), photo_check(upload.read())))
            except PhotoError as error:
                raise forms.ValidationError(PHOTO_ERRORS[error.code]) from None
        self.checked_photos = checked
        return files

    def attributes(self) -> dict[str, str]:
        """The category's questions as the submission service takes them (the same as Open311's attribute[…])."""
        return {OFFENSIVE: "true" if self.cleaned_data.get("offensive") else "false"}

    def check_step(self) -> ReportForm:
        """A fresh form with everything the resident gave, for the step that asks them to confirm."""
        data = self.cleaned_data
        return ReportForm(
            initial={
                **{key: value for key, value in data.items() if key in self.fields and key != "photos"},
                "category": data["category"].pk,
                "latitude": data["latitude"],
                "longitude": data["longitude"],
                "step": "check",
            },
            municipality=self.municipality,
        )

    def add_service_errors(self, error: ValidationError) -> None:
        """The submission service's refusals, each beside its field. A point outside the municipality clears the
        chosen point, so that the resident picks or types another place."""
        fields = {"attributes": "offensive", "place": "place"}
        for name, messages in error.message_dict.items():
            field = fields.get(name, name)
            self.add_error(field if field in self.fields else None, messages)
            if name == "place" and isinstance(self.data, QueryDict):
                data = self.data.copy()
                data["latitude"] = data["longitude"] = ""
                self.data = data

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        latitude, longitude = data.get("latitude"), data.get("longitude")
        text = (data.get("place") or "").strip()
        data["place_name"] = ""
        if text:
            match = selectors.place_resolve(municipality=self.municipality, text=text)
            if match.place is not None:
                data["place_name"] = match.name
                if latitude is None or longitude is None:
                    latitude, longitude = match.place.latitude, match.place.longitude
            elif latitude is None or longitude is None:
                self.place_candidates = match.candidates
                if match.candidates:
                    names = ", ".join(f"{place.label} ({place.kind})" for place in match.candidates)
                    self.add_error(
                        "place", _("Flera platser passar: %(names)s. Skriv mer exakt.") % {"names": names}
                    )
                else:
                    self.add_error(
                        "place",
                        _(
                            "Vi hittar inte ”%(text)s”. Skriv ett annat gatunamn eller platsnamn, eller välj platsen på kartan."
                        )
                        % {"text": text},
                    )
        elif latitude is None or longitude is None:
            self.add_error("place", _("Skriv en adress eller ett platsnamn, eller välj platsen på kartan."))
        data["latitude"], data["longitude"] = latitude, longitude
        return data


class FollowForm(FillTimeMixin):
    email = forms.EmailField(
        label=_("Din e-postadress"),
        help_text=_("Du får e-post när ärendet ändras. Adressen visas aldrig för andra."),
        error_messages=EMAIL_ERRORS,
    )
    website = forms.CharField(label=_("Lämna tomt"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})


class PublicFilterForm(forms.Form):
    category = forms.ChoiceField(label=_("Kategori"), required=False)
    state = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args: Any, categories: list[ReportCategory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "category").choices = [("", _("Alla kategorier"))] + [
            (c.slug, c.name) for c in categories
        ]
        _field(self, "state").choices = [("", _("Alla")), *list(Report.State.choices)]


class StaffFilterForm(forms.Form):
    municipality = forms.ChoiceField(label=_("Kommun"), required=False)
    category = forms.ChoiceField(label=_("Kategori"), required=False)
    state = forms.ChoiceField(label=_("Status"), required=False)
    overdue = forms.BooleanField(label=_("Bara försenade"), required=False)
    query = forms.CharField(label=_("Sök (ärendenummer, text, plats)"), required=False, max_length=100)

    def __init__(
        self, *args: Any, municipalities: list[Municipality], categories: list[ReportCategory], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "municipality").choices = [("", _("Alla mina kommuner"))] + [
            (m.slug, m.name) for m in municipalities
        ]
        slugs: dict[str, str] = {}
        for category in categories:
            slugs.setdefault(category.slug, category.name)
        _field(self, "category").choices = [
            ("", _("Alla kategorier")),
            *sorted(slugs.items(), key=lambda item: item[1]),
        ]
        _field(self, "state").choices = [
            ("", _("Alla")),
            ("open", _("Öppna (ny, mottagen, polisanmäld)")),
            *list(Report.State.choices),
        ]


class ChangeForm(forms.Form):
    state = forms.ChoiceField(label=_("Ny status"), required=False)
    police_report_number = forms.CharField(
        label=_("K-nummer (polisanmälan)"),
        max_length=40,
        required=False,
        help_text=_("Visas bara för personal. Ett sparat K-nummer finns kvar tills du skriver ett annat."),
    )
    note = forms.CharField(
        label=_("Anteckning eller motivering (visas för allmänheten)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Krävs för ”ej åtgärdad” och ”inte kommunens ansvar”. Skriv inga personuppgifter."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "state").choices = [("", _("Oförändrad")), *list(Report.State.choices)]


class AssignForm(forms.Form):
    party = forms.ModelChoiceField(
        label=_("Part (t.ex. driftenheten)"), queryset=Party.objects.none(), required=False
    )
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, municipality: Municipality, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "party").queryset = Party.objects.filter(municipality=municipality)
        _field(self, "user").queryset = (
            User.objects.filter(memberships__municipality=municipality).distinct().order_by("username")
        )


BULK_STATES = [
    (Report.State.RECEIVED, _("mottagen")),
    (Report.State.RESOLVED, _("åtgärdad")),
    (Report.State.NOT_RESOLVED, _("ej åtgärdad")),
    (Report.State.NOT_RESPONSIBLE, _("inte kommunens ansvar")),
]


class BulkForm(forms.Form):
    reports = forms.TypedMultipleChoiceField(label=_("Valda ärenden"), coerce=int, choices=())
    state = forms.ChoiceField(
        label=_("Ändra status till"), choices=[("", _("Oförändrad")), *BULK_STATES], required=False
    )
    party = forms.ModelChoiceField(label=_("Lämna till part"), queryset=Party.objects.none(), required=False)
    note = forms.CharField(
        label=_("Anteckning eller motivering (visas för allmänheten)"), max_length=1000, required=False
    )

    def __init__(self, *args: Any, report_ids: list[int], parties: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "reports").choices = [(pk, str(pk)) for pk in report_ids]
        _field(self, "party").queryset = parties

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("state") and not data.get("party"):
            raise forms.ValidationError(_("Välj en ny status eller en part."))
        return data


class HotspotForm(forms.Form):
    municipality = forms.ChoiceField(label=_("Kommun"))
    category = forms.ChoiceField(label=_("Kategori"), required=False)
    since = forms.DateField(
        label=_("Från och med"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Till och med"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    cell = forms.TypedChoiceField(
        label=_("Rutstorlek"),
        coerce=int,
        choices=[(100, "100 m"), (250, "250 m"), (500, "500 m")],
        initial=250,
    )

    def __init__(
        self, *args: Any, municipalities: list[Municipality], categories: list[ReportCategory], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "municipality").choices = [(m.slug, m.name) for m in municipalities]
        slugs: dict[str, str] = {}
        for category in categories:
            slugs.setdefault(category.slug, category.name)
        _field(self, "category").choices = [
            ("", _("Alla kategorier")),
            *sorted(slugs.items(), key=lambda item: item[1]),
        ]


class CategoryForm(forms.Form):
    """A report category with its promised response times and the promise's activities it follows up."""

    name = forms.CharField(label=_("Namn"), max_length=100)
    slug = forms.SlugField(
        label=_("Kod"),
        max_length=60,
        help_text=_("Små bokstäver, siffror och bindestreck. Andra system (Open311) använder koden."),
    )
    description = forms.CharField(
        label=_("Beskrivning för invånare"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    response_time = forms.IntegerField(label=_("Utlovad åtgärdstid"), min_value=1, max_value=10000)
    response_unit = forms.ChoiceField(
        label=_("Enhet för åtgärdstiden"), choices=ReportCategory.Unit.choices, widget=forms.RadioSelect
    )
    offensive_response_hours = forms.IntegerField(
        label=_("Åtgärdstid i timmar om innehållet är kränkande"),
        min_value=1,
        max_value=10000,
        required=False,
        help_text=_("T.ex. 24 för kränkande klotter. Lämna tomt om det inte gäller kategorin."),
    )
    duplicate_radius_m = forms.IntegerField(
        label=_("Avstånd för dubbletter (meter)"),
        min_value=1,
        max_value=5000,
        initial=100,
        help_text=_("En ny felanmälan så nära en öppen i samma kategori föreslås som dubblett."),
    )
    problem = forms.ModelChoiceField(
        label=_("Problem i lägesbilden"), queryset=Problem.objects.none(), required=False
    )
    activities = ActivityChoiceField(
        label=_("Aktiviteter i medborgarlöftet"),
        queryset=Activity.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Felanmälningarna i kategorin följs upp mot de här aktiviteterna."),
    )
    order = forms.IntegerField(label=_("Ordning i listan"), min_value=0, max_value=32767, initial=0)
    is_active = forms.BooleanField(label=_("Invånare kan välja kategorin"), required=False, initial=True)

    def __init__(
        self, *args: Any, municipality: Municipality, today: dt.date, linked: list[int], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _field(self, "problem").queryset = Problem.objects.order_by("order", "name")
        _field(self, "activities").queryset = activities_to_link(municipality, today=today, linked=linked)

    def activity_groups(self) -> list[PromiseChoices]:
        return activity_choice_groups(self["activities"])

    def details(self) -> CategoryDetails:
        data = self.cleaned_data
        return CategoryDetails(
            name=data["name"],
            slug=data["slug"],
            description=data["description"],
            problem=data["problem"],
            response_time=data["response_time"],
            response_unit=data["response_unit"],
            offensive_response_hours=data["offensive_response_hours"],
            duplicate_radius_m=data["duplicate_radius_m"],
            is_active=data["is_active"],
            order=data["order"],
            activities=list(data["activities"]),
        )


class VisibilityForm(forms.Form):
    """Hide or show a report, or one of its photos (its id in `photo`), with a reason for the log."""

    photo = forms.IntegerField(required=False, widget=forms.HiddenInput)
    show = forms.TypedChoiceField(
        choices=[("1", _("Visa publikt")), ("0", _("Dölj för allmänheten"))],
        coerce=lambda value: value == "1",
    )
    reason = forms.CharField(
        label=_("Motivering (sparas i loggen)"),
        max_length=500,
        help_text=_("T.ex. ”personuppgifter i beskrivningen” eller ”bilden granskad”."),
    )


class FlagForm(FillTimeMixin):
    reason = forms.CharField(
        label=_("Vad är fel?"),
        max_length=500,
        help_text=_("T.ex. personuppgifter, en bild på en person eller kränkande innehåll."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Skriv vad som är fel."), "max_length": TOO_LONG},
    )
