from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "innkeeper.core"
    label = "core"
    verbose_name = "Core"
