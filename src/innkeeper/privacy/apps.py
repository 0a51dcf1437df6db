from datetime import timedelta

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Guest data (GDPR): export, erase on request, retention. A flow over accounts,
    bookings, payments and notifications; it owns no tables."""

    name = "innkeeper.privacy"
    label = "privacy"
    verbose_name = "Guest data"

    def ready(self) -> None:
        from innkeeper.jobs.schedule import register_periodic
        from innkeeper.privacy.tasks import anonymise_stale_guests

        register_periodic(
            "privacy.retention", anonymise_stale_guests, every=timedelta(hours=24), writes=True
        )
