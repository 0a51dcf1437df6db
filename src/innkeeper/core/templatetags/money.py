from __future__ import annotations

from decimal import Decimal

from django import template

from innkeeper.core.money import quantize

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str) -> str:
    """`300.000` stored -> `300.00 EUR`: the currency's minor unit, as on receipts."""
    if amount is None:
        return ""
    return f"{quantize(Decimal(amount), currency)} {currency}"
