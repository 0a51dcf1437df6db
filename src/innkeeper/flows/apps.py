from datetime import timedelta

from django.apps import AppConfig


class FlowsConfig(AppConfig):
    name = "innkeeper.flows"
    label = "flows"
    verbose_name = "Flows"

    def ready(self) -> None:
        from innkeeper.flows.tasks import reconcile_payments
        from innkeeper.jobs.schedule import register_periodic

        # Reconciliation settles payments *and* confirms bookings whose deposit it settled.
        register_periodic(
            "payments.reconcile", reconcile_payments, every=timedelta(minutes=5), writes=True
        )
