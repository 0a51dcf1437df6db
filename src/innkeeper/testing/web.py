"""Helpers for the web-page tests: form data, error lookup in rendered HTML, a real JPEG."""

from __future__ import annotations

import io
import re
from datetime import date
from typing import Any

from PIL import Image, ImageDraw

from innkeeper.rooms.models import Room


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


def field_error(html: str, field: str) -> str:
    """The error message shown in the same .field block as the input named `field`."""
    for block in re.findall(r'<div class="field has-error">(.*?)</div>', html, re.S):
        if f'name="{field}"' in block:
            match = re.search(r'class="field-error"[^>]*>(.*?)</p>', block, re.S)
            return match.group(1) if match else ""
    return ""


def book_data(room: Room, stay: tuple[date, date], **fields: Any) -> dict[str, Any]:
    data = {
        "room": room.pk,
        "check_in": stay[0],
        "check_out": stay[1],
        "guests": 2,
        "guest_name": "Amina Alaoui",
        "guest_email": "amina@example.com",
    }
    data.update(fields)
    return data
