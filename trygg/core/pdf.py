"""Every PDF Trygg makes: PDF/UA-1 (tagged, with a structure tree, the document's language and title), built
from HTML by WeasyPrint.

The Swedish accessibility law (DOS-lagen) points to EN 301 549, whose clause on documents PDF/UA meets. WeasyPrint's
"pdf/ua-1" variant tags headings, paragraphs, lists, tables (header cells linked to data cells) and figures with
their alt text, gives link annotations Contents, marks the document (MarkInfo) and asks readers to show the title
(DisplayDocTitle). The template must set `<html lang>`, a `<title>`, alt on every image and `<th scope>` in tables.

Nothing is fetched over the network: images come as data: URIs and stylesheets as files, and relative links are
resolved against SITE_URL, never the request's Host header.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings

PDF_VARIANT = "pdf/ua-1"


def _table_header_scopes(document: Any, pdf: Any) -> None:
    """Give every header cell a Scope: Column in a row of header cells only, Row beside data cells.

    WeasyPrint links data cells to their headers through IDs; a Scope on the header too lets checkers and
    readers that look only at the header cell understand it."""
    by_reference: dict[Any, Any] = {
        getattr(item, "reference", None): item for item in pdf.objects if isinstance(item, dict)
    }
    for item in pdf.objects:
        if not isinstance(item, dict) or item.get("S") != "/TR":
            continue
        kids = [by_reference.get(kid) for kid in item.get("K", [])]
        cells: list[dict[str, Any]] = [
            kid for kid in kids if isinstance(kid, dict) and kid.get("S") in ("/TH", "/TD")
        ]
        all_headers = all(cell.get("S") == "/TH" for cell in cells)
        for cell in cells:
            if cell.get("S") == "/TH" and "A" in cell:
                cell["A"]["Scope"] = "/Column" if all_headers else "/Row"


def pdf_from_html(html: str, *, stylesheets: Sequence[str] = ()) -> bytes:
    from weasyprint import CSS, HTML  # imported here: loading WeasyPrint takes a moment
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data", "file"})
    document = HTML(string=html, base_url=settings.SITE_URL + "/", url_fetcher=fetcher)
    return bytes(
        document.write_pdf(
            stylesheets=[CSS(filename=path, url_fetcher=fetcher) for path in stylesheets],
            pdf_variant=PDF_VARIANT,
            finisher=_table_header_scopes,
        )
    )
