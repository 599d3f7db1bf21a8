"""A saved SMS template is forgotten from the lookup cache (core/lookups.py)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from core.lookups import forget
from notifications.models import SmsTemplate
from notifications.selectors import sms_templates_key


@receiver([post_save, post_delete], sender=SmsTemplate)
def sms_template_changed(sender, instance: SmsTemplate, **kwargs):
    # A new template changes the list of its code, which is cached even when empty.
    forget([sms_templates_key(instance.code)])
