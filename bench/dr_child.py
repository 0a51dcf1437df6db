"""The in-process halves of the DR measurement (bench/dr.py), each in a process of its own
because Django is configured once per process (DATABASE_URL comes from the environment).

python -m bench.dr_child load --size default   # generate the bench data; prints one JSON line
python -m bench.dr_child write                  # bookings until killed: "<reference> <unix time>"
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import timedelta

import django

from bench.config import SIZES

WRITE_AFTER_DAYS = 400  # past the generated data (today ± 365 days): no conflicts
WRITE_NIGHTS_PER_ROOM = 300  # bookings open 730 days ahead by default


def _load(size: str) -> None:
    from bench.generate import generate

    started = time.monotonic()
    data = generate(SIZES[size])
    print(
        "DR_LOAD "
        + json.dumps(
            {
                "rooms": len(data.room_ids),
                "properties": data.properties,
                "bookings": data.bookings,
                "seconds": round(time.monotonic() - started, 1),
            }
        ),
        flush=True,
    )


def _write() -> None:
    """One-night stays on consecutive nights, past the generated data, room after room: a
    steady stream of guests that never conflicts (bookings open BOOKING_HORIZON days ahead)."""
    from django.utils import timezone

    from innkeeper.accounts.models import User
    from innkeeper.bookings.services import booking_create
    from innkeeper.rooms.models import Room

    rooms = Room.objects.filter(room_type__capacity__gte=2).order_by("pk")
    guest, _ = User.objects.get_or_create(email="dr-drill@example.com", defaults={"name": "DR"})
    first = timezone.now().date() + timedelta(days=WRITE_AFTER_DAYS)
    for room in rooms.iterator():
        for night in range(WRITE_NIGHTS_PER_ROOM):
            check_in = first + timedelta(days=night)
            made = booking_create(
                room_id=room.pk,
                check_in=check_in,
                check_out=check_in + timedelta(days=1),
                guests=2,
                created_by=guest,
                guest=guest,
            )
            print(made.reference, time.time(), flush=True)
            time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=["load", "write"])
    parser.add_argument("--size", choices=sorted(SIZES), default="default")
    args = parser.parse_args()
    django.setup()
    if args.what == "load":
        _load(args.size)
    else:
        _write()


if __name__ == "__main__":
    main()
