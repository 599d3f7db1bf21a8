"""Demo data for a development machine: tenants, one employee per role per city, an integrator. Idempotent."""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from billing.services.demo import billing_demo_seed
from bridge.demo import bridge_demo_seed
from core.errors import ApplicationError
from core.models import ApiClient, Role, Tenant, User
from core.services.directory import api_client_create, employee_create, role_grant, tenant_create
from ledger.services import ledger_seed
from payments.services.demo import payments_demo_seed

DEMO_PASSWORD = "Kosh@Demo2026"
DEMO_INTEGRATOR_CLIENT_ID = "demo-bank-integrator"
DEMO_INTEGRATOR_SECRET = "demo-integrator-secret"

DEMO_TENANTS = [
    ("pb", "Punjab", ""),
    ("pb.amritsar", "Amritsar", "AMR"),
    ("pb.jalandhar", "Jalandhar", "JAL"),
    ("od", "Odisha", ""),
    ("od.angul", "Angul", "ANG"),
]
ROLE_SLUGS = {
    Role.COLLECTION_OPERATOR: "collector",
    Role.COLLECTION_APPROVER: "approver",
    Role.BILLING_ADMIN: "billing",
    Role.PI_CREATOR: "pi-creator",
    Role.PI_VIEWER: "pi-viewer",
    Role.FUND_VIEWER: "fund-viewer",
    Role.BRIDGE_OPERATOR: "bridge",
    Role.INTEGRATOR: "integrator",
    Role.SYSTEM: "system",
    Role.SUPERUSER: "superuser",
}


@dataclass(frozen=True)
class DemoLogin:
    username: str
    tenant_id: str
    roles: str


@transaction.atomic
def demo_seed() -> list[DemoLogin]:
    """Create whatever of the demo is missing; running it again changes nothing."""
    if settings.KOSH_ENVIRONMENT == "production":
        raise ApplicationError("DEMO_IN_PRODUCTION", "Demo data is never loaded under production settings.")
    for code, name, city_code in DEMO_TENANTS:
        if not Tenant.objects.filter(code=code).exists():
            tenant_create(code=code, name=name, city_code=city_code)
    ledger_seed()
    if not ApiClient.objects.filter(client_id=settings.KOSH_DEFAULT_API_CLIENT_ID).exists():
        api_client_create(client_id=settings.KOSH_DEFAULT_API_CLIENT_ID, name="DIGIT public client", secret="")
    integrator_client = ApiClient.objects.filter(client_id=DEMO_INTEGRATOR_CLIENT_ID).first() or api_client_create(
        client_id=DEMO_INTEGRATOR_CLIENT_ID,
        name="Demo bank integrator",
        secret=DEMO_INTEGRATOR_SECRET,
        allowed_networks=["127.0.0.0/8", "::1/128"],
    )

    logins = []
    for code, _name, _city_code in DEMO_TENANTS:
        if "." not in code:
            continue
        city = code.split(".", 1)[1]
        for role, slug in ROLE_SLUGS.items():
            username = f"{city}.{slug}"
            user_type = User.Type.SYSTEM if role == Role.SYSTEM else User.Type.EMPLOYEE
            _demo_user(
                username=username, name=f"{city.title()} {Role(role).label}", tenant_id=code, user_type=user_type
            )
            _demo_roles(username, [(role, code)])
            logins.append(DemoLogin(username, code, role))

    _demo_user(username="bank-integrator", name="Demo bank (API)", tenant_id="pb", api_client=integrator_client)
    _demo_roles("bank-integrator", [(Role.INTEGRATOR, "pb")])
    logins.append(DemoLogin("bank-integrator", "pb", f"{Role.INTEGRATOR} (client {DEMO_INTEGRATOR_CLIENT_ID})"))

    admin = _demo_user(username="admin", name="Kosh administrator", tenant_id="pb")
    if not admin.is_superuser:
        admin.is_staff = admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
    _demo_roles("admin", [(Role.SUPERUSER, "pb"), (Role.SUPERUSER, "od")])
    logins.append(DemoLogin("admin", "pb", "SUPERUSER in pb and od, Django admin"))
    billing_demo_seed()
    payments_demo_seed()
    logins.extend(bridge_demo_seed())
    return logins


def _demo_user(*, username: str, name: str, tenant_id: str, user_type=User.Type.EMPLOYEE, api_client=None) -> User:
    existing = User.objects.filter(username=username).first()
    if existing is not None:
        return existing
    return employee_create(
        username=username,
        password=DEMO_PASSWORD,
        name=name,
        tenant_id=tenant_id,
        user_type=user_type,
        api_client=api_client,
    )


def _demo_roles(username: str, roles: list[tuple[str, str]]) -> None:
    user = User.objects.get(username=username)
    for role, tenant_id in roles:
        role_grant(user=user, tenant_id=tenant_id, role=role, granted_by=None, reason="demo data")
