from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "innkeeper.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from innkeeper.accounts.models import ApiToken, User
        from innkeeper.accounts.passwords import password_changed_revoke
        from innkeeper.accounts.tokencache import clear_on_save

        post_save.connect(password_changed_revoke, sender=User, dispatch_uid="accounts.pw_revoke")
        # Any change to an account or a token (admin, deactivation, password) forgets the
        # cached tokens of this process.
        for signal in (post_save, post_delete):
            for model in (User, ApiToken):
                signal.connect(clear_on_save, sender=model, dispatch_uid=f"accounts.tc.{model}")
