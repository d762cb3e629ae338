"""Public pages: the report form, a report's page, the map and list, GeoJSON, photos."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from trygg.core.files import media_headers
from trygg.core.formtiming import fill_time_token
from trygg.core.pagecache import blank_form_page
from trygg.core.ratelimit import Limit, client_key, rate_limit_count, rate_limit_exceeded, rate_limit_reached
from trygg.municipalities.models import Municipality

from . import following, selectors, services, takedown
from .forms import FlagForm, FollowForm, PublicFilterForm, ReportForm
from .models import Report

# "Anmäl innehåll": flagging is noise control, 20 a day per client (the checklist's starting limit).
FLAG_LIMIT = Limit(scope="report-flags", count=20, seconds=86400)


def post_limit() -> Limit:
    count, seconds = settings.REPORTS_RATE_LIMIT
    return Limit(scope="reports", count=count, seconds=seconds)


def filed_limits() -> list[Limit]:
    """Reports filed through the web form per client (settings.REPORTS_FILED_LIMITS)."""
    return [
        Limit(scope=f"reports-filed-{seconds}", count=count, seconds=seconds)
        for count, seconds in settings.REPORTS_FILED_LIMITS
    ]


def _count_filed(request: HttpRequest) -> None:
    for limit in filed_limits():
        rate_limit_count(request=request, limit=limit)


def too_many_requests() -> HttpResponse:
    return HttpResponse(
        _(
            "Du har skickat många felanmälningar på kort tid. Vänta en stund och försök igen. "
            "Vid akut fara: ring 112."
        ),
        status=429,
        content_type="text/plain; charset=utf-8",
        headers={"Retry-After": "600"},
    )


def refused() -> HttpResponse:
    return HttpResponse(
        _("Formuläret kunde inte skickas. Ladda om sidan och försök igen."),
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def map_config(municipality: Municipality) -> dict[str, str]:
    """What map.js needs, passed as data- attributes (no inline script under the CSP)."""
    return {
        "tiles": settings.MAP_TILES_URL,
        "attribution": settings.MAP_ATTRIBUTION,
        "centre": json.dumps(
            list(
                municipality.map_centre
                or getattr(settings, "MAP_CENTRES", {}).get(municipality.slug, (56.833, 13.941))
            )
        ),
    }


def _form_page(
    request: HttpRequest, municipality: Municipality, form: ReportForm, *, status: int = 200, **extra: Any
) -> HttpResponse:
    return render(
        request,
        "reports/report_form.html",
        {"municipality": municipality, "form": form, "map": map_config(municipality), **extra},
        status=status,
    )


# Photos kept from a refused post, by submission id: the tokens only work in the session that chose the photos.
KEPT_PHOTOS_SESSION_KEY = "reports_kept_photos"
# A visitor with several tabs of the form open keeps the photos of this many submissions at most.
KEPT_PHOTOS_SUBMISSIONS = 3


def _submission_id(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get("submission_id", ""))
    except ValueError:
        return None


def _kept_photos_read(request: HttpRequest, submission_id: uuid.UUID | None) -> list[services.KeptPhoto]:
    if submission_id is None:
        return []
    entries = request.session.get(KEPT_PHOTOS_SESSION_KEY, {}).get(submission_id.hex, [])
    listed = [
        services.KeptPhoto(token=str(entry[0]), name=str(entry[1])) for entry in entries if len(entry) == 2
    ]
    return services.photos_kept_present(submission_id=submission_id, photos=listed)


def _kept_photos_write(
    request: HttpRequest, submission_id: uuid.UUID | None, photos: list[services.KeptPhoto]
) -> None:
    current = request.session.get(KEPT_PHOTOS_SESSION_KEY, {})
    if submission_id is None or (not photos and submission_id.hex not in current):
        return  # no session is started for a resident who never had a photo kept
    kept = {key: value for key, value in current.items() if key != submission_id.hex}
    if photos:
        kept[submission_id.hex] = [[photo.token, photo.name] for photo in photos]
    request.session[KEPT_PHOTOS_SESSION_KEY] = dict(list(kept.items())[-KEPT_PHOTOS_SUBMISSIONS:])


def _kept_photos_add(
    request: HttpRequest, form: ReportForm, submission_id: uuid.UUID | None, kept: list[services.KeptPhoto]
) -> list[services.KeptPhoto]:
    """A refused post keeps the photos it brought, so that the resident does not choose them again."""
    if submission_id is None or not form.checked_photos:
        return kept
    kept = [*kept, *services.photos_keep(submission_id=submission_id, photos=form.checked_photos)]
    _kept_photos_write(request, submission_id, kept)
    return kept


@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest, municipality: str) -> HttpResponse:
    found = selectors.municipality_get(slug=municipality)
    if request.method == "GET":
        # A link from the promise ("Anmäl klotter") preselects its category and names the promise back.
        def blank(values: dict[str, str]) -> HttpResponse:
            category = selectors.category_preselected(municipality=found, key=request.GET.get("kategori", ""))
            initial = {"category": category.pk} if category else {}
            return _form_page(
                request,
                found,
                ReportForm(municipality=found, initial={**initial, **values}),
                promised=selectors.category_activities_public(category=category) if category else [],
            )

        # The blank form is the same page for every visitor but for these and the CSRF token: kept rendered.
        fresh = {"submission_id": str(uuid.uuid4()), "form_started": fill_time_token()}
        return blank_form_page(request, blank, fresh)

    if rate_limit_exceeded(request=request, limit=post_limit()) or any(
        rate_limit_reached(request=request, limit=limit) for limit in filed_limits()
    ):
        return too_many_requests()
    if request.POST.get("website"):
        _count_filed(request)  # a bot's post counts as a report
        return refused()
    submission_id = _submission_id(request)
    kept = _kept_photos_read(request, submission_id)
    removed = set(request.POST.getlist("remove_photo")) & {photo.token for photo in kept}
    if removed and submission_id is not None:
        services.photos_kept_discard(submission_id=submission_id, tokens=removed)
        kept = [photo for photo in kept if photo.token not in removed]
        _kept_photos_write(request, submission_id, kept)
    form = ReportForm(request.POST, request.FILES, municipality=found, kept_photos=len(kept))
    if not form.is_valid():
        if form.filled_too_fast:
            _count_filed(request)
        kept = _kept_photos_add(request, form, submission_id, kept)
        return _form_page(request, found, form, status=400, kept_photos=kept)
    data = form.cleaned_data
    checked = data.get("step") == "check"
    try:
        submitted = services.report_submit(
            municipality=found,
            category=data["category"],
            description=data["description"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            place_name=data["place_name"],
            photos=[photo for _name, photo in form.checked_photos],
            kept_photos=[photo.token for photo in kept],
            reporter_name=data["reporter_name"],
            reporter_email=data["reporter_email"],
            submission_id=data["submission_id"],
            attributes=form.attributes(),
            emergency_advice_seen=checked and data["not_emergency"],
            duplicates_seen=checked,
        )
    except services.NeedsConfirmation as question:
        # Show the advice and the nearby reports before anything is filed; keep the photos meanwhile.
        kept = _kept_photos_add(request, form, submission_id, kept)
        if checked and question.emergency_words:
            form.add_error("not_emergency", _("Bekräfta att det inte är akut, eller ring 112 eller 114 14."))
        return _form_page(
            request,
            found,
            form if form.errors else form.check_step(),
            status=400 if form.errors else 200,
            emergency=question.emergency_words,
            duplicates=question.duplicates,
            checking=True,
            kept_photos=kept,
        )
    except ValidationError as error:
        form.add_service_errors(error)
        if "photos" not in getattr(error, "error_dict", {}):
            kept = _kept_photos_add(request, form, submission_id, kept)
        return _form_page(request, found, form, status=400, kept_photos=kept)
    _kept_photos_write(request, submission_id, [])
    if submitted.created:
        _count_filed(request)
    return HttpResponseRedirect(_thanks_url(submitted.report))


def _thanks_url(report: Report) -> str:
    return reverse(
        "reports:thanks", kwargs={"municipality": report.municipality.slug, "reference": report.reference}
    )


@require_GET
def report_thanks(request: HttpRequest, municipality: str, reference: str) -> HttpResponse:
    report = selectors.report_get_public(municipality_slug=municipality, reference=reference)
    return render(
        request,
        "reports/report_thanks.html",
        {
            "municipality": report.municipality,
            "report": report,
            "notice": selectors.report_filing_notice(report=report),
        },
    )


def _detail_page(request: HttpRequest, report: Report, *, status: int = 200, **forms: Any) -> HttpResponse:
    return render(
        request,
        "reports/report_detail.html",
        {
            "municipality": report.municipality,
            "report": report,
            "place": selectors.report_place_public(report=report),
            "follow_form": forms.get("follow_form") or FollowForm(),
            "flag_form": forms.get("flag_form") or FlagForm(prefix="anmal"),
            "flagged": request.GET.get("anmalan") == "tack",
        },
        status=status,
    )


@require_GET
def report_detail(request: HttpRequest, municipality: str, reference: str) -> HttpResponse:
    report = selectors.report_get_public(municipality_slug=municipality, reference=reference)
    return _detail_page(request, report)


@require_GET
def place_near(request: HttpRequest, municipality: str) -> JsonResponse:
    """The map's suggestion: the known address or place nearest a clicked point (`?lat=…&lon=…`), or null."""
    found = selectors.municipality_get(slug=municipality)
    try:
        latitude, longitude = float(request.GET.get("lat", "")), float(request.GET.get("lon", ""))
    except ValueError:
        return JsonResponse({"error": _("lat och lon ska vara decimaltal (WGS 84).")}, status=400)
    near = selectors.place_nearest(municipality=found, latitude=latitude, longitude=longitude)
    response = JsonResponse(
        {"name": near.name, "distance_m": near.distance_m} if near else {"name": None, "distance_m": None},
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_POST
def report_follow(request: HttpRequest, municipality: str, reference: str) -> HttpResponse:
    report = selectors.report_get_public(municipality_slug=municipality, reference=reference)
    if rate_limit_exceeded(request=request, limit=post_limit()):
        return too_many_requests()
    if request.POST.get("website"):
        return refused()
    form = FollowForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, report, status=400, follow_form=form)
    services.report_follow(report=report, email=form.cleaned_data["email"])
    # Post, then redirect: reloading the page that says "check your e-mail" must not send the form again.
    return HttpResponseRedirect(
        reverse(
            "reports:follow_sent",
            kwargs={"municipality": report.municipality.slug, "reference": report.reference},
        ),
        status=303,
    )


@require_GET
def report_follow_sent(request: HttpRequest, municipality: str, reference: str) -> HttpResponse:
    report = selectors.report_get_public(municipality_slug=municipality, reference=reference)
    return render(
        request,
        "reports/report_followed.html",
        {"municipality": report.municipality, "report": report, "confirmed": False},
    )


@require_POST
def report_flag(request: HttpRequest, municipality: str, reference: str) -> HttpResponse:
    """A resident's "Anmäl innehåll": a note to staff about what is wrong with a public report."""
    report = selectors.report_get_public(municipality_slug=municipality, reference=reference)
    if rate_limit_exceeded(request=request, limit=FLAG_LIMIT):
        return too_many_requests()
    form = FlagForm(request.POST, prefix="anmal")
    if form.is_valid():
        takedown.report_flag(
            report=report,
            reason=form.cleaned_data["reason"],
            client_key=client_key(request),
            today=timezone.localdate(),
        )
        return HttpResponseRedirect(report.get_absolute_url() + "?anmalan=tack#anmal")
    return _detail_page(request, report, status=400, flag_form=form)


@require_GET
def report_follow_confirm(request: HttpRequest, token: str) -> HttpResponse:
    follower = following.report_follow_confirm(token=token, now=timezone.now())
    if follower is None:
        raise Http404
    report = follower.report
    return render(
        request,
        "reports/report_followed.html",
        {"municipality": report.municipality, "report": report, "confirmed": True},
    )


@csrf_exempt  # RFC 8058 one-click unsubscribe: the mail client posts without a session; the token is the key.
@require_http_methods(["GET", "POST"])
def report_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        report = following.report_mail_unsubscribe(token=token)
        if report is None or request.POST.get("List-Unsubscribe") == "One-Click":
            # A refused link, or a mail client's RFC 8058 one-click POST (no person reloads it): the page itself.
            return render(
                request,
                "reports/report_unsubscribe.html",
                {"done": report is not None, "invalid": report is None, "report": report},
                status=200 if report is not None else 400,
            )
        # 303 to a page that a reload only shows again; it links back to the report when that is public.
        where = {"klart": "1", "kommun": report.municipality.slug, "arende": report.reference}
        done = HttpResponseRedirect(f"{request.path}?{urlencode(where)}")
        done.status_code = 303
        return done
    if request.GET.get("klart"):
        try:
            back: Report | None = selectors.report_get_public(
                municipality_slug=request.GET.get("kommun", ""), reference=request.GET.get("arende", "")
            )
        except Http404:
            back = None
        return render(request, "reports/report_unsubscribe.html", {"done": True, "report": back})
    return render(request, "reports/report_unsubscribe.html", {})


def _public_filters(
    request: HttpRequest, categories: list[Any]
) -> tuple[PublicFilterForm, selectors.PublicFilter]:
    form = PublicFilterForm(request.GET or None, categories=categories)
    if form.is_valid():
        return form, selectors.PublicFilter(
            category=form.cleaned_data["category"], state=form.cleaned_data["state"]
        )
    return form, selectors.PublicFilter()


@require_GET
def report_map(request: HttpRequest, municipality: str) -> HttpResponse:
    found = selectors.municipality_get(slug=municipality)
    categories = selectors.categories_public(municipality=found)
    form, filters = _public_filters(request, categories)
    query = request.GET.urlencode()
    return render(
        request,
        "reports/report_map.html",
        {
            "municipality": found,
            "form": form,
            # The list itself is a fragment of the cached page (report_tags.public_report_table): a report filed
            # renders only the list again.
            "filters": filters,
            "map": map_config(found),
            "geojson_url": reverse("reports:geojson", kwargs={"municipality": found.slug})
            + (f"?{query}" if query else ""),
        },
    )


@require_GET
def report_geojson(request: HttpRequest, municipality: str) -> HttpResponse:
    found = selectors.municipality_get(slug=municipality)
    # The categories only check a category asked for; the open-data feed is mostly asked for whole.
    categories = selectors.categories_public(municipality=found) if request.GET.get("category") else []
    _form, filters = _public_filters(request, categories)
    try:
        bbox = selectors.parse_bbox(request.GET.get("bbox", ""))
    except ValueError:
        return JsonResponse({"error": _("bbox ska vara fyra tal: minlon,minlat,maxlon,maxlat.")}, status=400)
    filters = selectors.PublicFilter(category=filters.category, state=filters.state, bbox=bbox)
    response = JsonResponse(
        selectors.reports_geojson(municipality=found, filters=filters),
        content_type="application/geo+json",
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "public, max-age=60"
    return response


@require_GET
def report_photo(request: HttpRequest, municipality: str, name: str, thumbnail: bool = False) -> FileResponse:
    photo = selectors.photo_get_public(
        municipality_slug=municipality, name=name if name.endswith(".jpg") else f"{name}.jpg"
    )
    try:
        handle = (photo.thumbnail if thumbnail and photo.thumbnail else photo.image).open("rb")
    except FileNotFoundError:
        # The row outlived its file (a lost disk write); `cleanup_media` removes such rows.
        raise Http404 from None
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "public, max-age=3600"
    response["Content-Disposition"] = f'inline; filename="{photo.name}"'
    media_headers(response)
    return response
