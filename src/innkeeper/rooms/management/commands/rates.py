"""`innkeeper rates quote|close|reopen`: what a stay costs night by night at today's rates
(which season, weekend rate, extra persons, discount; which stay rules it breaks), also for an
existing booking beside the price it stored; and closing or reopening dates of a room type.

Exit codes: 0 done; 1 refused (unknown room, a rule that cannot be); 2 bad usage (dates)."""

from __future__ import annotations

import getpass
import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from innkeeper.bookings.models import Booking
from innkeeper.core.errors import ApplicationError, InvalidInput
from innkeeper.rooms.models import Room
from innkeeper.rooms.pricing import Quote, stay_quote
from innkeeper.rooms.rates import RuleBreak, stay_breaks, stay_rates
from innkeeper.rooms.rates_services import stay_rule_create, stay_rule_delete


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"{text!r} is not a date written YYYY-MM-DD.", returncode=2) from error


def _quote_json(room: Room, quote: Quote, breaks: list[RuleBreak]) -> dict[str, Any]:
    return {
        "room_id": room.pk,
        "room": room.number,
        "room_type_id": room.room_type_id,
        "rules_broken": [{"code": b.code.value, "detail": b.detail} for b in breaks],
        "nights": [
            {
                "night": str(n.night),
                "rate": str(n.rate),
                "extra_persons": str(n.extra),
                "source": n.source,
                "season": n.season,
            }
            for n in quote.nights
        ],
        "los_discount": str(quote.los_discount),
        "room_subtotal": str(quote.room_subtotal),
        "tourist_tax": str(quote.tourist_tax),
        "total": str(quote.total),
        "currency": quote.currency,
    }


class Command(BaseCommand):
    help = "Rates and stay rules: `quote` a stay night by night, `close`/`reopen` dates."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        quote = sub.add_parser("quote", help="price a stay night by night, with the rules")
        quote.add_argument("room_id", type=int, nargs="?")
        quote.add_argument("check_in", nargs="?", help="YYYY-MM-DD")
        quote.add_argument("check_out", nargs="?", help="YYYY-MM-DD")
        quote.add_argument("--guests", type=int, default=1)
        quote.add_argument("--booking", help="a booking's room, dates and guests (REF)")
        quote.add_argument("--json", action="store_true")
        close = sub.add_parser("close", help="stop-sell a room type from FIRST to LAST")
        close.add_argument("room_type_id", type=int)
        close.add_argument("first", help="first closed date, YYYY-MM-DD")
        close.add_argument("last", help="last closed date (included), YYYY-MM-DD")
        close.add_argument("--note", default="", help="why (shown in the admin and the audit)")
        reopen = sub.add_parser("reopen", help="delete a stay rule (by the id `close` printed)")
        reopen.add_argument("rule_id", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except InvalidInput as error:
            raise CommandError(error.detail, returncode=2) from error
        except ApplicationError as error:
            raise CommandError(error.detail) from error

    def _stay(self, options: dict[str, Any]) -> tuple[Room, date, date, int, Booking | None]:
        if options["booking"]:
            booking = (
                Booking.objects.select_related("room__room_type", "room__property", "charges")
                .filter(reference=options["booking"].upper())
                .first()
            )
            if booking is None:
                raise CommandError(f"No booking {options['booking']}.")
            return booking.room, booking.check_in, booking.check_out, booking.guests, booking
        if options["room_id"] is None or not options["check_in"] or not options["check_out"]:
            raise CommandError("Give ROOM_ID CHECK_IN CHECK_OUT, or --booking REF.", returncode=2)
        room = (
            Room.objects.select_related("room_type", "property")
            .filter(pk=options["room_id"])
            .first()
        )
        if room is None:
            raise CommandError(f"No room with id {options['room_id']}.")
        check_in, check_out = _date(options["check_in"]), _date(options["check_out"])
        if check_out <= check_in:
            raise CommandError("CHECK_OUT must be after CHECK_IN.", returncode=2)
        return room, check_in, check_out, options["guests"], None

    def _quote(self, options: dict[str, Any]) -> None:
        room, check_in, check_out, guests, booking = self._stay(options)
        rates = stay_rates(room.room_type, check_in, check_out)
        quote = stay_quote(
            prop=room.property,
            room_type=room.room_type,
            check_in=check_in,
            check_out=check_out,
            guests=guests,
            rates=rates,
        )
        data = _quote_json(room, quote, stay_breaks(rates, check_in, check_out))
        charges = getattr(booking, "charges", None) if booking else None
        if charges is not None:
            data["booked"] = {"total": str(charges.total), "made_at": str(charges.created_at)}
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2))
            return
        self._print(data, guests)

    def _print(self, data: dict[str, Any], guests: int) -> None:
        cur = data["currency"]
        self.stdout.write(f"Room {data['room']}, {guests} guest(s), at today's rates:")
        for n in data["nights"]:
            why = f"{n['source']} {n['season']}".strip()
            extra = f" + {n['extra_persons']} extra persons" if n["extra_persons"] != "0" else ""
            self.stdout.write(f"  {n['night']}  {n['rate']} {cur}{extra}  ({why})")
        self.stdout.write(f"  length-of-stay discount: -{data['los_discount']} {cur}")
        self.stdout.write(
            f"  room {data['room_subtotal']} {cur}, tourist tax {data['tourist_tax']} {cur}, "
            f"total {data['total']} {cur}"
        )
        if "booked" in data:
            booked = data["booked"]
            self.stdout.write(f"  the booking stored {booked['total']} {cur} ({booked['made_at']})")
        for rule in data["rules_broken"]:
            self.stdout.write(f"  rule {rule['code']}: {rule['detail']}")

    def _close(self, options: dict[str, Any]) -> None:
        rule = stay_rule_create(
            actor=None,
            actor_label=getpass.getuser(),
            source="cli",
            room_type_id=options["room_type_id"],
            first_date=_date(options["first"]),
            last_date=_date(options["last"]),
            closed=True,
            note=options["note"],
        )
        self.stdout.write(str(rule.pk))
        self.stderr.write(
            f"Closed {rule.room_type} from {rule.first_date} to {rule.last_date} "
            f"(rule {rule.pk}; reopen with `innkeeper rates reopen {rule.pk}`)."
        )

    def _reopen(self, options: dict[str, Any]) -> None:
        stay_rule_delete(
            actor=None, actor_label=getpass.getuser(), source="cli", rule_id=options["rule_id"]
        )
        self.stderr.write(f"Rule {options['rule_id']} deleted: its dates are on sale again.")
