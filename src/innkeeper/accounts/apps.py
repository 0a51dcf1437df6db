from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "innkeeper.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from innkeeper.accounts.models import User
        from innkeeper.accounts.passwords import password_changed_revoke

        post_save.connect(password_changed_revoke, sender=User, dispatch_uid="accounts.pw_revoke")
