from core.views import current_tenant_id, switchable_tenants


def current_tenant(request):
    """The tenant the employee is working in and the ones they may switch to, for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"current_tenant_id": current_tenant_id(request), "switchable_tenants": switchable_tenants(request)}
