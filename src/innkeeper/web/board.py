"""The room board ("tape chart"): rooms down the side, dates across, bookings as bars.

Three queries whatever the size: the rooms, the bookings and the channel blocks (imported
calendar events, shown as closed nights) that touch the window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from innkeeper.bookings.models import ACTIVE_STATUSES, Booking, RoomBlock
from innkeeper.bookings.models import BookingStatus as S
from innkeeper.rooms.models import Property, Room
from innkeeper.rooms.selectors import room_list

BOARD_DAYS = 7
# Cancelled and expired bookings hold nothing, so the board leaves them out.
SHOWN_STATUSES = (*ACTIVE_STATUSES, S.CHECKED_OUT, S.NO_SHOW)


@dataclass(frozen=True)
class Cell:
    span: int
    booking: Booking | None = None
    block: RoomBlock | None = None  # nights closed by a channel's calendar
    starts_before: bool = False
    ends_after: bool = False


@dataclass(frozen=True)
class BoardRow:
    room: Room
    cells: list[Cell]


@dataclass(frozen=True)
class Board:
    start: date
    days: list[date]
    rows: list[BoardRow]

    @property
    def previous_start(self) -> date:
        return self.start - timedelta(days=BOARD_DAYS)

    @property
    def next_start(self) -> date:
        return self.start + timedelta(days=BOARD_DAYS)


def _row_cells(
    bookings: list[Booking], start: date, end: date, blocks: tuple[RoomBlock, ...] = ()
) -> list[Cell]:
    # Active bookings first: on a night a no-show and a new booking share, the new one shows.
    bookings = sorted(bookings, key=lambda b: (b.status not in ACTIVE_STATUSES, b.check_in))
    cells: list[Cell] = []
    day = start
    while day < end:
        booking = next((b for b in bookings if b.check_in <= day < b.check_out), None)
        if booking is None:
            block = next((b for b in blocks if b.start <= day < b.end), None)
            cells.append(Cell(span=1, block=block))
            day += timedelta(days=1)
            continue
        until = min(booking.check_out, end)
        cells.append(
            Cell(
                span=(until - day).days,
                booking=booking,
                starts_before=booking.check_in < day,
                ends_after=booking.check_out > end,
            )
        )
        day = until
    return cells


def room_board(*, prop: Property, start: date, days: int = BOARD_DAYS) -> Board:
    end = start + timedelta(days=days)
    rooms = list(room_list(property_id=prop.pk))
    by_room: dict[int, list[Booking]] = {room.pk: [] for room in rooms}
    bookings = Booking.objects.filter(
        property=prop, status__in=SHOWN_STATUSES, check_in__lt=end, check_out__gt=start
    ).only("reference", "room_id", "guest_name", "status", "check_in", "check_out", "guests")
    for booking in bookings:
        by_room.setdefault(booking.room_id, []).append(booking)
    blocked: dict[int, list[RoomBlock]] = {}
    for block in RoomBlock.objects.filter(room__property=prop, start__lt=end, end__gt=start):
        blocked.setdefault(block.room_id, []).append(block)
    return Board(
        start=start,
        days=[start + timedelta(days=n) for n in range(days)],
        rows=[
            BoardRow(
                room=room,
                cells=_row_cells(by_room[room.pk], start, end, tuple(blocked.get(room.pk, ()))),
            )
            for room in rooms
        ],
    )
