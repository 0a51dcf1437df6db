"""Alerts to the property itself (its contact address), sent by the job queue like guest
emails: queued in the caller's transaction, delivered at most once per `key`, retried.

The text comes from the caller (a flow), so this module stays free of other domains."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from innkeeper.jobs.enqueue import enqueue_with_transaction
from innkeeper.notifications.emails import deliver_once
from innkeeper.rooms.models import Property

logger = logging.getLogger("innkeeper.notifications")

KIND = "property_alert"


def property_alert_queue(*, property_id: int, key: str, subject: str, body: str) -> None:
    """Queue the alert in the open transaction; `key` makes it at most once."""
    from innkeeper.notifications.tasks import send_property_alert

    enqueue_with_transaction(
        send_property_alert, property_id=property_id, key=key, subject=subject, body=body
    )


def property_alert_send(*, property_id: int, key: str, subject: str, body: str) -> str:
    prop = Property.objects.get(pk=property_id)
    if not prop.email:
        logger.warning("property %s has no email address: alert %s not emailed", prop.pk, key)
        return "skipped: the property has no email address"
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split())[:200],
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[prop.email],
    )
    sent = deliver_once(key=f"property:{prop.pk}:{key}:{KIND}", message=message, booking=None)
    return "sent" if sent else "already sent"
