from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "innkeeper.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from innkeeper.ops.ratelimit.lockout import on_login_failed

        user_login_failed.connect(on_login_failed, dispatch_uid="innkeeper.ratelimit.lockout")
