from datetime import timedelta

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "innkeeper.notifications"
    label = "notifications"
    verbose_name = "Guest notifications"

    def ready(self) -> None:
        from innkeeper.jobs.schedule import register_periodic
        from innkeeper.notifications.tasks import send_due_reminders

        register_periodic(
            "notifications.reminders",
            send_due_reminders,
            every=timedelta(minutes=15),
            writes=True,  # records each reminder sent
        )
