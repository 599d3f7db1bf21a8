"""G2P clients: tokens kept as digests, optional detached-JWS signatures checked over the body."""

import base64
import json

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from django.core.management import call_command

from bridge.models import BenefitProgram, BridgeClient
from bridge.services.clients import bridge_client_create
from core.errors import ApplicationError
from tests.bridge.conftest import G2PCaller, program_message

pytestmark = pytest.mark.django_db


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_pem(key) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def detached_jws(key, algorithm: str, body: bytes) -> str:
    protected = b64url(json.dumps({"alg": algorithm}).encode())
    signing_input = f"{protected}.{b64url(body)}".encode()
    if algorithm == "RS256":
        signature = key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    elif algorithm == "ES256":
        r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        signature = key.sign(signing_input)
    return f"{protected}..{b64url(signature)}"


def signed_call(client_token: str, body: dict, signature: str | None):
    caller = G2PCaller(client_token)
    raw = json.dumps(body).encode()
    headers = {"HTTP_SIGNATURE": signature} if signature is not None else {}
    return caller.api.post(
        "/create_benefit_program_configuration",
        raw,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {client_token}",
        **headers,
    )


def test_only_the_tokens_digest_is_stored(tenants):
    client, token = bridge_client_create(tenant_id="pb.amritsar", name="PBMS")

    assert token.startswith("kbr_")
    assert token not in {client.token_digest, client.token_hint}
    assert len(client.token_digest) == 64


def test_a_client_name_is_unique_in_its_tenant(tenants):
    bridge_client_create(tenant_id="pb.amritsar", name="PBMS")

    with pytest.raises(ApplicationError):
        bridge_client_create(tenant_id="pb.amritsar", name="PBMS")


def test_a_revoked_client_is_refused(g2p, g2p_client):
    BridgeClient.objects.filter(pk=g2p_client.pk).update(is_active=False)

    response = g2p.post("create_benefit_program_configuration", program_message())

    assert response.status_code == 401
    assert not BenefitProgram.objects.exists()


@pytest.mark.parametrize(
    ("algorithm", "make_key"),
    [
        ("RS256", lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)),
        ("ES256", lambda: ec.generate_private_key(ec.SECP256R1())),
        ("EdDSA", ed25519.Ed25519PrivateKey.generate),
    ],
)
def test_a_signing_client_is_accepted_with_a_valid_detached_jws(tenants, algorithm, make_key):
    key = make_key()
    _client, token = bridge_client_create(
        tenant_id="pb.amritsar", name="Signing PBMS", signature_public_key=public_pem(key)
    )
    body = G2PCaller(token).envelope(program_message())

    response = signed_call(token, body, detached_jws(key, algorithm, json.dumps(body).encode()))

    assert response.json()["header"]["status"] == "succ"
    assert BenefitProgram.objects.count() == 1


def test_a_signing_client_without_a_signature_is_refused(tenants):
    key = ed25519.Ed25519PrivateKey.generate()
    _client, token = bridge_client_create(
        tenant_id="pb.amritsar", name="Signing PBMS", signature_public_key=public_pem(key)
    )

    response = signed_call(token, G2PCaller(token).envelope(program_message()), None)

    assert response.status_code == 401
    assert response.json()["header"]["status_reason_code"] == "INVALID_SIGNATURE"
    assert not BenefitProgram.objects.exists()


def test_a_signature_over_another_body_is_refused(tenants):
    key = ed25519.Ed25519PrivateKey.generate()
    _client, token = bridge_client_create(
        tenant_id="pb.amritsar", name="Signing PBMS", signature_public_key=public_pem(key)
    )
    body = G2PCaller(token).envelope(program_message())
    tampered = G2PCaller(token).envelope(program_message(sponsor_bank_account_number="999"))

    response = signed_call(token, tampered, detached_jws(key, "EdDSA", json.dumps(body).encode()))

    assert response.json()["header"]["status_reason_code"] == "INVALID_SIGNATURE"
    assert not BenefitProgram.objects.exists()


def test_a_key_that_is_not_a_public_key_is_refused_at_registration(tenants):
    with pytest.raises(ApplicationError) as refused:
        bridge_client_create(tenant_id="pb.amritsar", name="P", signature_public_key="-----BEGIN NONSENSE-----")

    assert refused.value.code == "INVALID_PUBLIC_KEY"


def test_the_management_command_prints_the_token_once(tenants, capsys):
    call_command("bridge_client_create", "pb.amritsar", "Command PBMS", "--network", "10.0.0.0/8")

    printed = capsys.readouterr().out
    client = BridgeClient.objects.get(name="Command PBMS")
    token = printed.split("Bearer <token>'): ")[1].strip()
    assert client.allowed_networks == ["10.0.0.0/8"]
    assert client.token_hint == token[-4:]
