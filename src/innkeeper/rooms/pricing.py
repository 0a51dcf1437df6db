"""The price of a stay, computed in one place so search, booking and receipts agree."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def stay_price(*, nightly_rate: Decimal, nights: int) -> Decimal:
    return money(nightly_rate * nights)
