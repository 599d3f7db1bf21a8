"""Reads of platform rows. Every tenant-scoped read in Kosh starts from `user_tenant_ids` or `tenant_lineage`."""

import hashlib
import ipaddress
from collections.abc import Iterable

from django.db.models import Max, QuerySet
from django.utils import timezone

from core.errors import ApplicationError, NotFoundError
from core.lookups import cached, id_format_key, roles_key, tenant_key, token_key
from core.models import AccessToken, ApiClient, IdFormat, Role, RoleAssignment, Tenant, User, WorkerHeartbeat


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# --- Tenants --------------------------------------------------------------------------------


def tenant_get(*, code: str, field: str = "tenantId") -> Tenant:
    """The active tenant with this DIGIT id, or a 400 naming the field."""
    tenant = _tenant_cached(code) if code else None
    if tenant is None or not tenant.is_active:
        raise ApplicationError("INVALID_TENANT_ID", f"{field}: unknown tenant '{code}'", field=field)
    return tenant


def _tenant_cached(code: str) -> Tenant | None:
    """The tenant with this code, active or not, from the authentication cache."""
    return cached(tenant_key(code), lambda: Tenant.objects.select_related("state").filter(code=code).first())


def tenant_lineage(*, tenant_id: str) -> list[str]:
    """The tenant and the state above it, nearest first: where masters visible to a city live."""
    state = tenant_id.split(".", 1)[0]
    return [tenant_id] if state == tenant_id else [tenant_id, state]


def tenant_masters_visible(queryset: QuerySet, *, tenant_id: str, field: str = "tenant") -> QuerySet:
    """Restrict a master table to the rows a tenant sees: its own and its state's."""
    return queryset.filter(**{f"{field}__in": tenant_lineage(tenant_id=tenant_id)})


def tenants_list(*, codes: Iterable[str]) -> QuerySet[Tenant]:
    return Tenant.objects.filter(code__in=list(codes), is_active=True).order_by("code")


# --- Roles ----------------------------------------------------------------------------------


def user_role_tenant_ids(*, user: User, roles: Iterable[str] | None = None) -> set[str]:
    """Tenants where the user may act in one of `roles` (any role when None).

    SUPERUSER stands for every role in its tenant, and a role held in a state covers its cities."""
    if not user.is_authenticated or not user.is_active:
        return set()
    held = _tenants_held(user=user, roles=roles)
    states = [code for code in held if "." not in code]
    if states:
        held.update(Tenant.objects.filter(state_id__in=states, is_active=True).values_list("code", flat=True))
    return held


def user_has_role(*, user: User, tenant_id: str, roles: Iterable[str] | None = None) -> bool:
    """Whether the user may act in the tenant in one of `roles` (any role when None), as `user_role_tenant_ids`
    decides it, without listing a state's cities. Asked on every API call; the roles come from the lookup cache."""
    if not user.is_authenticated or not user.is_active:
        return False
    tenants = _tenants_held(user=user, roles=roles)
    if tenant_id in tenants:
        return True
    state = tenant_id.split(".", 1)[0]
    if state == tenant_id or state not in tenants:
        return False
    city = _tenant_cached(tenant_id)
    return city is not None and city.is_active


def _tenants_held(*, user: User, roles: Iterable[str] | None) -> set[str]:
    """The active tenants where the user holds one of `roles` (any role when None; SUPERUSER stands for every
    role) directly, before a state's role is extended to its cities."""
    held = _user_role_tenants(user_id=user.pk)
    wanted = held.keys() if roles is None else {*roles, Role.SUPERUSER}
    return set().union(*(held.get(role, ()) for role in wanted))


def _user_role_tenants(*, user_id) -> dict[str, frozenset[str]]:
    """Role → the active tenants where the user holds it directly (not yet extended from a state to its cities)."""

    def load() -> dict[str, frozenset[str]]:
        held: dict[str, set[str]] = {}
        assignments = RoleAssignment.objects.filter(user_id=user_id, tenant__is_active=True)
        for role, tenant_id in assignments.values_list("role", "tenant_id"):
            held.setdefault(role, set()).add(tenant_id)
        return {role: frozenset(tenants) for role, tenants in held.items()}

    return cached(roles_key(user_id), load)


def user_roles(*, user: User) -> list[dict]:
    """The user's roles as DIGIT lists them: `{code, name, tenantId}`."""
    return [
        {"code": role, "name": Role(role).label, "tenantId": tenant_id}
        for role, tenant_id in user.role_assignments.order_by("tenant_id", "role").values_list("role", "tenant_id")
    ]


def user_roles_in_tenant(*, user: User, tenant_id: str) -> list[dict]:
    """The user's roles that apply in the tenant: held there or in its state (`inherited`)."""
    lineage = tenant_lineage(tenant_id=tenant_id)
    return [
        {**role, "inherited": role["tenantId"] != tenant_id}
        for role in user_roles(user=user)
        if role["tenantId"] in lineage
    ]


def employee_search(
    *,
    tenant_id: str,
    user_names: Iterable[str] = (),
    uuids: Iterable[str] = (),
    mobile_number: str = "",
    role_codes: Iterable[str] = (),
    limit: int = 100,
    offset: int = 0,
) -> QuerySet[User]:
    """Employees holding a role in the tenant (directly or through its state), filtered by the criteria."""
    users = User.objects.filter(
        role_assignments__tenant_id__in=tenant_lineage(tenant_id=tenant_id), user_type=User.Type.EMPLOYEE
    )
    if user_names:
        users = users.filter(username__in=list(user_names))
    if uuids:
        users = users.filter(uuid__in=list(uuids))
    if mobile_number:
        users = users.filter(mobile_number=mobile_number)
    if role_codes:
        users = users.filter(
            role_assignments__role__in=list(role_codes),
            role_assignments__tenant_id__in=tenant_lineage(tenant_id=tenant_id),
        )
    return (
        User.objects.filter(pk__in=users.values("pk"))
        .select_related("tenant")
        .prefetch_related("role_assignments")
        .order_by("username")[offset : offset + limit]
    )


# --- API clients and tokens -----------------------------------------------------------------


def api_client_get(*, client_id: str) -> ApiClient | None:
    return ApiClient.objects.filter(client_id=client_id, is_active=True).first()


def api_client_allows_ip(*, client: ApiClient, ip: str | None) -> bool:
    """True when the client has no allow-list or the address falls inside one of its networks."""
    if not client.allowed_networks:
        return True
    if not ip:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in client.allowed_networks)


def token_get_active(*, raw: str) -> AccessToken | None:
    """The unexpired, unrevoked token whose access part is `raw`, with its user, client and tenant."""
    digest = token_digest(raw)
    token = cached(
        token_key(digest),
        # The user's password hash has no business in the cache.
        lambda: (
            AccessToken.objects.select_related("user", "client", "tenant")
            .defer("user__password")
            .filter(access_digest=digest, revoked_at__isnull=True)
            .first()
        ),
    )
    if token is None or token.revoked_at is not None or token.expires_at <= timezone.now():
        return None
    return token


# --- Id formats -----------------------------------------------------------------------------


def id_format_get(*, tenant_id: str, name: str) -> IdFormat:
    """The city's own format for `name`, else its state's. Read through the lookup cache: every receipt, bill and
    voucher number needs it, and a tenant having no format of its own is remembered too."""
    for code in tenant_lineage(tenant_id=tenant_id):
        (found,) = cached(
            id_format_key(name, code), lambda code=code: (IdFormat.objects.filter(name=name, tenant_id=code).first(),)
        )
        if found is not None:
            return found
    raise NotFoundError("ID_FORMAT_NOT_FOUND", f"No id format '{name}' for tenant '{tenant_id}'", field="idName")


# --- Health ---------------------------------------------------------------------------------


def worker_last_seen():
    """When any Celery worker last ran the heartbeat task, or None if none ever has."""
    return WorkerHeartbeat.objects.aggregate(latest=Max("last_seen_at"))["latest"]
