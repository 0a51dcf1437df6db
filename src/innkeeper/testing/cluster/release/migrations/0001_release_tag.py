"""Expand only: a nullable column the old code never reads or writes, so old and new nodes
serve side by side during the rollout; reversible (the contract step would drop it)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("bookings", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE bookings_booking ADD COLUMN release_tag varchar(40) NULL",
            reverse_sql="ALTER TABLE bookings_booking DROP COLUMN release_tag",
        )
    ]
