"""Writes for the calendar export: issue a room's (or room type's) feed URL, rotate it."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from innkeeper.channels.models import CalendarExport
from innkeeper.channels.tokens import new_token, token_digest
from innkeeper.core.audit import audit_log
from innkeeper.core.errors import Conflict, InvalidInput, NotFound
from innkeeper.rooms.models import Room, RoomType


class ExportExists(Conflict):
    code, title = "calendar_export_exists", "Export URL already issued"


@dataclass(frozen=True)
class IssuedExport:
    export: CalendarExport
    token: str
    rotated: bool

    @property
    def path(self) -> str:
        return reverse("channels:calendar_feed", kwargs={"token": self.token})


def export_url(path: str, *, site_url: str = "") -> str:
    base = (site_url or settings.SITE_URL).rstrip("/")
    if not base:
        raise InvalidInput(
            "No public address for the URL: set SITE_URL or pass --site-url https://your.site.",
            code="site_url_missing",
        )
    return f"{base}{path}"


def _subject(room_id: int | None, room_type_id: int | None) -> dict[str, Room | RoomType]:
    if room_id is not None and room_type_id is None:
        room = Room.objects.filter(pk=room_id).first()
        if room is None:
            raise NotFound(f"No room with id {room_id}.", code="room_not_found")
        return {"room": room}
    if room_type_id is None or room_id is not None:
        raise InvalidInput("Give a room or a room type (one of them).", code="invalid_input")
    room_type = RoomType.objects.filter(pk=room_type_id).first()
    if room_type is None:
        raise NotFound(f"No room type with id {room_type_id}.", code="room_type_not_found")
    return {"room_type": room_type}


@transaction.atomic
def calendar_export_issue(
    *,
    room_id: int | None = None,
    room_type_id: int | None = None,
    rotate: bool = False,
    actor_label: str,
    source: str = "cli",
) -> IssuedExport:
    """A new token for the subject's export. The first one is issued freely; later ones only
    with `rotate`, since a new token makes the URL every channel holds stop working."""
    subject = _subject(room_id, room_type_id)
    token = new_token()
    export = CalendarExport.objects.select_for_update().filter(**subject).first()
    if export is not None and not rotate:
        raise ExportExists(
            f"{export.subject} already has an export URL (issued {export.created_at:%Y-%m-%d}). "
            "Only a hash of its token is kept, so it cannot be shown again: pass --rotate "
            "to issue a new one (the old URL stops working at once)."
        )
    if export is None:
        export = CalendarExport.objects.create(token_hash=token_digest(token), **subject)
        action = "channels.export_issued"
    else:
        export.token_hash = token_digest(token)
        export.rotated_at = timezone.now()
        export.save(update_fields=["token_hash", "rotated_at", "updated_at"])
        action = "channels.export_rotated"
    audit_log(action, actor_label=actor_label, target=export.subject, source=source)
    return IssuedExport(export=export, token=token, rotated=action.endswith("rotated"))
