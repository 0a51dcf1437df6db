"""Room photos: staff upload one original; guests get small resized JPEGs with stable names."""

from __future__ import annotations

import hashlib
import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from PIL import Image, ImageOps, UnidentifiedImageError

from innkeeper.core.errors import InvalidInput
from innkeeper.rooms.models import RoomTypePhoto

# name -> longest side in pixels. Phones get `medium`, galleries `large`, lists `thumb`.
SIZES: dict[str, int] = {"large": 1600, "medium": 800, "thumb": 320}
JPEG_QUALITY = 82


def _resized_jpeg(image: Image.Image, longest: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    copy.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return buffer.getvalue()


def room_type_photo_resize(*, photo: RoomTypePhoto) -> RoomTypePhoto:
    """Write the resized copies of `photo.original` and record their paths."""
    photo.original.open("rb")
    try:
        with Image.open(photo.original) as source:
            # Honour the camera's rotation flag, then drop metadata (GPS, serials) by re-encoding.
            image = ImageOps.exif_transpose(source).convert("RGB")
    except (UnidentifiedImageError, OSError) as error:
        raise InvalidInput(
            "The file is not an image we can read.", extra={"field": "original"}
        ) from error
    finally:
        photo.original.close()
    for size_name, longest in SIZES.items():
        data = _resized_jpeg(image, longest)
        digest = hashlib.sha256(data).hexdigest()[:16]
        path = default_storage.save(f"rooms/{size_name}/{digest}.jpg", ContentFile(data))
        setattr(photo, size_name, path)
    photo.save(update_fields=[*SIZES, "updated_at"])
    return photo


def room_type_photos(*, room_type_ids: list[int]) -> dict[int, list[RoomTypePhoto]]:
    """Photos of several room types in one query, grouped by room type id."""
    grouped: dict[int, list[RoomTypePhoto]] = {pk: [] for pk in room_type_ids}
    photos: QuerySet[RoomTypePhoto] = RoomTypePhoto.objects.filter(
        room_type_id__in=room_type_ids
    ).exclude(medium="")
    for photo in photos:
        grouped[photo.room_type_id].append(photo)
    return grouped
