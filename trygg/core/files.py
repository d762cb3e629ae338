"""Serving files that people uploaded: from a view that has checked who asks, or (logos) from nginx.

Every such response is inert in a browser. It carries `Content-Security-Policy: default-src 'none'; sandbox`
(no script runs, no form posts, even if a file is HTML under another name) and nosniff; only an image the
application re-encoded from its pixels is shown inline, and everything else is downloaded as bytes.
scripts/nginx/trygg.conf sends the same headers for the files nginx serves itself.
"""

import mimetypes
from pathlib import PurePosixPath

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponseBase

# The policy of every uploaded file: nothing loads, nothing runs, the document is a sandboxed unique origin. The
# directives that default-src does not cover (or that the checklist's item 2 asks for by name) are spelled out.
MEDIA_CONTENT_SECURITY_POLICY = "default-src 'none'; sandbox; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
# Types an image re-encoded by the application (trygg.reports.photos) may be served inline as.
REENCODED_IMAGE_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


def media_headers(response: HttpResponseBase) -> HttpResponseBase:
    """The headers of an uploaded file. The site's own CSP (csp.middleware) leaves a response's header alone."""
    response["Content-Security-Policy"] = MEDIA_CONTENT_SECURITY_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def stored_file_response(file: FieldFile, *, reencoded_image: bool = False) -> FileResponse:
    """A stored file as a download; shown inline only when it is an image the application re-encoded."""
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        # The row outlived its file; `trygg cleanup_media` repairs such rows.
        raise Http404 from None
    name = PurePosixPath(file.name or "").name
    guessed, _encoding = mimetypes.guess_type(name)
    inline = reencoded_image and guessed in REENCODED_IMAGE_TYPES
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=name,
        content_type=guessed if inline else "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    media_headers(response)
    return response
