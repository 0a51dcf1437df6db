from datetime import timedelta

from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "innkeeper.payments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from innkeeper.jobs.schedule import register_periodic
        from innkeeper.payments.tasks import reconcile_payments

        register_periodic(
            "payments.reconcile", reconcile_payments, every=timedelta(minutes=5), writes=True
        )
