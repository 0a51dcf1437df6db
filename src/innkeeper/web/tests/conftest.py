"""Fixtures for the web pages: a room type with a real resized photo, media in a temp dir,
a real SMTP server (aiosmtpd)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from innkeeper.rooms.models import RoomType, RoomTypePhoto
from innkeeper.rooms.photos import room_type_photo_resize
from innkeeper.testing.smtp import smtp_server, smtp_settings
from innkeeper.testing.stripe import stripe_standin
from innkeeper.testing.web import jpeg_bytes

__all__ = ["smtp_server", "smtp_settings", "stripe_standin"]


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def room_photo(room_type: RoomType, media_root: Path) -> RoomTypePhoto:
    photo = RoomTypePhoto.objects.create(
        room_type=room_type,
        original=SimpleUploadedFile("double.jpg", jpeg_bytes(), content_type="image/jpeg"),
        alt_text="The double room: a carved cedar door onto the courtyard",
    )
    return room_type_photo_resize(photo=photo)
