from rest_framework.permissions import BasePermission

from core.selectors import tenant_get, user_has_role


class TenantRolePermission(BasePermission):
    """The caller must hold one of the view's `required_roles` in the tenant the request names,
    and may touch an object only when it belongs to such a tenant.

    Views declare `required_roles` and may override `request_tenant_id(request)` (default: `?tenantId=`)."""

    message = "You hold none of the roles this action needs in that tenant."

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return False
        tenant = tenant_get(code=view.request_tenant_id(request))
        return user_has_role(user=request.user, tenant_id=tenant.code, roles=view.required_roles)

    def has_object_permission(self, request, view, obj):
        return user_has_role(user=request.user, tenant_id=obj.tenant_id, roles=view.required_roles)
