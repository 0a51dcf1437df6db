"""Money rules in one place: Decimal amounts, the currency's minor unit, one rounding mode.

In `core` because every layer shows or computes amounts; it imports nothing of ours."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 exponents that differ from the usual two decimals.
ZERO_DECIMAL = frozenset({"JPY", "KRW", "VND", "CLP", "ISK", "XOF", "XAF", "UGX", "RWF"})
THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})
ZERO = Decimal("0")


def exponent(currency: str) -> int:
    code = currency.upper()
    if code in ZERO_DECIMAL:
        return 0
    return 3 if code in THREE_DECIMAL else 2


def quantize(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor unit, half up (the rule on receipts and at the desk)."""
    return amount.quantize(Decimal(1).scaleb(-exponent(currency)), rounding=ROUND_HALF_UP)


def to_minor(amount: Decimal, currency: str) -> int:
    """Amount in minor units (cents) as payment providers want it."""
    return int(quantize(amount, currency).scaleb(exponent(currency)))


def from_minor(minor: int, currency: str) -> Decimal:
    return quantize(Decimal(minor).scaleb(-exponent(currency)), currency)


def percent_of(amount: Decimal, percent: Decimal, currency: str) -> Decimal:
    return quantize(amount * percent / Decimal(100), currency)


def vat_included(gross: Decimal, rate_percent: Decimal, currency: str) -> Decimal:
    """The VAT contained in a VAT-inclusive gross amount."""
    if rate_percent <= 0:
        return quantize(ZERO, currency)
    return quantize(gross * rate_percent / (Decimal(100) + rate_percent), currency)
