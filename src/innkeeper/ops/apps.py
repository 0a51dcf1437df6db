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
        from innkeeper.ops import deploy_checks

        deploy_checks.register()

        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from innkeeper.ops import loginaudit
        from innkeeper.ops.ratelimit.lockout import on_login_failed

        user_login_failed.connect(on_login_failed, dispatch_uid="innkeeper.ratelimit.lockout")
        user_login_failed.connect(loginaudit.on_login_failed, dispatch_uid="innkeeper.login.fail")
        user_logged_in.connect(loginaudit.on_logged_in, dispatch_uid="innkeeper.login.ok")
        self._register_backups()

    def _register_backups(self) -> None:
        from innkeeper.ops.backups.health import check_backups
        from innkeeper.ops.backups.tasks import register_backup_jobs
        from innkeeper.ops.health import register_check

        register_check("backups", check_backups, full_only=True)
        from innkeeper.ops.channel_health import check_channels

        register_check("channels", check_channels, full_only=True, needs_database=True)
        register_backup_jobs()  # per BACKUP_SCHEDULE; "off" registers nothing
