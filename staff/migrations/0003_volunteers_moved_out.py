# The volunteers and their points ledger moved to the ``volunteers`` app. Only Django's picture of
# the models changes: the tables keep their names (``volunteers`` models set ``db_table``), no row
# moves, and the ledger's append-only trigger (0002) stays on its table.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("staff", "0002_ledger_guard_and_schedule"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="pointsentry",
                    name="account",
                ),
                migrations.RemoveField(
                    model_name="pointsentry",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="pointsentry",
                    name="hours",
                ),
                migrations.RemoveField(
                    model_name="pointsentry",
                    name="reverses",
                ),
                migrations.RemoveField(
                    model_name="pointsentry",
                    name="reward",
                ),
                migrations.RemoveField(
                    model_name="pointsrule",
                    name="organization",
                ),
                migrations.RemoveField(
                    model_name="reward",
                    name="organization",
                ),
                migrations.RemoveField(
                    model_name="volunteeractivity",
                    name="team",
                ),
                migrations.RemoveField(
                    model_name="volunteerhours",
                    name="activity",
                ),
                migrations.RemoveField(
                    model_name="volunteerhours",
                    name="recorded_by",
                ),
                migrations.RemoveField(
                    model_name="volunteerhours",
                    name="volunteer",
                ),
                migrations.RemoveField(
                    model_name="volunteerteam",
                    name="community",
                ),
                migrations.RemoveField(
                    model_name="volunteerteam",
                    name="leader",
                ),
                migrations.RemoveField(
                    model_name="volunteerteam",
                    name="members",
                ),
                migrations.RemoveField(
                    model_name="volunteerteam",
                    name="organization",
                ),
                migrations.RemoveField(
                    model_name="volunteerteam",
                    name="station",
                ),
                migrations.DeleteModel(
                    name="PointsAccount",
                ),
                migrations.DeleteModel(
                    name="PointsEntry",
                ),
                migrations.DeleteModel(
                    name="PointsRule",
                ),
                migrations.DeleteModel(
                    name="Reward",
                ),
                migrations.DeleteModel(
                    name="VolunteerActivity",
                ),
                migrations.DeleteModel(
                    name="VolunteerHours",
                ),
                migrations.DeleteModel(
                    name="VolunteerTeam",
                ),
            ],
            database_operations=[],
        ),
    ]
