from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from trygg.accounts.decorators import staff_required

from . import rules, services
from .forms import MunicipalityProfileForm
from .models import Municipality


def staff_municipality(request: HttpRequest, slug: str) -> Municipality:
    """The municipality, if the user works there; for everyone else it does not exist (404)."""
    return get_object_or_404(rules.staff_municipalities(request.user), slug=slug)


@staff_required
def municipality_profile(request: HttpRequest, municipality: str) -> HttpResponse:
    found = staff_municipality(request, municipality)
    if not rules.can_edit_municipality_profile(request.user, found):
        raise PermissionDenied
    form = MunicipalityProfileForm(request.POST or None, request.FILES or None, instance=found)
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = form.cleaned_data
        upload = data.get("logo")
        try:
            services.municipality_profile_update(
                municipality=found,
                by=request.user,
                name=data["name"],
                name_genitive=data["name_genitive"],
                contact_email=data["contact_email"],
                contact_phone=data["contact_phone"],
                contact_address=data["contact_address"],
                website=data["website"],
                map_latitude=data["map_latitude"],
                map_longitude=data["map_longitude"],
                accent_colour=data["accent_colour"],
                police_areas=data["police_areas"],
                logo=upload if isinstance(upload, UploadedFile) else None,
                remove_logo=data["remove_logo"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Kommunens uppgifter är sparade."))
            return HttpResponseRedirect(reverse("municipalities:profile", args=[found.slug]))
    found.refresh_from_db()
    return render(
        request,
        "municipalities/staff/profile.html",
        {"municipality": found, "form": form},
        status=400 if request.method == "POST" else 200,
    )
