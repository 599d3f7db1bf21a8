from core import views


def current_tenant(request):
    """The tenant the employee is working in and the ones they may switch to, for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    tenant = views.current_tenant(request)
    return {
        "current_tenant": tenant,
        "current_tenant_id": tenant.code if tenant is not None else None,
        "switchable_tenants": views.switchable_tenants(request),
    }
