from datetime import timedelta

from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "innkeeper.flows"
    label = "flows"
    verbose_name = "Flows"

    def ready(self) -> None:
        from innkeeper.flows.channel_tasks import sync_due_channel_feeds
        from innkeeper.flows.tasks import expire_pending_holds, reconcile_payments
        from innkeeper.jobs.schedule import register_periodic

        # Reconciliation settles payments *and* confirms bookings whose deposit it settled.
        register_periodic(
            "payments.reconcile", reconcile_payments, every=timedelta(minutes=5), writes=True
        )
        # Ending a hold first closes its online checkout (flows/pay_online.py); the job keeps
        # the name it had when bookings registered it. Paused while writes are frozen.
        register_periodic(
            "bookings.expire_pending", expire_pending_holds, every=timedelta(minutes=1), writes=True
        )
        # Channel calendars: each feed synced about every CHANNEL_SYNC_MINUTES (jittered per
        # feed); the job only claims due feeds and queues one sync job each.
        register_periodic(
            "channels.sync_feeds", sync_due_channel_feeds, every=timedelta(minutes=1), writes=True
        )
