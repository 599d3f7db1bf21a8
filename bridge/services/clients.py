"""G2P Bridge clients: a PBMS or a sponsor bank calling with a client token, optionally signing each body with a
detached JWS (RFC 7515 appendix F: `<protected header>..<signature>` in the `Signature` HTTP header)."""

import base64
import binascii
import hashlib
import json
import secrets
from datetime import timedelta

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from django.db import transaction
from django.utils import timezone

from bridge.errors import BridgeRejection, ErrorCode
from bridge.models import BridgeClient
from core.errors import ApplicationError
from core.models import Tenant
from core.selectors import api_client_allows_ip
from core.services.audit import audit_record
from core.services.directory import api_client_networks_clean

TOKEN_PREFIX = "kbr_"
# last_used_at is written at most this often, so a busy client does not turn every call into a write.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _public_key_load(pem: str):
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except (ValueError, TypeError):
        raise ApplicationError(
            "INVALID_PUBLIC_KEY", "signature_public_key: not a PEM public key", field="signature_public_key"
        ) from None
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey):
        raise ApplicationError(
            "INVALID_PUBLIC_KEY", "signature_public_key: RSA, EC P-256 or Ed25519 only", field="signature_public_key"
        )
    return key


@transaction.atomic
def bridge_client_create(
    *,
    tenant_id: str,
    name: str,
    allowed_networks: list[str] | None = None,
    signature_public_key: str = "",
    token: str | None = None,
    created_by=None,
) -> tuple[BridgeClient, str]:
    """A new client and its token, shown this once (only its digest is kept). `token` is for demo data."""
    if not Tenant.objects.filter(code=tenant_id, is_active=True).exists():
        raise ApplicationError("INVALID_TENANT_ID", f"tenant: unknown tenant '{tenant_id}'", field="tenant")
    if not name.strip():
        raise ApplicationError("INVALID_NAME", "name: required", field="name")
    if BridgeClient.objects.filter(tenant_id=tenant_id, name=name).exists():
        raise ApplicationError("DUPLICATE_CLIENT", f"name: a client '{name}' exists in {tenant_id}", field="name")
    if signature_public_key.strip():
        _public_key_load(signature_public_key)
    raw = token or TOKEN_PREFIX + secrets.token_urlsafe(32)
    client = BridgeClient.objects.create(
        tenant_id=tenant_id,
        name=name,
        token_digest=token_digest(raw),
        token_hint=raw[-4:],
        allowed_networks=api_client_networks_clean(networks=allowed_networks or []),
        signature_public_key=signature_public_key.strip(),
    )
    audit_record(actor=created_by, entity=client, action="bridge_client_create", to_state="ACTIVE")
    return client, raw


@transaction.atomic
def bridge_client_rotate_token(*, client: BridgeClient, rotated_by=None) -> str:
    """A new token for the client; the old one stops working at once."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    BridgeClient.objects.filter(pk=client.pk).update(token_digest=token_digest(raw), token_hint=raw[-4:])
    audit_record(actor=rotated_by, entity=client, action="bridge_client_rotate_token")
    return raw


def bridge_client_authenticate(*, raw_token: str, ip: str | None) -> BridgeClient:
    client = (
        BridgeClient.objects.select_related("tenant")
        .filter(token_digest=token_digest(raw_token), is_active=True, tenant__is_active=True)
        .first()
    )
    if client is None:
        raise BridgeRejection(
            ErrorCode.INVALID_CLIENT_TOKEN, "The client token is unknown or revoked.", http_status=401
        )
    if not api_client_allows_ip(client=client, ip=ip):
        raise BridgeRejection(
            ErrorCode.IP_NOT_ALLOWED, "Calls with this token are not allowed from this address.", http_status=403
        )
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at > _LAST_USED_RESOLUTION:
        BridgeClient.objects.filter(pk=client.pk).update(last_used_at=now)
    return client


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _b64url_encode(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def signature_verify(*, client: BridgeClient, payload: bytes, signature: str) -> None:
    """Check a detached JWS over `payload` against the client's key. Does nothing for a client without a key."""
    if not client.signature_public_key:
        return
    refuse = BridgeRejection(
        ErrorCode.INVALID_SIGNATURE,
        "A valid detached JWS over the body is required in the Signature header.",
        http_status=401,
    )
    parts = signature.strip().split(".")
    if len(parts) != 3 or parts[1] != "":
        raise refuse
    try:
        protected = json.loads(_b64url_decode(parts[0]))
        raw_signature = _b64url_decode(parts[2])
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise refuse from None
    if not isinstance(protected, dict):
        raise refuse
    # RFC 7797: with "b64": false the payload is signed as it is, not base64url-encoded.
    signed_payload = payload if protected.get("b64") is False else _b64url_encode(payload)
    signing_input = parts[0].encode() + b"." + signed_payload
    key = _public_key_load(client.signature_public_key)
    try:
        _verify(key, protected.get("alg"), raw_signature, signing_input)
    except (InvalidSignature, ValueError):
        raise refuse from None


def _verify(key, algorithm, raw_signature: bytes, signing_input: bytes) -> None:
    if algorithm == "RS256" and isinstance(key, rsa.RSAPublicKey):
        key.verify(raw_signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
    elif algorithm == "PS256" and isinstance(key, rsa.RSAPublicKey):
        key.verify(
            raw_signature,
            signing_input,
            padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=hashes.SHA256.digest_size),
            hashes.SHA256(),
        )
    elif algorithm == "ES256" and isinstance(key, ec.EllipticCurvePublicKey) and len(raw_signature) == 64:
        r, s = int.from_bytes(raw_signature[:32], "big"), int.from_bytes(raw_signature[32:], "big")
        key.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(hashes.SHA256()))
    elif algorithm == "EdDSA" and isinstance(key, ed25519.Ed25519PublicKey):
        key.verify(raw_signature, signing_input)
    else:
        raise ValueError(f"algorithm {algorithm!r} does not fit the key")
