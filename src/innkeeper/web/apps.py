from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "innkeeper.web"
    label = "web"
    verbose_name = "Web pages"
