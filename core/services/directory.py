"""Tenants, employees, roles and API clients."""

import ipaddress

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from core.errors import ApplicationError
from core.models import MOBILE_NUMBER_VALIDATOR, TENANT_CODE_VALIDATOR, ApiClient, Role, RoleAssignment, Tenant, User
from core.services.audit import audit_record


@transaction.atomic
def tenant_create(*, code: str, name: str, city_code: str = "", financial_year_start_month: int = 4) -> Tenant:
    """A state (`od`) or a city under an existing state (`od.angul`)."""
    try:
        TENANT_CODE_VALIDATOR(code)
    except ValidationError as exc:
        raise ApplicationError("INVALID_TENANT_ID", f"code: {exc.messages[0]}", field="code") from None
    if not 1 <= financial_year_start_month <= 12:
        raise ApplicationError("INVALID_FY_START", "financialYearStartMonth: 1 to 12", field="financialYearStartMonth")
    if Tenant.objects.filter(code=code).exists():
        raise ApplicationError("DUPLICATE_TENANT", f"code: tenant '{code}' exists", field="code")
    state = None
    if "." in code:
        state = Tenant.objects.filter(code=code.split(".", 1)[0], state__isnull=True).first()
        if state is None:
            raise ApplicationError(
                "INVALID_TENANT_ID", f"code: no state '{code.split('.', 1)[0]}' for this city", field="code"
            )
    return Tenant.objects.create(
        code=code, name=name, state=state, city_code=city_code, financial_year_start_month=financial_year_start_month
    )


@transaction.atomic
def employee_create(
    *,
    username: str,
    password: str,
    name: str,
    tenant_id: str,
    mobile_number: str = "",
    email: str = "",
    user_type: str = User.Type.EMPLOYEE,
    api_client: ApiClient | None = None,
) -> User:
    if User.objects.filter(username=username).exists():
        raise ApplicationError("DUPLICATE_USERNAME", f"userName: '{username}' is taken", field="userName")
    if mobile_number:
        try:
            MOBILE_NUMBER_VALIDATOR(mobile_number)
        except ValidationError as exc:
            raise ApplicationError(
                "INVALID_MOBILE_NUMBER", f"mobileNumber: {exc.messages[0]}", field="mobileNumber"
            ) from None
    user = User(
        username=username,
        name=name,
        tenant_id=tenant_id,
        mobile_number=mobile_number,
        email=email,
        user_type=user_type,
        api_client=api_client,
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError("INVALID_PASSWORD", f"password: {' '.join(exc.messages)}", field="password") from None
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def role_grant(*, user: User, tenant_id: str, role: str, granted_by: User | None, reason: str = "") -> RoleAssignment:
    """Give `user` a role in a tenant. Granting a held role again changes nothing."""
    if role not in Role.values:
        raise ApplicationError("INVALID_ROLE", f"role: unknown role '{role}'", field="role")
    assignment, created = RoleAssignment.objects.get_or_create(user=user, tenant_id=tenant_id, role=role)
    if created:
        audit_record(actor=granted_by, entity=assignment, action="ROLE_GRANT", to_state=role, reason=reason)
    return assignment


@transaction.atomic
def role_revoke(*, assignment: RoleAssignment, revoked_by: User | None, reason: str) -> None:
    audit_record(actor=revoked_by, entity=assignment, action="ROLE_REVOKE", from_state=assignment.role, reason=reason)
    assignment.delete()


def api_client_create(
    *, client_id: str, name: str, secret: str, allowed_networks=(), created_by: User | None = None
) -> ApiClient:
    """An OAuth client; an empty secret makes a public client like DIGIT's `egov-user-client`."""
    if ApiClient.objects.filter(client_id=client_id).exists():
        raise ApplicationError("DUPLICATE_CLIENT", f"clientId: '{client_id}' exists", field="clientId")
    return api_client_save(
        client=ApiClient(client_id=client_id, name=name),
        secret=secret,
        allowed_networks=allowed_networks,
        saved_by=created_by,
    )


@transaction.atomic
def api_client_save(*, client: ApiClient, secret: str | None, allowed_networks, saved_by: User | None) -> ApiClient:
    """Create or change a client. `secret=None` keeps the current one; "" makes the client public.
    The audit row names the changed fields and never carries the secret."""
    creating = client.pk is None
    client.allowed_networks = api_client_networks_clean(networks=allowed_networks)
    changed = ["client"] if creating else _api_client_changed_fields(client)
    if secret is not None:
        client.secret_hash = make_password(secret) if secret else ""
        changed.append("secret")
    client.save()
    audit_record(
        actor=saved_by,
        entity=client,
        action="API_CLIENT_CREATE" if creating else "API_CLIENT_UPDATE",
        data={"changed": changed},
    )
    return client


def _api_client_changed_fields(client: ApiClient) -> list[str]:
    stored = ApiClient.objects.get(pk=client.pk)
    return [
        field
        for field in ("client_id", "name", "allowed_networks", "is_active")
        if getattr(stored, field) != getattr(client, field)
    ]


def api_client_networks_clean(*, networks) -> list[str]:
    """Normalised CIDR networks, or a 400 naming the first one that is not."""
    cleaned = []
    for network in networks:
        try:
            cleaned.append(str(ipaddress.ip_network(str(network).strip(), strict=False)))
        except ValueError:
            raise ApplicationError(
                "INVALID_NETWORK", f"allowedNetworks: '{network}' is not an IP network", field="allowedNetworks"
            ) from None
    return cleaned
