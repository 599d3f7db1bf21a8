"""The chart of accounts and voucher number format for the seeded states that exist already. On a fresh database
there are none yet: `manage.py seed_ledger` (or the demo seed) opens their books once they are created."""

from django.db import migrations


def seed(apps, schema_editor):
    from ledger.services import ledger_seed

    ledger_seed(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("ledger", "0002_voucher_database_rules"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
