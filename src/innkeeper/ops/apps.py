from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "innkeeper.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from django.core.signals import got_request_exception

        from innkeeper.ops import health_checks
        from innkeeper.ops.middleware import note_database_error

        got_request_exception.connect(note_database_error, dispatch_uid="ops.db_error")
        health_checks.register_builtin_checks()

        from django.contrib.auth.signals import user_login_failed

        from innkeeper.ops.ratelimit.lockout import on_login_failed

        user_login_failed.connect(on_login_failed, dispatch_uid="innkeeper.ratelimit.lockout")
