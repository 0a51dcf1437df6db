from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "innkeeper.channels"
    label = "channels"
    verbose_name = "Booking channels"
