from django.db import models

from core.models import AuditEvent, User

SYSTEM_ACTOR = "system"


def audit_record(
    *,
    actor: User | None,
    entity: models.Model,
    action: str,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    tenant_id: str | None = None,
    source_ip: str | None = None,
    data: dict | None = None,
) -> AuditEvent:
    """Append who changed `entity`, from which state to which and why. Call it inside the change's transaction,
    so the trail and the change commit together. `actor=None` means scheduled work."""
    event = audit_event(
        actor=actor,
        entity=entity,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        tenant_id=tenant_id,
        source_ip=source_ip,
        data=data,
    )
    event.save(force_insert=True)
    return event


def audit_event(
    *,
    actor: User | None,
    entity: models.Model,
    action: str,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    tenant_id: str | None = None,
    source_ip: str | None = None,
    data: dict | None = None,
) -> AuditEvent:
    """The row `audit_record` appends, unsaved: a caller writing several stores them in one `bulk_create`."""
    return AuditEvent(
        tenant_id=tenant_id if tenant_id is not None else getattr(entity, "tenant_id", None),
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor.username if actor is not None and actor.is_authenticated else SYSTEM_ACTOR,
        source_ip=source_ip,
        entity_type=entity._meta.label_lower,
        entity_id=str(entity.pk),
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        data=data or {},
    )
