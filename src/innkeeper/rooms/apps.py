from django.apps import AppConfig


class RoomsConfig(AppConfig):
    name = "innkeeper.rooms"
    label = "rooms"
    verbose_name = "Property and rooms"
