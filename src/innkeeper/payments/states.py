"""Payment states as a state machine: which provider news may move a payment where.

Providers do not promise order (Stripe: "events may arrive out of order"), so a late
`processing` or `canceled` must never take back a `succeeded` charge. One exception is real:
a refund that succeeded can still fail afterwards (`refund.failed`: the bank returned it), and
that is recorded as a reversing ledger entry, never by editing the refund's entry.
"""

from __future__ import annotations

from innkeeper.payments.models import PaymentStatus as S

_SENDING = frozenset({S.PROVIDER_UNAVAILABLE, S.REQUIRES_ACTION, S.PROCESSING})
_OUTCOME = frozenset({S.SUCCEEDED, S.FAILED})

# Where a charge may go from each state. Staying put is always allowed (a replay is a no-op).
CHARGE_TRANSITIONS: dict[str, frozenset[str]] = {
    S.CREATED: _SENDING | _OUTCOME,
    S.PROVIDER_UNAVAILABLE: _SENDING | _OUTCOME,
    # A failed attempt sends an intent back to requires_payment_method: processing may
    # return to requires_action, and the guest may still pay.
    S.REQUIRES_ACTION: frozenset({S.PROCESSING}) | _OUTCOME,
    S.PROCESSING: frozenset({S.REQUIRES_ACTION}) | _OUTCOME,
    S.SUCCEEDED: frozenset(),
    S.FAILED: frozenset(),
    # Refunds of cash taken at the desk wait there until staff pay them out.
    S.DUE_AT_DESK: frozenset(),
}

# Refunds: the same, plus succeeded -> failed (recorded as a reversal), and due -> paid out.
REFUND_TRANSITIONS: dict[str, frozenset[str]] = {
    **CHARGE_TRANSITIONS,
    S.SUCCEEDED: frozenset({S.FAILED}),
    S.DUE_AT_DESK: frozenset({S.SUCCEEDED}),
}


def allowed(*, before: str, after: str, is_refund: bool) -> bool:
    """Whether provider news saying `after` may move a payment that is `before`."""
    if before == after:
        return True
    table = REFUND_TRANSITIONS if is_refund else CHARGE_TRANSITIONS
    return after in table[before]
