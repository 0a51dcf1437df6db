"""Uploaded media (room photos) for the embedded default, with cache headers."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.views.static import serve

# Resized photos are named by their content hash, so they never change: cache for a year.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "public, max-age=3600"
HASHED_FOLDERS = ("rooms/large/", "rooms/medium/", "rooms/thumb/")


def media(request: HttpRequest, path: str) -> HttpResponse | FileResponse:
    response = serve(request, path, document_root=str(settings.MEDIA_ROOT))
    response["Cache-Control"] = IMMUTABLE if path.startswith(HASHED_FOLDERS) else REVALIDATE
    return response
