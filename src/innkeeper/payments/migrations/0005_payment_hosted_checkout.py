from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0004_payment_states"),
    ]

    operations = [
        # Expand-only: a new column with a database default, so code of the previous release
        # (which does not know it) keeps inserting rows.
        migrations.AddField(
            model_name="payment",
            name="hosted_checkout",
            field=models.BooleanField(db_default=False, default=False),
        ),
    ]
