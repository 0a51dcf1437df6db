"""`innkeeper bookings change REF ...`: change or move a booking from the shell (the same
flow as the API and the desk; the operator is named in the audit trail)."""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from innkeeper.bookings.change_rules import ChangeRequest
from innkeeper.flows.change_then_refund import (
    ChangeResult,
    booking_change_quote,
    booking_change_then_refund,
)
from innkeeper.ops.cliutil import operator_name, run_service


def _iso_date(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a date like 2027-03-14") from error


def add_change_parser(sub: Any) -> None:
    change = sub.add_parser(
        "change",
        help="change dates, room, room type or guests of a booking, or move an in-house guest",
    )
    change.add_argument("reference", help="booking reference, e.g. IK-ABCDEFGH")
    change.add_argument("--room", help="room number to move to (same property)")
    change.add_argument("--room-type-id", type=int, help="move to a free room of this type")
    change.add_argument("--check-in", type=_iso_date, help="new arrival date (YYYY-MM-DD)")
    change.add_argument("--check-out", type=_iso_date, help="new departure date (YYYY-MM-DD)")
    change.add_argument("--guests", type=int, help="new number of guests")
    change.add_argument(
        "--keep-price", action="store_true", help="a move at no charge: the price stays"
    )
    change.add_argument("--reason", default="", help="why (kept in the history and audit)")
    change.add_argument("--dry-run", action="store_true", help="show the quote, change nothing")
    change.add_argument("--json", action="store_true", help="machine-readable output")


def run_change(options: dict[str, Any]) -> tuple[str, ChangeResult]:
    request = ChangeRequest(
        check_in=options["check_in"],
        check_out=options["check_out"],
        room_number=options["room"],
        room_type_id=options["room_type_id"],
        guests=options["guests"],
        keep_price=options["keep_price"],
        reason=options["reason"][:300],
    )
    reference = options["reference"]
    if options["dry_run"]:
        result = run_service(
            lambda: booking_change_quote(reference=reference, actor=None, request=request)
        )
    else:
        result = run_service(
            lambda: booking_change_then_refund(
                reference=reference,
                actor=None,
                request=request,
                source="cli",
                actor_label=operator_name(),
            )
        )
    return (_json(result) if options["json"] else _text(result)), result


def _side(lines: Any) -> str:
    return (
        f"room {lines.room_number} ({lines.room_type}), {lines.check_in}..{lines.check_out}, "
        f"{lines.guests} guest(s), total {lines.total:.2f}"
    )


def _text(result: ChangeResult) -> str:
    plan, money = result.plan, result.money
    cur = plan.booking.currency
    verb = "Changed" if plan.applied else "Would change (dry run, nothing changed)"
    return "\n".join(
        [
            f"{verb} {plan.booking.reference}:",
            f"  before: {_side(plan.before)} {cur}",
            f"  after:  {_side(plan.after)} {cur}",
            f"  difference {plan.difference} {cur}; paid {money.paid}; "
            f"balance due {money.balance_due}; refund {money.refund}",
        ]
    )


def _json(result: ChangeResult) -> str:
    plan, money = result.plan, result.money
    return json.dumps(
        {
            "reference": plan.booking.reference,
            "applied": plan.applied,
            "changes": plan.before.stay_changes(plan.after),
            "before_total": str(plan.before.total),
            "after_total": str(plan.after.total),
            "difference": str(plan.difference),
            "paid": str(money.paid),
            "balance_due": str(money.balance_due),
            "refund": str(money.refund),
        }
    )
