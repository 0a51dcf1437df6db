"""The price fixed on a booking now belongs to bookings; its table is unchanged."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("bookings", "0001_initial"),
        ("payments", "0003_policy_and_charges_move_out"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="BookingCharges",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("currency", models.CharField(max_length=3)),
                        ("room_subtotal", models.DecimalField(decimal_places=3, max_digits=12)),
                        ("tourist_tax", models.DecimalField(decimal_places=3, max_digits=12)),
                        ("vat_percent", models.DecimalField(decimal_places=2, max_digits=5)),
                        ("vat_amount", models.DecimalField(decimal_places=3, max_digits=12)),
                        ("total", models.DecimalField(decimal_places=3, max_digits=12)),
                        ("first_night", models.DecimalField(decimal_places=3, max_digits=12)),
                        ("deposit_due", models.DecimalField(decimal_places=3, max_digits=12)),
                        ("free_cancellation_hours", models.PositiveIntegerField()),
                        (
                            "late_cancel_kind",
                            models.CharField(
                                choices=[
                                    ("percentage", "Percentage of the stay"),
                                    ("first_night", "First night"),
                                ],
                                max_length=20,
                            ),
                        ),
                        (
                            "late_cancel_percent",
                            models.DecimalField(decimal_places=2, max_digits=5),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "booking",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="charges",
                                to="bookings.booking",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "payments_bookingcharges",
                        "verbose_name_plural": "booking charges",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
