from django.db import migrations

# A disbursement's status changes three or four times in its life, each change on every row of an envelope. With
# no index on the status and room left in each page, PostgreSQL rewrites such rows in place (HOT updates) instead
# of touching every index.
FILLFACTOR = "ALTER TABLE bridge_disbursement SET (fillfactor = {})"


def fillfactor_set(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILLFACTOR.format(75))


def fillfactor_reset(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FILLFACTOR.format(100))


class Migration(migrations.Migration):
    dependencies = [
        ("bridge", "0001_initial"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="disbursement",
            name="bridge_disb_env_status_idx",
        ),
        migrations.RunPython(fillfactor_set, fillfactor_reset),
    ]
