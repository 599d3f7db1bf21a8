"""A saved bill (paid, expired, cancelled, superseded) is forgotten from the lookup cache (core/lookups.py)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from billing.models import Bill
from billing.selectors import bill_valid_key
from core.lookups import forget


@receiver([post_save, post_delete], sender=Bill)
def bill_changed(sender, instance: Bill, **kwargs):
    if kwargs.get("created"):
        return
    forget(
        [
            bill_valid_key(
                tenant_id=instance.tenant_id,
                business_service_code=instance.business_service.code,
                consumer_code=instance.consumer_code,
            )
        ]
    )
