from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from core.digit.envelope import request_info_of
from core.http import client_ip
from core.selectors import api_client_allows_ip, token_get_active


class DigitTokenAuthentication(BaseAuthentication):
    """A DIGIT access token, from `Authorization: Bearer …` or, as DIGIT clients send it, `RequestInfo.authToken`."""

    keyword = b"bearer"

    def authenticate(self, request):
        raw = self._token_from_header(request)
        if raw is None:
            raw = request_info_of(request).get("authToken") or None
        if raw is None:
            return None
        token = token_get_active(raw=raw)
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(
                "The access token is invalid, expired or revoked.", code="INVALID_ACCESS_TOKEN"
            )
        if not api_client_allows_ip(client=token.client, ip=client_ip(request)):
            raise exceptions.PermissionDenied(
                "Calls with this token are not allowed from this address.", code="IP_NOT_ALLOWED"
            )
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="kosh"'

    def _token_from_header(self, request) -> str | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Authorization: Bearer takes exactly one token.", code="INVALID_ACCESS_TOKEN"
            )
        try:
            return parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(
                "The access token is not ASCII.", code="INVALID_ACCESS_TOKEN"
            ) from None
