from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "innkeeper.ops"
    label = "ops"
    verbose_name = "Operations"
