"""Room photo uploads (issue 12, finding 17): no camera metadata is stored or served, size
and pixel count are capped before anything is decoded, and a refused upload leaves no file."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from innkeeper.accounts.models import Role
from innkeeper.conftest import make_user
from innkeeper.core.errors import InvalidInput
from innkeeper.rooms.models import RoomType, RoomTypePhoto
from innkeeper.rooms.photos import room_type_photo_resize

SECRET = "SpyCam 3000 at 33.5731N 7.5898W"


@pytest.fixture
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def manager(client: Client, db: None) -> Client:
    client.force_login(make_user("boss@example.com", Role.MANAGER))
    return client


def jpeg_with_exif(width: int = 1200, height: int = 800) -> bytes:
    image = Image.new("RGB", (width, height), (200, 150, 100))
    exif = Image.Exif()
    exif[0x010F] = SECRET  # Make
    exif[0x010E] = SECRET  # ImageDescription
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85, exif=exif.tobytes())
    return buffer.getvalue()


def huge_png(width: int, height: int) -> bytes:
    """A real, valid PNG of a blank width x height greyscale image, compressed row by row:
    12000x12000 is ~140 KB on disk and 144 million pixels once decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    compressor = zlib.compressobj(9)
    row = b"\x00" * (width + 1)  # filter byte + one byte a pixel
    parts = [compressor.compress(row) for _ in range(height)]
    idat = b"".join(parts) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )


def upload(client: Client, room_type: RoomType, name: str, data: bytes) -> Any:
    return client.post(
        f"/admin/rooms/roomtype/{room_type.pk}/change/",
        {
            "property": room_type.property_id,
            "name": room_type.name,
            "description": "",
            "capacity": room_type.capacity,
            "nightly_rate": room_type.nightly_rate,
            "photos-TOTAL_FORMS": 1,
            "photos-INITIAL_FORMS": 0,
            "photos-MIN_NUM_FORMS": 0,
            "photos-MAX_NUM_FORMS": 1000,
            "photos-0-original": SimpleUploadedFile(name, data),
            "photos-0-alt_text": "The double room",
            "photos-0-position": 0,
            "_save": "Save",
        },
    )


def stored_files(media_root: Path) -> list[Path]:
    return [path for path in media_root.rglob("*") if path.is_file()] if media_root.exists() else []


def test_no_camera_metadata_is_stored_or_served(manager, room_type, media_root):
    response = upload(manager, room_type, "room.jpg", jpeg_with_exif())
    assert response.status_code == 302, response.content.decode()[:2000]
    photo = RoomTypePhoto.objects.get()
    files = stored_files(media_root)
    assert len(files) == 4  # the original and three sizes
    for path in files:
        assert SECRET.encode() not in path.read_bytes(), path
        with Image.open(path) as image:
            assert dict(image.getexif()) == {}, path
    for name in (photo.original.name, photo.large, photo.thumb):
        served = Client().get(f"/media/{name}")
        assert served.status_code == 200
        assert SECRET.encode() not in served.getvalue()


def test_too_many_pixels_is_refused_and_nothing_is_stored(manager, room_type, media_root, settings):
    settings.PHOTO_MAX_PIXELS = 1_000_000
    response = upload(manager, room_type, "wide.png", huge_png(1200, 1000))
    assert response.status_code == 200
    assert "megapixels" in response.content.decode()
    assert not RoomTypePhoto.objects.exists()
    assert stored_files(media_root) == []


def test_a_decompression_bomb_is_refused_from_its_header(manager, room_type, media_root):
    """The reported attack, against the default cap: 12000x12000 in a ~140 KB PNG."""
    bomb = huge_png(12000, 12000)
    assert len(bomb) < 300_000
    response = upload(manager, room_type, "bomb.png", bomb)
    assert response.status_code == 200
    assert "12000x12000" in response.content.decode()
    assert not RoomTypePhoto.objects.exists()
    assert stored_files(media_root) == []


def test_a_file_over_the_size_cap_is_refused(manager, room_type, media_root, settings):
    data = jpeg_with_exif()
    settings.PHOTO_MAX_BYTES = len(data) - 1
    response = upload(manager, room_type, "room.jpg", data)
    assert response.status_code == 200
    assert "larger than" in response.content.decode()
    assert not RoomTypePhoto.objects.exists()
    assert stored_files(media_root) == []


def test_an_unreadable_image_is_refused_and_leaves_no_file(manager, room_type, media_root):
    truncated = jpeg_with_exif()[:3000]  # the header reads fine, the pixels do not
    response = upload(manager, room_type, "cut.jpg", truncated)
    assert response.status_code == 200
    assert not RoomTypePhoto.objects.exists()
    assert stored_files(media_root) == []


def test_resizing_a_stored_file_that_is_not_readable_deletes_it(room_type, media_root):
    photo = RoomTypePhoto.objects.create(
        room_type=room_type, original=ContentFile(jpeg_with_exif()[:3000], name="cut.jpg")
    )
    assert len(stored_files(media_root)) == 1
    with pytest.raises(InvalidInput):
        room_type_photo_resize(photo=photo)
    assert stored_files(media_root) == []
