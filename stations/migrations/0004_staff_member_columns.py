"""Orders and service records refer to the staff member who serves, not to a login account
(issue 11). Three steps, each in its own transaction (PostgreSQL refuses to alter a table with
row updates pending in the same one): add the new columns (here), fill them (0005), drop the old
ones and take their names (0006)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0001_initial"),
        ("stations", "0003_resident_link_requests"),
    ]

    operations = [
        migrations.AddField(
            model_name="serviceorder",
            name="assigned_member",
            field=models.ForeignKey(
                null=True,
                blank=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="staff.staffmember",
            ),
        ),
        migrations.AddField(
            model_name="servicerecord",
            name="staff_member",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="staff.staffmember",
            ),
        ),
    ]
