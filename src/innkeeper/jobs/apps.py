from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "innkeeper.jobs"
    label = "jobs"
    verbose_name = "Background jobs"

    def ready(self) -> None:
        # Registers the built-in periodic jobs (pruning) in the schedule; domains register theirs.
        from innkeeper.jobs import periodic  # noqa: F401
