"""`innkeeper payments reconcile|status`: settle open payments against their provider."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count

from innkeeper.core.money import quantize
from innkeeper.flows.deposit_paid_then_confirm import reconcile_then_confirm
from innkeeper.payments.folio_lines import departures_owing
from innkeeper.payments.models import OPEN_STATUSES, Payment
from innkeeper.payments.selectors import refunds_to_handle


class Command(BaseCommand):
    help = "Payments: `reconcile` settles open payments with the provider; `status` counts them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        rec = sub.add_parser("reconcile", help="check open payments against the provider")
        rec.add_argument(
            "--all", action="store_true", help="every open payment, not only those due"
        )
        rec.add_argument(
            "--booking", default="", metavar="REF", help="every open payment of this booking"
        )
        rec.add_argument("--json", action="store_true", help="machine-readable output")
        sub.add_parser(
            "status",
            help="open payments by status; refunds due at the desk or reversed; guests who "
            "left owing money",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "status":
            rows = (
                Payment.objects.filter(status__in=OPEN_STATUSES)
                .values("status", "provider")
                .annotate(n=Count("id"))
                .order_by("status")
            )
            total = 0
            for row in rows:
                total += row["n"]
                self.stdout.write(f"{row['status']:<22} {row['provider']:<16} {row['n']}")
            self.stdout.write(f"{total} open payment(s)")
            self._refunds_to_handle()
            self._departures_owing()
            return
        report = reconcile_then_confirm(all_open=options["all"], booking=options["booking"])
        if options["json"]:
            self.stdout.write(json.dumps(report.__dict__))
        else:
            self.stdout.write(
                f"checked {report.checked}, settled {report.settled}, failed {report.failed}, "
                f"still open {report.still_open}, unreachable {report.unreachable}, "
                f"differences {len(report.differences)}"
            )
            for line in report.differences:
                self.stdout.write(f"  {line}")
        if report.unreachable:
            raise CommandError(
                f"{report.unreachable} payment(s) could not be checked: provider unreachable "
                "or not configured (see the log)."
            )

    def _refunds_to_handle(self) -> None:
        todo = refunds_to_handle()
        self.stdout.write(f"{len(todo.due_at_desk)} refund(s) due at the desk")
        for refund in todo.due_at_desk:
            self.stdout.write(
                f"  {refund.booking.reference}  {quantize(refund.amount, refund.currency)} "
                f"{refund.currency} ({refund.method or 'desk'}) since {refund.created_at:%Y-%m-%d}"
                f"  refund {refund.uid}"
            )
        self.stdout.write(f"{len(todo.reversed)} refund(s) reversed after they were recorded")
        for refund in todo.reversed:
            self.stdout.write(
                f"  {refund.booking.reference}  {quantize(refund.amount, refund.currency)} "
                f"{refund.currency} via {refund.provider}: {refund.last_error or 'failed'}"
                f"  refund {refund.uid}"
            )

    def _departures_owing(self) -> None:
        owing = departures_owing()
        self.stdout.write(f"{len(owing)} guest(s) checked out owing money")
        for row in owing:
            booking, later = row.booking, row.invoice_later
            why = f"invoice later ({later.number}: {later.reason})" if later else "late extras"
            left = f"{booking.checked_out_at:%Y-%m-%d}" if booking.checked_out_at else "?"
            self.stdout.write(
                f"  {booking.reference}  {row.balance_due} {booking.currency}  "
                f"{booking.guest_name} <{booking.guest_email}>  left {left}  {why}"
            )
