"""A G2P client authenticates with its client token as `Authorization: Bearer <token>`."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from bridge.errors import BridgeRejection, ErrorCode
from bridge.models import BridgeClient
from bridge.services.clients import bridge_client_authenticate
from core.http import client_ip


class BridgeClientPrincipal:
    """Stands in for request.user on G2P calls: the caller is a client, not an employee."""

    is_authenticated = True
    is_active = True

    def __init__(self, client: BridgeClient):
        self.client = client
        self.username = f"g2p-client:{client.name}"

    def __str__(self):
        return self.username


class BridgeClientAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts:
            return None
        if len(parts) != 2 or parts[0].lower() != b"bearer":
            raise BridgeRejection(
                ErrorCode.INVALID_CLIENT_TOKEN, "Authorization: Bearer <client token>", http_status=401
            )
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise BridgeRejection(
                ErrorCode.INVALID_CLIENT_TOKEN, "The client token is not ASCII.", http_status=401
            ) from None
        client = bridge_client_authenticate(raw_token=raw, ip=client_ip(request))
        return BridgeClientPrincipal(client), client

    def authenticate_header(self, request):
        return 'Bearer realm="kosh-g2p-bridge"'


class IsBridgeClient(BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, BridgeClient)


class BridgeClientTokenScheme(OpenApiAuthenticationExtension):
    target_class = "bridge.api.authentication.BridgeClientAuthentication"
    name = "g2pClientToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "The client token Kosh issued to the PBMS (or sponsor bank), as `Authorization: Bearer …`. "
                "Clients registered with a public key also send a detached JWS of the body in `Signature`."
            ),
        }
