"""Reads of one guest's personal data: who they are, and the export (GDPR Art. 15/20)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from innkeeper.accounts.models import ApiToken, User
from innkeeper.bookings.models import Booking
from innkeeper.core.models import AuditEvent
from innkeeper.notifications.models import SentEmail
from innkeeper.payments.models import Payment, Receipt

EXPORT_FORMAT = "innkeeper.guest-export/1"
ERASED_DOMAIN = "invalid"  # RFC 2606: can never be delivered to; marks anonymised rows


def is_erased_email(email: str) -> bool:
    return email.lower().endswith(f"@{ERASED_DOMAIN}")


@dataclass(frozen=True)
class Guest:
    """A guest as the data knows them: an account, bookings under their email, or both."""

    email: str
    user: User | None

    def bookings(self) -> QuerySet[Booking]:
        match = Q(guest_email__iexact=self.email)
        if self.user is not None:
            match |= Q(guest=self.user)
        return Booking.objects.filter(match)

    def emails(self) -> QuerySet[SentEmail]:
        return SentEmail.objects.filter(
            Q(to__iexact=self.email) | Q(booking__in=self.bookings().values("pk"))
        )

    def audit_events(self) -> QuerySet[AuditEvent]:
        about = Q(target__iexact=self.email) | Q(target__in=self.bookings().values("reference"))
        if self.user is not None:
            about |= Q(actor=self.user)
        return AuditEvent.objects.filter(about)


def guest_find(*, email: str) -> Guest | None:
    """The guest behind `email` (any case), or None when nothing is recorded about it."""
    email = email.strip().lower()
    if not email:
        return None
    user = User.objects.filter(email__iexact=email).first()
    guest = Guest(email=email, user=user)
    if user is None and not guest.bookings().exists():
        return None
    return guest


def guest_of_user(user: User) -> Guest:
    return Guest(email=user.email.lower(), user=user)


def _account(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {
        "id": user.pk,
        "email": user.email,
        "name": user.name,
        "phone": user.phone,
        "role": user.role,
        "is_active": user.is_active,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
    }


def _payments(booking: Booking) -> list[dict[str, Any]]:
    # Provider secrets (client_secret) and internal errors are not the guest's data.
    payments = Payment.objects.filter(booking=booking).order_by("created_at", "id")
    return [
        {
            "id": str(p.uid),
            "provider": p.provider,
            "purpose": p.purpose,
            "method": p.method,
            "amount": p.amount,
            "currency": p.currency,
            "status": p.status,
            "created_at": p.created_at,
        }
        for p in payments
    ]


def _receipts(booking: Booking) -> list[dict[str, Any]]:
    receipts = Receipt.objects.filter(booking=booking).select_related("entry")
    return [
        {
            "number": r.number,
            "kind": r.entry.kind,
            "amount": r.entry.amount,
            "currency": r.entry.currency,
            "created_at": r.created_at,
        }
        for r in receipts.order_by("year", "sequence")
    ]


def _booking(booking: Booking) -> dict[str, Any]:
    return {
        "reference": booking.reference,
        "property": booking.property.name,
        "room": booking.room.number,
        "status": booking.status,
        "check_in": booking.check_in,
        "check_out": booking.check_out,
        "nights": booking.nights,
        "guests": booking.guests,
        "guest_name": booking.guest_name,
        "guest_email": booking.guest_email,
        "guest_phone": booking.guest_phone,
        "notes": booking.notes,
        "total_price": booking.total_price,
        "currency": booking.currency,
        "created_at": booking.created_at,
        "cancelled_at": booking.cancelled_at,
        "cancel_reason": booking.cancel_reason,
        "history": [
            {"action": e.action, "from": e.from_status, "to": e.to_status, "at": e.created_at}
            for e in booking.events.all()
        ],
        "payments": _payments(booking),
        "receipts": _receipts(booking),
        "extras": _extras(booking),
        "invoices": [
            {"number": i.number, "balance": i.balance, "currency": i.currency, "at": i.created_at}
            for i in booking.invoices.order_by("year", "sequence")
        ],
    }


def _extras(booking: Booking) -> list[dict[str, Any]]:
    """Extras posted on the stay's folio (voided ones too: they were on the bill)."""
    return [
        {
            "description": c.description,
            "quantity": c.quantity,
            "amount": c.amount,
            "note": c.note,
            "posted_at": c.posted_at,
            "voided": c.voided_at is not None,
        }
        for c in booking.folio_charges.order_by("posted_at", "pk")
    ]


def guest_export(guest: Guest) -> dict[str, Any]:
    """Everything recorded about `guest`, as JSON-ready data (dates and decimals included)."""
    bookings = guest.bookings().select_related("property", "room").order_by("check_in", "pk")
    tokens = ApiToken.objects.filter(user=guest.user) if guest.user else ApiToken.objects.none()
    return {
        "format": EXPORT_FORMAT,
        "generated_at": timezone.now(),
        "email": guest.email,
        "account": _account(guest.user),
        "bookings": [_booking(b) for b in bookings.prefetch_related("events")],
        "emails": [
            {
                "kind": m.kind,
                "to": m.to,
                "subject": m.subject,
                "status": m.status,
                "sent_at": m.sent_at,
            }
            for m in guest.emails().order_by("claimed_at", "pk")
        ],
        "audit": [
            {
                "action": a.action,
                "target": a.target,
                "source": a.source,
                "at": a.created_at,
            }
            for a in guest.audit_events().order_by("created_at", "pk")
        ],
        "api_tokens": [
            {
                "prefix": t.prefix,
                "created_at": t.created_at,
                "expires_at": t.expires_at,
                "revoked_at": t.revoked_at,
                "last_used_at": t.last_used_at,
            }
            for t in tokens.order_by("created_at", "pk")
        ],
    }
