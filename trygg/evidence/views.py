from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
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
    picture = selectors.problem_picture(
        municipality=municipality, year=year, public=public, today=timezone.localdate()
    )
    return {"municipality": municipality, "picture": picture, "year": year}


def document(request: HttpRequest, municipality: str, year: int) -> HttpResponse:
    found = get_object_or_404(Municipality, slug=municipality)
    return render(request, "evidence/document.html", {**_context(found, year, public=True), "pdf": False})


def document_pdf(request: HttpRequest, municipality: str, year: int) -> HttpResponse:
    found = get_object_or_404(Municipality, slug=municipality)
    html = render_to_string(
        "evidence/document_print.html", {**_context(found, year, public=True), "pdf": True}, request
    )
    return render_pdf(request, html, f"lagesbild-{found.slug}-{year}.pdf")
