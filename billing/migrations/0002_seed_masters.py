"""Kosh's standard billing masters and number formats for every state that exists when billing arrives.
A state added later gets them with `manage.py billing_load_masters --tenant <state>`."""

from django.db import migrations


def seed_masters(apps, schema_editor):
    from billing.services.masters import billing_masters_seed

    tenant_model = apps.get_model("core", "Tenant")
    for state_id in tenant_model.objects.filter(state__isnull=True).values_list("code", flat=True):
        billing_masters_seed(state_id=state_id, apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0001_initial"),
        ("core", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed_masters, migrations.RunPython.noop)]
