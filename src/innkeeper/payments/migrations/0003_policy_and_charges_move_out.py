"""PaymentPolicy moves to rooms and BookingCharges to bookings (layers: money rules sit
below bookings and payments). State only: the tables keep their names and their rows."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_ledger_append_only"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="BookingCharges"),
                migrations.DeleteModel(name="PaymentPolicy"),
            ],
            database_operations=[],
        ),
    ]
