from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "innkeeper.bookings"
    label = "bookings"
    verbose_name = "Bookings"

    def ready(self) -> None:
        from datetime import timedelta

        from django.db.models.signals import post_migrate

        from innkeeper.bookings.block_integrity import ensure_block_guard
        from innkeeper.bookings.integrity import ensure_overlap_guard
        from innkeeper.bookings.tasks import expire_pending_bookings
        from innkeeper.jobs.schedule import register_periodic

        # SQLite drops triggers when a migration rebuilds the table: put them back every time.
        post_migrate.connect(ensure_overlap_guard, sender=self)
        post_migrate.connect(ensure_block_guard, sender=self)
        # Expiry updates bookings: paused while writes are frozen (read-only, maintenance).
        register_periodic(
            "bookings.expire_pending",
            expire_pending_bookings,
            every=timedelta(minutes=1),
            writes=True,
        )
