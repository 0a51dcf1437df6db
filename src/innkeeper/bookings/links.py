"""Emailed "manage your booking" links: a signed, expiring token naming the booking.

The token carries the reference and a keyed digest of the guest's email (never the email
itself, which base64 would show to anyone holding the link), so it stops working when the
booking's email changes. What it opens depends on the booking's state when it is used: an
active booking can be managed; an ended one (cancelled, checked out, no-show, expired) only
shows its receipts.

A bookings concern: the web pages read the links and the notification worker writes them
into emails, without either importing the other.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import salted_hmac

from innkeeper.bookings.models import ACTIVE_STATUSES, Booking
from innkeeper.core.errors import ApplicationError

SALT = "innkeeper.web.manage-booking"


class LinkExpired(ApplicationError):
    status, code, title = 410, "link_expired", "Link expired"


class LinkInvalid(ApplicationError):
    status, code, title = 404, "link_invalid", "Link not valid"


def _email_digest(email: str) -> str:
    return salted_hmac(SALT + ".email", email.strip().lower(), algorithm="sha256").hexdigest()[:20]


def manage_token(booking: Booking) -> str:
    return signing.dumps(
        {"r": booking.reference, "h": _email_digest(booking.guest_email)}, salt=SALT
    )


def _booking_named(data: object) -> Booking | None:
    if not isinstance(data, dict):
        return None
    if "r" in data:
        booking = Booking.objects.filter(reference=str(data["r"])).first()
        digest = str(data.get("h", ""))
        ok = booking is not None and hmac.compare_digest(digest, _email_digest(booking.guest_email))
        return booking if ok else None
    # Links mailed before the digest (they carried the email): honoured until they expire.
    return Booking.objects.filter(
        reference=str(data.get("ref", "")), guest_email=str(data.get("email", ""))
    ).first()


def manage_booking(token: str) -> Booking:
    """The booking a token names, or LinkExpired / LinkInvalid."""
    max_age = settings.MAGIC_LINK_TTL_HOURS * 3600
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired as error:
        raise LinkExpired(
            "This link has expired. Ask the property for a new one, or sign in to your account."
        ) from error
    except signing.BadSignature as error:
        raise LinkInvalid("This link is not valid. Check that it was copied whole.") from error
    booking = _booking_named(data)
    if booking is None:
        raise LinkInvalid("This link is not valid any more.")
    return booking


def link_is_live(booking: Booking) -> bool:
    """Whether the link may still manage the booking (else it only opens its receipts)."""
    return booking.status in ACTIVE_STATUSES


def manage_url(booking: Booking, base_url: str) -> str:
    """The emailed link; the notifications worker builds it when it sends the email."""
    return base_url.rstrip("/") + reverse("web:manage", args=[manage_token(booking)])
