"""The SMS templates Kosh ships, as defaults every tenant sees, in every deployment."""

from django.db import migrations


def seed(apps, schema_editor):
    from notifications.services.templates import sms_templates_seed

    sms_templates_seed(template_model=apps.get_model("notifications", "SmsTemplate"))


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
