"""Account emails (password reset, "someone tried to register with your address"), sent by
the job queue like every guest email: queued in the caller's transaction, delivered at most
once by a worker, retried with backoff, listed by `innkeeper queue`."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from innkeeper.accounts.models import User
from innkeeper.accounts.passwords import password_reset_parts
from innkeeper.accounts.services import user_register
from innkeeper.core.errors import Conflict
from innkeeper.jobs.enqueue import enqueue_with_transaction
from innkeeper.notifications.emails import TEMPLATE_DIR, deliver_once

PASSWORD_RESET, ACCOUNT_EXISTS = "password_reset", "account_exists"
KINDS = frozenset({PASSWORD_RESET, ACCOUNT_EXISTS})


def _queue(user: User, kind: str, site_url: str) -> None:
    from innkeeper.notifications.tasks import send_account_email

    # A nonce per request: asking twice sends twice (each delivery still at most once).
    enqueue_with_transaction(
        send_account_email,
        user_id=user.pk,
        kind=kind,
        site_url=site_url,
        nonce=uuid.uuid4().hex[:12],
    )


def password_reset_request(*, email: str, site_url: str) -> bool:
    """Queue a reset email when `email` is an active account; True if one was queued.
    Callers answer the same way either way (no account discovery)."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return False
    _queue(user, PASSWORD_RESET, site_url)
    return True


def account_exists_notify(*, email: str, site_url: str) -> None:
    """Registration with a taken address: tell the owner by email instead of the visitor."""
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is not None:
        _queue(user, ACCOUNT_EXISTS, site_url)


def _context(user: User, kind: str, site_url: str) -> dict[str, Any]:
    base = (settings.SITE_URL or site_url).rstrip("/")
    context: dict[str, Any] = {
        "user": user,
        "login_url": base + reverse("web:login"),
        "reset_request_url": base + reverse("web:password_reset"),
        "valid_minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
    }
    if kind == PASSWORD_RESET:
        uid, token = password_reset_parts(user)
        context["reset_url"] = base + reverse("web:password_reset_confirm", args=[uid, token])
    return context


def account_email_send(*, user_id: int, kind: str, site_url: str, nonce: str) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown account email kind {kind!r}")
    user = User.objects.get(pk=user_id)
    if kind == PASSWORD_RESET and not user.is_active:
        return "skipped: account is inactive"
    context = _context(user, kind, site_url)
    subject = render_to_string(f"{TEMPLATE_DIR}/{kind}_subject.txt", context)
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string(f"{TEMPLATE_DIR}/{kind}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(
        render_to_string(f"{TEMPLATE_DIR}/{kind}.html", context), "text/html"
    )
    sent = deliver_once(key=f"account:{user.pk}:{nonce}:{kind}", message=message, booking=None)
    return "sent" if sent else "already sent"


def guest_signup(*, email: str, password: str, name: str, site_url: str) -> None:
    """Register a guest; when the address already has an account, email its owner instead.
    Both end the same way for the caller, so sign-up cannot be used to discover accounts
    (bad input, such as a weak password, is still refused: it says nothing about others)."""
    try:
        with transaction.atomic():
            user_register(email=email, password=password, name=name)
    except Conflict:
        make_password(password)  # the same hashing work as a new account: no timing tell
        account_exists_notify(email=email, site_url=site_url)
