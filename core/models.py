"""Platform rows every domain app stands on: tenants, employees and roles, API clients and tokens,
id sequences, the audit trail and idempotency records."""

import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

TENANT_CODE_VALIDATOR = RegexValidator(
    r"^[a-z]{2,10}(\.[a-z][a-z0-9_]{1,50})?$",
    "A tenant id is a state code such as 'pb' or a city id such as 'pb.amritsar'.",
)
MOBILE_NUMBER_VALIDATOR = RegexValidator(r"^[6-9][0-9]{9}$", "An Indian mobile number has 10 digits starting 6-9.")


class Tenant(models.Model):
    """A state (`pb`) or one of its cities or villages (`pb.amritsar`), keyed by its DIGIT tenant id."""

    code = models.CharField(primary_key=True, max_length=64, validators=[TENANT_CODE_VALIDATOR])
    name = models.CharField(max_length=200)
    state = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="cities", limit_choices_to={"state": None}
    )
    # Short code used in numbers such as PI-[CITY.CODE]/2026-27/000001.
    city_code = models.CharField(max_length=20, blank=True)
    financial_year_start_month = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="tenant_city_has_state",
                condition=(Q(state__isnull=True) & ~Q(code__contains="."))
                | (Q(state__isnull=False) & Q(code__contains=".")),
            ),
            models.CheckConstraint(
                name="tenant_fy_start_month_valid",
                condition=Q(financial_year_start_month__gte=1, financial_year_start_month__lte=12),
            ),
        ]

    def __str__(self):
        return f"{self.code} ({self.name})"

    @property
    def is_state(self) -> bool:
        return self.state_id is None

    @property
    def state_code(self) -> str:
        return self.code.split(".", 1)[0]


class Role(models.TextChoices):
    COLLECTION_OPERATOR = "COLLECTION_OPERATOR", "Collection operator"
    COLLECTION_APPROVER = "COLLECTION_APPROVER", "Collection approver"
    BILLING_ADMIN = "BILLING_ADMIN", "Billing administrator"
    PI_CREATOR = "PI_CREATOR", "Payment instruction creator"
    PI_VIEWER = "PI_VIEWER", "Payment instruction viewer"
    FUND_VIEWER = "FUND_VIEWER", "Fund viewer"
    BRIDGE_OPERATOR = "BRIDGE_OPERATOR", "Disbursement bridge operator"
    INTEGRATOR = "INTEGRATOR", "Integrator (API)"
    SYSTEM = "SYSTEM", "System"
    SUPERUSER = "SUPERUSER", "Superuser"


class ApiClient(models.Model):
    """An OAuth client that may ask for tokens (HTTP Basic on /user/oauth/token).

    DIGIT's public client `egov-user-client` has an empty secret. An integrator's own client carries a
    secret and may be bound to the networks its calls must come from."""

    client_id = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    # Django password hash of the secret; empty for a public client whose secret is empty.
    secret_hash = models.CharField(max_length=256, blank=True)
    # CIDR networks ("10.1.2.0/24", "203.0.113.7/32"); empty means any address.
    allowed_networks = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["client_id"]
        verbose_name = "API client"

    def __str__(self):
        return self.client_id


class User(AbstractUser):
    """An employee, an integrator's API user, or the system itself. Roles are held per tenant."""

    class Type(models.TextChoices):
        EMPLOYEE = "EMPLOYEE", "Employee"
        CITIZEN = "CITIZEN", "Citizen"
        SYSTEM = "SYSTEM", "System"

    first_name = None
    last_name = None
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    mobile_number = models.CharField(max_length=10, blank=True, validators=[MOBILE_NUMBER_VALIDATOR])
    user_type = models.CharField(max_length=10, choices=Type.choices, default=Type.EMPLOYEE)
    # The tenant the user belongs to (DIGIT's user.tenantId).
    tenant = models.ForeignKey(Tenant, null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    # An integrator's user may get tokens only through its own client, and so only from its networks.
    api_client = models.ForeignKey(ApiClient, null=True, blank=True, on_delete=models.PROTECT, related_name="users")

    objects = UserManager()

    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.username

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name


class RoleAssignment(models.Model):
    """A role a user holds in one tenant. A role held in a state covers the state's cities."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="role_assignments")
    role = models.CharField(max_length=30, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tenant_id", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "tenant", "role"], name="role_assignment_unique"),
        ]

    def __str__(self):
        return f"{self.user_id}:{self.role}@{self.tenant_id}"


class AccessToken(models.Model):
    """A bearer token pair issued by /user/oauth/token. Only SHA-256 digests are stored."""

    class RevokeReason(models.TextChoices):
        LOGOUT = "LOGOUT", "Logged out"
        REFRESHED = "REFRESHED", "Exchanged for a new pair"
        ADMIN = "ADMIN", "Revoked by an administrator"

    access_digest = models.CharField(max_length=64, unique=True)
    refresh_digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="access_tokens")
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="access_tokens")
    scope = models.CharField(max_length=100, blank=True)
    issued_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    refresh_expires_at = models.DateTimeField()
    # Set on logout and when the refresh token is exchanged: a refresh token works once.
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=20, choices=RevokeReason.choices, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="access_token_expiry_order", condition=Q(refresh_expires_at__gte=models.F("expires_at"))
            ),
        ]

    def __str__(self):
        return f"token {self.pk} of {self.user_id}"


class IdFormat(models.Model):
    """How numbers of one kind are made, e.g. `receipt.id` = `[cy:MM]/[fy:yyyy-yy]/[SEQ_COLL_RCPT_NUM]`.

    A format set at state level applies to every city of the state unless the city has its own."""

    class Reset(models.TextChoices):
        NEVER = "NEVER", "Never"
        FINANCIAL_YEAR = "FINANCIAL_YEAR", "Every financial year"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="id_formats")
    name = models.CharField(max_length=100)
    format = models.CharField(max_length=200)
    reset = models.CharField(max_length=20, choices=Reset.choices, default=Reset.NEVER)

    class Meta:
        ordering = ["tenant_id", "name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="id_format_unique")]

    def __str__(self):
        return f"{self.name}@{self.tenant_id}: {self.format}"


class IdSequence(models.Model):
    """The last number handed out for one sequence in one tenant (and financial year when it resets)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="id_sequences")
    name = models.CharField(max_length=100)
    period = models.CharField(max_length=20, blank=True)
    last_value = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["tenant_id", "name", "period"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name", "period"], name="id_sequence_unique"),
            models.CheckConstraint(name="id_sequence_non_negative", condition=Q(last_value__gte=0)),
        ]

    def __str__(self):
        return f"{self.name}@{self.tenant_id}{'/' + self.period if self.period else ''} = {self.last_value}"


class AuditEvent(models.Model):
    """Who changed what, when, from where, from which state to which, and why. Append-only."""

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    tenant = models.ForeignKey(Tenant, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events")
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events")
    # Kept beside the foreign key so the trail still reads after a rename; "system" for scheduled work.
    actor_name = models.CharField(max_length=150)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    entity_type = models.CharField(max_length=100)
    entity_id = models.CharField(max_length=64)
    action = models.CharField(max_length=50)
    from_state = models.CharField(max_length=50, blank=True)
    to_state = models.CharField(max_length=50, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["entity_type", "entity_id"], name="audit_entity_idx")]

    def __str__(self):
        return f"{self.entity_type}:{self.entity_id} {self.action} {self.from_state}->{self.to_state}"


class IdempotencyRecord(models.Model):
    """The first answer to a request carrying an idempotency key; repeats get this answer back."""

    scope = models.CharField(max_length=150)
    key = models.CharField(max_length=200)
    request_digest = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key_unique")]

    def __str__(self):
        return f"{self.scope}:{self.key}"


class WorkerHeartbeat(models.Model):
    """When a Celery worker last ran the scheduled heartbeat: shows that broker, worker and beat are alive."""

    worker = models.CharField(max_length=200, unique=True)
    last_seen_at = models.DateTimeField()

    def __str__(self):
        return f"{self.worker} @ {self.last_seen_at:%Y-%m-%d %H:%M:%S}"
