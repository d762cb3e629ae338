from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from trygg.core.pdf import pdf_from_html
from trygg.municipalities.models import Municipality

from . import selectors


def render_pdf(request: HttpRequest, html: str, file_name: str) -> HttpResponse:
    pdf = pdf_from_html(html)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{file_name}"'
    return response


def _context(municipality: Municipality, year: int, *, public: bool) -> dict[str, object]:
    """The public lägesbild of a year with data; a year without any (or in the future) does not exist."""
    picture = selectors.problem_picture_for_year(
        municipality=municipality, year=year, public=public, today=timezone.localdate()
    )
    if picture is None:
        raise Http404
    return {"municipality": municipality, "picture": picture, "year": year}


def document(request: HttpRequest, municipality: str, year: int) -> HttpResponse:
    found = get_object_or_404(Municipality, slug=municipality)
    return render(request, "evidence/document.html", {**_context(found, year, public=True), "pdf": False})


def current(request: HttpRequest, municipality: str) -> HttpResponse:
    """Today's lägesbild: its own dated page, the latest year with data (focus areas keep their snapshots)."""
    found = get_object_or_404(Municipality, slug=municipality)
    year = selectors.current_problem_picture_year(municipality=found, today=timezone.localdate())
    if year is None:
        # The municipality's pages always link here, so a municipality without data yet gets a page saying so.
        return render(request, "evidence/none_yet.html", {"municipality": found})
    return HttpResponseRedirect(reverse("evidence:document", args=[found.slug, year]))


def document_pdf(request: HttpRequest, municipality: str, year: int) -> HttpResponse:
    found = get_object_or_404(Municipality, slug=municipality)
    html = render_to_string(
        "evidence/document_print.html", {**_context(found, year, public=True), "pdf": True}, request
    )
    return render_pdf(request, html, f"lagesbild-{found.slug}-{year}.pdf")
