"""Room photos: staff upload one original; guests get small resized JPEGs with stable names."""

from __future__ import annotations

import hashlib
import io
from pathlib import PurePath
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from PIL import Image, ImageOps, UnidentifiedImageError

from innkeeper.core.errors import InvalidInput
from innkeeper.rooms.models import RoomTypePhoto

# name -> longest side in pixels. Phones get `medium`, galleries `large`, lists `thumb`.
SIZES: dict[str, int] = {"large": 1600, "medium": 800, "thumb": 320}
JPEG_QUALITY = 82


ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
ORIGINAL_QUALITY = 92


def _refuse(detail: str) -> InvalidInput:
    return InvalidInput(detail, code="invalid_photo", extra={"field": "original"})


def _decoded(file: IO[bytes]) -> Image.Image:
    """The image, upright and in RGB, or InvalidInput. Size and pixel count are checked from
    the header, before anything is decoded (a tiny PNG can hold a huge, all-white bitmap)."""
    size = getattr(file, "size", None)
    if size is not None and size > settings.PHOTO_MAX_BYTES:
        raise _refuse(f"The photo is larger than {settings.PHOTO_MAX_BYTES // 1_000_000} MB.")
    try:
        with Image.open(file, formats=ACCEPTED_FORMATS) as source:
            width, height = source.size
            if width * height > settings.PHOTO_MAX_PIXELS:
                raise _refuse(
                    f"The photo has {width}x{height} pixels; at most "
                    f"{settings.PHOTO_MAX_PIXELS // 1_000_000} megapixels are accepted."
                )
            # Honour the camera's rotation flag; converting drops every other tag (GPS, serials).
            return ImageOps.exif_transpose(source).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise _refuse("The file is not an image we can read.") from error


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    # No exif=/icc_profile= given: Pillow writes no metadata.
    image.save(buffer, format="JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


def photo_clean_original(file: IO[bytes], *, name: str) -> ContentFile[bytes]:
    """What is stored (and may be served) as the original: the upload re-encoded as a JPEG
    with no metadata. InvalidInput when it is too big, too many pixels, or not an image."""
    data = _jpeg(_decoded(file), ORIGINAL_QUALITY)
    return ContentFile(data, name=f"{PurePath(name).stem[:80] or 'photo'}.jpg")


def _resized_jpeg(image: Image.Image, longest: int) -> bytes:
    copy = image.copy()
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    return _jpeg(copy, JPEG_QUALITY)


def room_type_photo_resize(*, photo: RoomTypePhoto) -> RoomTypePhoto:
    """Write the resized copies of `photo.original` and record their paths. A file that turns
    out unreadable is deleted from storage, not left behind, and InvalidInput raised."""
    photo.original.open("rb")
    try:
        image = _decoded(photo.original)
    except InvalidInput:
        photo.original.close()
        photo.original.delete(save=False)
        raise
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
