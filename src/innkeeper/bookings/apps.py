from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "innkeeper.bookings"
    label = "bookings"
    verbose_name = "Bookings"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from innkeeper.bookings.block_integrity import ensure_block_guard
        from innkeeper.bookings.integrity import ensure_overlap_guard

        # SQLite drops triggers when a migration rebuilds the table: put them back every time.
        post_migrate.connect(ensure_overlap_guard, sender=self)
        post_migrate.connect(ensure_block_guard, sender=self)
        # The pending-expiry job (`bookings.expire_pending`) is registered by the flows app:
        # a hold ends only after its online checkout is closed (flows/pay_online.py).
