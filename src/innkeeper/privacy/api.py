"""GET /api/v1/auth/me/export: the signed-in guest's own data (GDPR Art. 15/20)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from innkeeper.accounts.auth import api_user, bearer
from innkeeper.core.schemas import AUTH_ERRORS
from innkeeper.privacy.selectors import guest_export, guest_of_user

router = Router()


class GuestExportOut(Schema):
    format: str
    generated_at: datetime
    email: str
    account: dict[str, Any] | None
    bookings: list[dict[str, Any]]
    emails: list[dict[str, Any]]
    audit: list[dict[str, Any]]
    api_tokens: list[dict[str, Any]]


@router.get("/me/export", response={200: GuestExportOut, **AUTH_ERRORS}, auth=bearer)
def my_data(request: HttpRequest) -> dict[str, Any]:
    """Everything recorded about the caller: account, bookings with payments and receipts,
    emails sent to them, audit rows about them, API tokens (never their secrets)."""
    return guest_export(guest_of_user(api_user(request)))
