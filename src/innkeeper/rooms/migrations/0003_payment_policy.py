"""The payment policy (a money rule) now belongs to rooms; its table is unchanged.
A fixed-amount deposit is added."""

from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rooms", "0002_room_type_photo"),
        ("payments", "0003_policy_and_charges_move_out"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PaymentPolicy",
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
                        (
                            "tourist_tax_per_person_night",
                            models.DecimalField(
                                decimal_places=3, default=Decimal("0"), max_digits=12
                            ),
                        ),
                        (
                            "vat_percent",
                            models.DecimalField(
                                decimal_places=2, default=Decimal("0"), max_digits=5
                            ),
                        ),
                        (
                            "deposit_kind",
                            models.CharField(
                                choices=[
                                    ("none", "No deposit"),
                                    ("first_night", "First night"),
                                    ("percentage", "Percentage of the stay"),
                                    ("full", "Full stay"),
                                ],
                                default="none",
                                max_length=20,
                            ),
                        ),
                        (
                            "deposit_percent",
                            models.DecimalField(
                                decimal_places=2, default=Decimal("0"), max_digits=5
                            ),
                        ),
                        ("free_cancellation_hours", models.PositiveIntegerField(default=48)),
                        (
                            "late_cancel_kind",
                            models.CharField(
                                choices=[
                                    ("percentage", "Percentage of the stay"),
                                    ("first_night", "First night"),
                                ],
                                default="first_night",
                                max_length=20,
                            ),
                        ),
                        (
                            "late_cancel_percent",
                            models.DecimalField(
                                decimal_places=2, default=Decimal("0"), max_digits=5
                            ),
                        ),
                        (
                            "property",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="payment_policy",
                                to="rooms.property",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "payments_paymentpolicy",
                        "verbose_name_plural": "payment policies",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterField(
            model_name="paymentpolicy",
            name="deposit_kind",
            field=models.CharField(
                choices=[
                    ("none", "No deposit"),
                    ("first_night", "First night"),
                    ("percentage", "Percentage of the stay"),
                    ("fixed", "Fixed amount"),
                    ("full", "Full stay"),
                ],
                default="none",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="paymentpolicy",
            name="deposit_amount",
            field=models.DecimalField(
                decimal_places=3,
                default=Decimal("0"),
                db_default=Decimal("0"),
                help_text="The deposit when its kind is 'Fixed amount' (never more than the stay).",
                max_digits=12,
            ),
        ),
    ]
