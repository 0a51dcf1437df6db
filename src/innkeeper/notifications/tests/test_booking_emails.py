"""Guest emails through a real SMTP server (aiosmtpd), sent by the worker's real code."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from innkeeper.bookings.services import booking_cancel, booking_confirm
from innkeeper.core.models import AuditEvent
from innkeeper.notifications.models import SentEmail
from innkeeper.notifications.tasks import send_booking_email, send_due_reminders
from innkeeper.testing.jobs import child_env, drain, innkeeper, start, stop, wait_for


def _parts(message):
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def test_confirmed_booking_sends_exactly_one_confirmation(smtp_settings, make_booking, hotel):
    booking = make_booking(guest_name="Amina Guest", guest_email="amina@example.com")
    assert booking.status == "confirmed"
    drain()

    assert len(smtp_settings.messages) == 1
    message = smtp_settings.messages[0]
    assert message["To"] == "amina@example.com"
    assert message["Subject"] == f"Your booking at Riad Test is confirmed ({booking.reference})"
    text, html = _parts(message)
    for body in (text, html):
        assert "Amina Guest" in body
        assert booking.reference in body
        assert "Riad Test" in body
        assert "room 101" in body
        assert "300.00 EUR" in body
        assert f"{booking.check_in:%B} {booking.check_in.year}" in body
    assert "<strong>Riad Test</strong>" in html

    # The same job enqueued again (a re-run) finds the sent record and sends nothing.
    send_booking_email.enqueue(booking_id=booking.pk, kind="booking_confirmed")
    drain()
    assert len(smtp_settings.messages) == 1
    results = list(
        DBTaskResult.objects.order_by("enqueued_at").values_list("return_value", flat=True)
    )
    assert results == ["sent", "already sent"]
    assert SentEmail.objects.get().status == "sent"


def test_cancellation_sends_one_cancellation_email(smtp_settings, make_booking, guest):
    booking = make_booking(guest_email="amina@example.com")
    drain()
    booking_cancel(reference=booking.reference, actor=guest, reason="flight cancelled")
    drain()
    drain()

    subjects = [m["Subject"] for m in smtp_settings.messages]
    assert subjects == [
        f"Your booking at Riad Test is confirmed ({booking.reference})",
        f"Your booking at Riad Test is cancelled ({booking.reference})",
    ]
    text, _ = _parts(smtp_settings.messages[1])
    assert "flight cancelled" in text


def test_pending_booking_emails_on_staff_confirmation_only(
    smtp_settings, make_booking, hotel, staff
):
    hotel.instant_booking = False
    hotel.save()
    booking = make_booking()
    drain()
    assert smtp_settings.messages == []
    booking_confirm(reference=booking.reference, actor=staff)
    drain()
    assert [m["Subject"] for m in smtp_settings.messages] == [
        f"Your booking at Riad Test is confirmed ({booking.reference})"
    ]


@pytest.mark.django_db(transaction=True)
def test_rolled_back_booking_sends_nothing(smtp_settings, make_booking):
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        make_booking()
        # The job was enqueued inside the transaction...
        assert DBTaskResult.objects.count() == 1
        raise Abort
    # ...and vanished with the booking.
    assert DBTaskResult.objects.count() == 0
    drain()
    assert smtp_settings.messages == []


def test_reminder_goes_out_once_within_the_window(smtp_settings, make_booking, today, settings):
    settings.NOTIFICATIONS_REMINDER_DAYS_BEFORE = 3
    soon = make_booking(check_in=today + timedelta(days=2), check_out=today + timedelta(days=4))
    later = make_booking(check_in=today + timedelta(days=10), check_out=today + timedelta(days=12))
    drain()  # the two confirmations
    send_due_reminders.enqueue()
    drain()
    send_due_reminders.enqueue()  # the next scheduler run finds nothing left to remind
    drain()

    reminders = [m for m in smtp_settings.messages if m["Subject"].startswith("See you soon")]
    assert len(reminders) == 1
    assert soon.reference in reminders[0]["Subject"]
    assert later.reference not in "".join(m["Subject"] for m in smtp_settings.messages[2:])
    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == 0


def test_email_check_connects_and_reports_failure(smtp_settings, capsys):
    call_command("email", "check")
    out = capsys.readouterr().out
    assert f"port: {smtp_settings.port}" in out
    assert "Connection opened" in out
    smtp_settings.stop()
    with pytest.raises(CommandError, match="cannot connect to the mail server"):
        call_command("email", "check")


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_resend_queues_a_fresh_copy_with_the_manage_link(smtp_server, make_booking):
    booking = make_booking(guest_email="amina@example.com")  # made without a site address
    env = child_env(smtp_server)
    env.pop("SITE_URL", None)
    worker = start("worker", env=env)
    try:
        wait_for(lambda: smtp_server.messages, what="the confirmation")
        resent = innkeeper(
            "email",
            "resend",
            booking.reference.lower(),
            "--site-url",
            "https://riad.example",
            env=env,
        )
        assert resent.returncode == 0, resent.stderr
        assert f"Queued booking_confirmed for {booking.reference}" in resent.stdout
        wait_for(lambda: len(smtp_server.messages) == 2, what="the copy")
    finally:
        stop(worker)
    first, copy = (_parts(m)[0] for m in smtp_server.messages)
    assert "/manage/" not in first
    assert "https://riad.example/manage/" in copy and booking.reference in copy
    assert SentEmail.objects.filter(status="sent").count() == 2
    assert AuditEvent.objects.filter(action="email.resend_queued", target=booking.reference)

    unknown = innkeeper("email", "resend", "IK-NOPE", "--site-url", "https://x.example", env=env)
    assert unknown.returncode == 1 and "No booking IK-NOPE" in unknown.stderr
    no_site = innkeeper("email", "resend", booking.reference, env=env)
    assert no_site.returncode == 2 and "set SITE_URL or pass --site-url" in no_site.stderr


def test_claims_first_attempt_busy_claim_and_stale_claim(smtp_settings, make_booking, settings):
    """One INSERT claims a first attempt; an existing claim is decided under the row lock:
    a fresh one (another worker is sending) refuses, a stale one (dead worker) is taken over,
    a sent one sends nothing."""
    from django.utils import timezone

    from innkeeper.notifications.emails import EmailBusy, deliver_once, render_booking_email

    booking = make_booking()  # its confirmation job is not run: deliver_once is driven here
    key = f"booking:{booking.pk}:booking_confirmed"

    def send() -> bool:
        message = render_booking_email(booking, "booking_confirmed")
        return deliver_once(key=key, message=message, booking=booking)

    SentEmail.objects.create(
        key=key, booking=booking, kind="booking_confirmed", to="x@example.com",
        claimed_at=timezone.now(), attempts=1,
    )  # fmt: skip
    with pytest.raises(EmailBusy):
        send()
    assert smtp_settings.messages == []

    stale = timezone.now() - timedelta(seconds=settings.JOBS_VISIBILITY_TIMEOUT_SECONDS + 1)
    SentEmail.objects.filter(key=key).update(claimed_at=stale)
    assert send() is True
    row = SentEmail.objects.get(key=key)
    assert (row.status, row.attempts, len(smtp_settings.messages)) == ("sent", 2, 1)

    assert send() is False
    assert len(smtp_settings.messages) == 1

    SentEmail.objects.all().delete()
    assert send() is True  # a first attempt: claimed by the INSERT alone
    assert SentEmail.objects.get(key=key).attempts == 1
    assert len(smtp_settings.messages) == 2
