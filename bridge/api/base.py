"""The base of every G2P endpoint. Requests are `{signature, header, message}`; answers are
`{signature, header: {status: succ|rjct, status_reason_code, status_reason_message, …}, message}`.

As the anchor does, a refused request is answered HTTP 200 with `status: rjct` and the anchor's error code in
`status_reason_code` and `status_reason_message` (Kosh adds `status_reason_detail` in words), so an unchanged PBMS
reads it. Authentication failures are 401/403, a malformed body 400, and nothing is ever written by a refusal.
A write's `message_id` is idempotent: sent again it gets the first answer back."""

import logging
import re
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView, set_rollback

from bridge.api.authentication import BridgeClientAuthentication, IsBridgeClient
from bridge.errors import BridgeRejection, ErrorCode
from bridge.models import BridgeClient
from bridge.services.clients import signature_verify
from core.digit.parsers import DigitJSONParser
from core.errors import ApplicationError
from core.services.idempotency import idempotency_run, request_digest

logger = logging.getLogger(__name__)

SUCC, RJCT = "succ", "rjct"


# An amount inside an answer until it is rendered. Plain JSON, so an answer kept for `message_id` replays (stored
# as JSON, where a Decimal would come back a string or a lossy float) renders exactly as the first time.
DECIMAL_MARK = "kosh:decimal"
_MARKED_DECIMAL = re.compile(rb'\{"kosh:decimal": ?"(-?[0-9]+(?:\.[0-9]+)?)"\}')


def wire(value):
    """An answer ready for `G2PJSONRenderer`: each Decimal marked, to go out as the exact JSON number. A double
    would not do: NUMERIC(18,2) totals have more digits than it keeps (1234567890123456.78 → 1234567890123456.8)."""
    if isinstance(value, Decimal):
        return {DECIMAL_MARK: format(value, "f")}
    if isinstance(value, dict):
        return {key: wire(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [wire(item) for item in value]
    return value


def response_header(
    request_header: dict,
    *,
    status: str,
    code: str = "",
    detail: str = "",
    total_count: int = 0,
    completed_count: int = 0,
) -> dict:
    return {
        "version": "1.0.0",
        "message_id": str(request_header.get("message_id") or ""),
        "message_ts": timezone.now().isoformat(),
        "action": str(request_header.get("action") or ""),
        "status": status,
        "status_reason_code": code,
        "status_reason_message": code,
        "status_reason_detail": detail,
        "total_count": total_count,
        "completed_count": completed_count,
        "sender_id": str(request_header.get("receiver_id") or ""),
        "receiver_id": str(request_header.get("sender_id") or ""),
        "is_msg_encrypted": False,
        "meta": {},
    }


class G2PJSONRenderer(JSONRenderer):
    """JSON with each marked amount written as its exact decimal number (callers parse it as Decimal)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return _MARKED_DECIMAL.sub(rb"\1", super().render(data, accepted_media_type, renderer_context))


class G2PApiView(APIView):
    authentication_classes = [BridgeClientAuthentication]
    permission_classes = [IsBridgeClient]
    parser_classes = [DigitJSONParser]
    renderer_classes = [G2PJSONRenderer]
    # Writes de-duplicate on message_id; reads always answer afresh.
    idempotent = True

    def initial(self, request, *args, **kwargs):
        self.request_header = {}
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
            raise BridgeRejection(ErrorCode.INVALID_REQUEST, f"body: at most {limit:,} bytes", http_status=413)
        super().initial(request, *args, **kwargs)
        # The signature covers the raw bytes, so read them before the parser consumes the stream.
        self.signed_body = request._request.body if request.auth.signature_public_key else b""

    def post(self, request):
        client: BridgeClient = request.auth
        body = request.data
        if not isinstance(body, dict) or not isinstance(body.get("header"), dict) or "message" not in body:
            raise BridgeRejection(
                ErrorCode.INVALID_REQUEST, "body: {signature, header: {...}, message} expected", http_status=400
            )
        self.request_header = body["header"]
        signature_verify(client=client, payload=self.signed_body, signature=request.headers.get("Signature", ""))
        message_id = self.request_header.get("message_id")
        if not isinstance(message_id, str) or not message_id.strip():
            raise BridgeRejection(ErrorCode.INVALID_MESSAGE_ID, "header.message_id: required")
        message = body["message"]
        if not self.idempotent:
            return Response(self._answer(client, message))
        try:
            _status, answer, _replayed = idempotency_run(
                scope=f"bridge:{client.pk}",
                key=message_id,
                digest=request_digest({"path": request.path, "message": message}),
                operation=lambda: (200, self._answer(client, message)),
            )
        except ApplicationError as exc:
            code = (
                ErrorCode.MESSAGE_ID_DUPLICATE if exc.code == "IDEMPOTENCY_KEY_REUSED" else ErrorCode.INVALID_MESSAGE_ID
            )
            raise BridgeRejection(code, f"header.message_id: {exc.message.split(': ', 1)[-1]}") from None
        return Response(answer)

    def _answer(self, client: BridgeClient, message) -> dict:
        payload, total, completed = self.handle(client=client, message=message)
        return {
            "signature": None,
            "header": response_header(self.request_header, status=SUCC, total_count=total, completed_count=completed),
            "message": wire(payload),
        }

    def handle(self, *, client: BridgeClient, message) -> tuple[object, int, int]:
        """The endpoint's work: returns (message, total_count, completed_count) or raises BridgeRejection."""
        raise NotImplementedError

    def handle_exception(self, exc):
        set_rollback()
        header = getattr(self, "request_header", {}) or {}
        if isinstance(exc, BridgeRejection):
            return self.reject(header, exc.code, exc.detail, message=wire(exc.message), http_status=exc.http_status)
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            return self.reject(
                header,
                ErrorCode.INVALID_CLIENT_TOKEN,
                "A client token is required.",
                http_status=401,
                www_authenticate=BridgeClientAuthentication().authenticate_header(self.request),
            )
        if isinstance(exc, exceptions.PermissionDenied):
            return self.reject(
                header, ErrorCode.INVALID_CLIENT_TOKEN, "Only G2P clients may call this.", http_status=403
            )
        if isinstance(exc, exceptions.APIException):
            return self.reject(header, ErrorCode.INVALID_REQUEST, str(exc.detail), http_status=exc.status_code)
        logger.exception("G2P %s failed", self.request.path)
        return self.reject(
            header,
            ErrorCode.INTERNAL_ERROR,
            "Kosh could not complete the request; nothing was changed.",
            http_status=500,
        )

    def reject(
        self,
        header: dict,
        code: ErrorCode,
        detail: str,
        *,
        message=None,
        http_status: int = 200,
        www_authenticate: str = "",
    ) -> Response:
        response = Response(
            {
                "signature": None,
                "header": response_header(header, status=RJCT, code=code.value, detail=detail),
                "message": {} if message is None else message,
            },
            status=http_status,
        )
        if www_authenticate:
            response["WWW-Authenticate"] = www_authenticate
        return response
