"""Fixtures for the web pages: a room type with a real resized photo, media in a temp dir,
a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from innkeeper.rooms.models import RoomType, RoomTypePhoto
from innkeeper.rooms.photos import room_type_photo_resize
from innkeeper.testing.jobs import smtp_server, smtp_settings

__all__ = ["smtp_server", "smtp_settings"]


def jpeg_bytes(width: int = 1200, height: int = 800) -> bytes:
    """A real JPEG: a warm courtyard-coloured gradient with a door, so screenshots look real."""
    image = Image.new("RGB", (width, height), (214, 160, 110))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        shade = int(120 + 100 * y / height)
        draw.line([(0, y), (width, y)], fill=(shade + 30, shade - 10, shade - 50))
    draw.rectangle([width // 3, height // 4, 2 * width // 3, height], fill=(90, 60, 40))
    draw.ellipse([width // 3, height // 8, 2 * width // 3, height // 2], fill=(90, 60, 40))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return buffer.getvalue()


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
