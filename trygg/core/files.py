"""Serving files that staff uploaded, from a view that has checked who asks (nginx never serves them)."""

import mimetypes
from pathlib import PurePosixPath

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404

# Shown in the browser; anything else is downloaded as bytes, whatever its name claims.
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})


def stored_file_response(file: FieldFile) -> FileResponse:
    if not file:
        raise Http404
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        # The row outlived its file; `trygg cleanup_media` repairs such rows.
        raise Http404 from None
    name = PurePosixPath(file.name or "").name
    guessed, _encoding = mimetypes.guess_type(name)
    inline = guessed in INLINE_TYPES
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=name,
        content_type=guessed if inline else "application/octet-stream",
    )
    response["Cache-Control"] = "private, no-store"
    return response
