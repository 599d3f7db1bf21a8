"""DIGIT-style OAuth: client credentials, password and refresh grants, logout."""

import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.utils import timezone

from core.errors import ApplicationError
from core.models import AccessToken, ApiClient, User
from core.selectors import (
    api_client_allows_ip,
    api_client_get,
    tenant_get,
    token_digest,
    user_role_tenant_ids,
)
from core.services.audit import audit_record


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    refresh_token: str
    token: AccessToken

    @property
    def expires_in(self) -> int:
        return int(settings.KOSH_ACCESS_TOKEN_TTL.total_seconds())


def api_client_authenticate(*, client_id: str, secret: str, ip: str | None) -> ApiClient:
    """The client named by HTTP Basic, if its secret matches and the caller's address is allowed."""
    client = api_client_get(client_id=client_id)
    if client is None or not _client_secret_matches(client, secret):
        raise ApplicationError("INVALID_CLIENT", "Client authentication failed.", status=401)
    if not api_client_allows_ip(client=client, ip=ip):
        raise ApplicationError("IP_NOT_ALLOWED", "This client may not call from this address.", status=403)
    return client


def token_issue_for_password(
    *,
    http_request,
    client: ApiClient,
    username: str,
    password: str,
    tenant_id: str,
    user_type: str,
    scope: str,
    ip: str | None,
) -> IssuedToken:
    """grant_type=password. Wrong passwords count towards the account's lockout (django-axes)."""
    tenant = tenant_get(code=tenant_id)
    user = authenticate(http_request, username=username, password=password)
    if getattr(http_request, "axes_locked_out", False):
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
        raise ApplicationError(
            "ACCOUNT_LOCKED",
            f"Too many failed logins: the account is locked for {minutes} minutes.",
            status=403,
        )
    if user is None or user.user_type != user_type:
        raise ApplicationError("INVALID_GRANT", "Invalid login credentials.", field="password")
    if user.api_client_id is not None and user.api_client_id != client.pk:
        raise ApplicationError("INVALID_CLIENT", "This user signs in only through its own API client.", status=401)
    if not _user_belongs_to_tenant(user, tenant.code):
        raise ApplicationError(
            "INVALID_GRANT", f"tenantId: the user holds no role in '{tenant.code}'.", field="tenantId"
        )
    return _token_create(user=user, client=client, tenant_id=tenant.code, scope=scope, ip=ip)


@transaction.atomic
def token_refresh(*, client: ApiClient, refresh_token: str, ip: str | None) -> IssuedToken:
    """grant_type=refresh_token: a new pair for an unused, unexpired refresh token; the old pair stops working."""
    old = (
        AccessToken.objects.select_for_update()
        .select_related("user")
        .filter(refresh_digest=token_digest(refresh_token))
        .first()
    )
    now = timezone.now()
    # Refreshing revokes the old pair, so a revoked row means used (or logged out): either way, refused.
    if (
        old is None
        or old.client_id != client.pk
        or old.revoked_at is not None
        or old.refresh_expires_at <= now
        or not old.user.is_active
    ):
        raise ApplicationError("INVALID_GRANT", "The refresh token is invalid, used or expired.", field="refresh_token")
    old.revoked_at = now
    old.revoke_reason = AccessToken.RevokeReason.REFRESHED
    old.save(update_fields=["revoked_at", "revoke_reason"])
    return _token_create(user=old.user, client=client, tenant_id=old.tenant_id, scope=old.scope, ip=ip)


@transaction.atomic
def token_revoke(
    *,
    token: AccessToken,
    ip: str | None,
    revoked_by: User | None = None,
    reason: str = AccessToken.RevokeReason.LOGOUT,
) -> AccessToken:
    """The access token and its refresh token stop working at once: a logout by the token's own user, or an
    administrator's revocation (`revoked_by`, reason ADMIN). Revoking twice is a no-op."""
    token = AccessToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.revoke_reason = reason
    token.save(update_fields=["revoked_at", "revoke_reason"])
    audit_record(
        actor=revoked_by or token.user,
        entity=token,
        action="LOGOUT" if reason == AccessToken.RevokeReason.LOGOUT else "TOKEN_REVOKE",
        from_state="ACTIVE",
        to_state="REVOKED",
        reason=AccessToken.RevokeReason(reason).label,
        source_ip=ip,
    )
    return token


def _token_create(*, user: User, client: ApiClient, tenant_id: str, scope: str, ip: str | None) -> IssuedToken:
    access, refresh = str(uuid.uuid4()), str(uuid.uuid4())
    now = timezone.now()
    token = AccessToken.objects.create(
        access_digest=token_digest(access),
        refresh_digest=token_digest(refresh),
        user=user,
        client=client,
        tenant_id=tenant_id,
        scope=scope,
        issued_ip=ip,
        expires_at=now + settings.KOSH_ACCESS_TOKEN_TTL,
        refresh_expires_at=now + max(settings.KOSH_REFRESH_TOKEN_TTL, settings.KOSH_ACCESS_TOKEN_TTL),
    )
    return IssuedToken(access_token=access, refresh_token=refresh, token=token)


def _client_secret_matches(client: ApiClient, secret: str) -> bool:
    if not client.secret_hash:
        return secret == ""
    return check_password(secret, client.secret_hash)


def _user_belongs_to_tenant(user: User, tenant_id: str) -> bool:
    """A user may sign in to a tenant where they act, to the state above it, or to a city below a state they act in."""
    held = user_role_tenant_ids(user=user)
    return tenant_id in held or any(code.split(".", 1)[0] == tenant_id for code in held)
