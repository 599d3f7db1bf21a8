"""Rows behind the lookup cache: a change to one forgets what was cached from it (core/lookups.py)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from core.lookups import forget, id_format_key, roles_key, tenant_key, token_key
from core.models import AccessToken, ApiClient, IdFormat, RoleAssignment, Tenant, User


def _tokens_forget(**filters) -> None:
    """Forget the cached copies of the still-usable tokens matching `filters`."""
    digests = AccessToken.objects.filter(revoked_at__isnull=True, expires_at__gt=timezone.now(), **filters).values_list(
        "access_digest", flat=True
    )
    forget(token_key(digest) for digest in digests)


@receiver([post_save, post_delete], sender=AccessToken)
def access_token_changed(sender, instance: AccessToken, **kwargs):
    forget([token_key(instance.access_digest)])


@receiver([post_save, post_delete], sender=User)
def user_changed(sender, instance: User, **kwargs):
    # A token carries its user (is_active, name) with it.
    forget([roles_key(instance.pk)])
    if not kwargs.get("created"):
        _tokens_forget(user_id=instance.pk)


@receiver([post_save, post_delete], sender=ApiClient)
def api_client_changed(sender, instance: ApiClient, **kwargs):
    # A token carries its client's IP allow-list with it.
    if not kwargs.get("created"):
        _tokens_forget(client_id=instance.pk)


@receiver([post_save, post_delete], sender=RoleAssignment)
def role_assignment_changed(sender, instance: RoleAssignment, **kwargs):
    forget([roles_key(instance.user_id)])


@receiver([post_save, post_delete], sender=Tenant)
def tenant_changed(sender, instance: Tenant, **kwargs):
    # A tenant not yet created was never cached: only what was found is.
    if not kwargs.get("created"):
        forget([tenant_key(instance.code)])


@receiver([post_save, post_delete], sender=IdFormat)
def id_format_changed(sender, instance: IdFormat, **kwargs):
    # Also on creation: the tenant's having no format of its own may be what was cached.
    forget([id_format_key(instance.name, instance.tenant_id)])
