"""Small helpers the page views share: who is asking, which bookings this browser holds."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from innkeeper.accounts.models import User

SESSION_REFERENCES = "web.booking_references"
# Ended bookings whose emailed link was opened: their receipts only (bookings/links.py).
SESSION_RECEIPTS = "web.receipt_references"


def current_user(request: HttpRequest) -> User | None:
    user: Any = request.user
    return user if isinstance(user, User) and user.is_authenticated else None


def session_references(request: HttpRequest) -> list[str]:
    return list(request.session.get(SESSION_REFERENCES, []))


def remember_reference(request: HttpRequest, reference: str) -> None:
    """This browser made (or opened the emailed link of) this booking, so it may manage it."""
    references = session_references(request)
    if reference not in references:
        request.session[SESSION_REFERENCES] = [*references, reference][-50:]


def session_receipt_references(request: HttpRequest) -> list[str]:
    return list(request.session.get(SESSION_RECEIPTS, []))


def remember_receipts_of(request: HttpRequest, reference: str) -> None:
    references = session_receipt_references(request)
    if reference not in references:
        request.session[SESSION_RECEIPTS] = [*references, reference][-50:]


def safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback
