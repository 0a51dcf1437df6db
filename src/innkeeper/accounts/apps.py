from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "innkeeper.accounts"
    label = "accounts"
    verbose_name = "Accounts"
