"""`innkeeper rates quote|close|reopen`: what a stay costs night by night (and which season,
weekend rate or stay rule applied), and closing or reopening dates of a room type.

Exit codes: 0 done; 1 refused (unknown room, a rule that cannot be); 2 bad usage (dates)."""

from __future__ import annotations

import getpass
import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from innkeeper.bookings.availability_check import RoomVerdict, availability_check
from innkeeper.core.errors import ApplicationError, InvalidInput
from innkeeper.rooms.rates_services import stay_rule_create, stay_rule_delete


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"{text!r} is not a date written YYYY-MM-DD.", returncode=2) from error


def _verdict_json(verdict: RoomVerdict) -> dict[str, Any]:
    quote = verdict.quote
    return {
        "room_id": verdict.room.pk,
        "room": verdict.room.number,
        "room_type_id": verdict.room.room_type_id,
        "available": verdict.available,
        "reasons": [{"code": r.code, "detail": r.detail} for r in verdict.reasons],
        "nights": [
            {
                "night": str(n.night),
                "rate": str(n.rate),
                "extra_persons": str(n.extra),
                "source": n.source,
                "season": n.season,
            }
            for n in (quote.nights if quote else ())
        ],
        "los_discount": str(quote.los_discount) if quote else None,
        "room_subtotal": str(quote.room_subtotal) if quote else None,
        "tourist_tax": str(quote.tourist_tax) if quote else None,
        "total": str(quote.total) if quote else None,
        "currency": verdict.room.property.currency,
    }


class Command(BaseCommand):
    help = "Rates and stay rules: `quote` a stay night by night, `close`/`reopen` dates."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        quote = sub.add_parser("quote", help="price a stay night by night, with the rules")
        quote.add_argument("room_id", type=int)
        quote.add_argument("check_in", help="YYYY-MM-DD")
        quote.add_argument("check_out", help="YYYY-MM-DD")
        quote.add_argument("--guests", type=int, default=1)
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

    def _quote(self, options: dict[str, Any]) -> None:
        (verdict,) = availability_check(
            check_in=_date(options["check_in"]),
            check_out=_date(options["check_out"]),
            guests=options["guests"],
            room_id=options["room_id"],
        )
        data = _verdict_json(verdict)
        if options["json"]:
            self.stdout.write(json.dumps(data, indent=2))
            return
        cur = data["currency"]
        self.stdout.write(
            f"Room {data['room']}: {'offered' if data['available'] else 'NOT offered'}"
        )
        for reason in data["reasons"]:
            self.stdout.write(f"  {reason['code']}: {reason['detail']}")
        for n in data["nights"]:
            why = f"{n['source']} {n['season']}".strip()
            extra = f" + {n['extra_persons']} extra persons" if n["extra_persons"] != "0" else ""
            self.stdout.write(f"  {n['night']}  {n['rate']} {cur}{extra}  ({why})")
        if data["total"] is not None:
            self.stdout.write(f"  length-of-stay discount: -{data['los_discount']} {cur}")
            self.stdout.write(
                f"  room {data['room_subtotal']} {cur}, tourist tax "
                f"{data['tourist_tax']} {cur}, total {data['total']} {cur}"
            )

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
