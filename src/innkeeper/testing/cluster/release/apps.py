from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import connection
from django.db.models.signals import post_save

COLUMN = "release_tag"
TAG = "cluster-next"


def stamp(sender: type[Any], instance: Any, created: bool, **kwargs: Any) -> None:
    """The new code uses the new column: every booking it creates is tagged. Raw SQL, since the
    column is not a model field (the old code, still serving, must not know of it)."""
    if not created:
        return
    table = connection.ops.quote_name(sender._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {COLUMN} = %s WHERE id = %s", [TAG, instance.pk])  # noqa: S608


class ReleaseConfig(AppConfig):
    name = "innkeeper.testing.cluster.release"
    label = "cluster_release"

    def ready(self) -> None:
        from innkeeper.bookings.models import Booking

        post_save.connect(stamp, sender=Booking, dispatch_uid="cluster-release-stamp")
