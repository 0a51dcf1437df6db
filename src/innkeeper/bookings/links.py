"""Emailed "manage your booking" links: a signed, expiring token naming the booking.

A bookings concern: the web pages read the links and the notification worker writes them
into emails, without either importing the other."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from innkeeper.bookings.models import Booking
from innkeeper.core.errors import ApplicationError

SALT = "innkeeper.web.manage-booking"


class LinkExpired(ApplicationError):
    status, code, title = 410, "link_expired", "Link expired"


class LinkInvalid(ApplicationError):
    status, code, title = 404, "link_invalid", "Link not valid"


def manage_token(booking: Booking) -> str:
    # The email is part of the token so a link stops working if the booking's email changes.
    return signing.dumps({"ref": booking.reference, "email": booking.guest_email}, salt=SALT)


def manage_reference(token: str) -> str:
    """The booking reference a token names, or LinkExpired / LinkInvalid."""
    max_age = settings.MAGIC_LINK_TTL_HOURS * 3600
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired as error:
        raise LinkExpired(
            "This link has expired. Ask the property for a new one, or sign in to your account."
        ) from error
    except signing.BadSignature as error:
        raise LinkInvalid("This link is not valid. Check that it was copied whole.") from error
    if not Booking.objects.filter(reference=data["ref"], guest_email=data["email"]).exists():
        raise LinkInvalid("This link is not valid any more.")
    return str(data["ref"])


def manage_url(booking: Booking, base_url: str) -> str:
    """The emailed link; the notifications worker builds it when it sends the email."""
    return base_url.rstrip("/") + reverse("web:manage", args=[manage_token(booking)])
