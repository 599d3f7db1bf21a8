"""The delivery-report webhook SMS gateways call. Authenticated by each provider's shared secret, never open."""

import hmac

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import ApplicationError
from notifications.providers import PROVIDER_NAMES, provider_get
from notifications.services import sms_delivery_report_record

TOKEN_HEADER = "X-Kosh-Token"

_RESPONSE = inline_serializer(
    name="SmsDeliveryReportResult",
    fields={
        "status": serializers.ChoiceField(choices=["UPDATED", "UNCHANGED", "IGNORED"]),
        "messageId": serializers.CharField(),
    },
)
_SCHEMA = extend_schema(
    tags=["Kosh: notifications"],
    summary="Delivery report from an SMS gateway",
    description=(
        "The gateway names the message by its own id and says DELIVERED or FAILED (in its own words, mapped by "
        "settings). Fields come from the query string, a form or a JSON object. The provider's shared secret is "
        f"sent as `Authorization: Bearer …`, the `{TOKEN_HEADER}` header or a `token` query parameter."
    ),
    parameters=[
        OpenApiParameter("provider", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(PROVIDER_NAMES)),
        OpenApiParameter("token", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False),
    ],
    request={"application/json": OpenApiTypes.OBJECT, "application/x-www-form-urlencoded": OpenApiTypes.OBJECT},
    responses={200: _RESPONSE, 400: OpenApiTypes.OBJECT, 401: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT},
    auth=[],
)


class SmsDeliveryReportApi(APIView):
    """`GET|POST /notifications/sms/delivery-reports/<provider>`."""

    authentication_classes = []
    # The provider's shared secret is the authentication; it is checked before anything is read.
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_authenticate_header(self, request):
        return 'Bearer realm="sms-delivery-reports"'

    @_SCHEMA
    def get(self, request, provider: str):
        gateway = self._authenticate(request, provider)
        return self._report(gateway, provider, request.query_params.dict())

    @_SCHEMA
    def post(self, request, provider: str):
        gateway = self._authenticate(request, provider)
        if not isinstance(request.data, dict):
            raise ApplicationError("INVALID_DELIVERY_REPORT", "body: a JSON object or a form", field="body")
        body = request.data.dict() if hasattr(request.data, "dict") else request.data
        return self._report(gateway, provider, {**request.query_params.dict(), **body})

    def _authenticate(self, request, provider_name: str):
        if provider_name not in PROVIDER_NAMES:
            raise exceptions.NotFound()
        provider = provider_get(provider_name)
        expected = provider.delivery_report_token()
        if not expected:
            # A provider without a configured secret takes no reports at all.
            raise exceptions.NotFound()
        authorization = request.headers.get("Authorization", "")
        supplied = (
            request.headers.get(TOKEN_HEADER)
            or (authorization[7:] if authorization.startswith("Bearer ") else "")
            or request.query_params.get("token", "")
        )
        if not supplied:
            raise exceptions.NotAuthenticated("The provider's delivery-report token is required.")
        if not hmac.compare_digest(supplied.encode(), expected.encode()):
            raise exceptions.AuthenticationFailed("The delivery-report token is not this provider's.")
        return provider

    def _report(self, provider, provider_name: str, data: dict):
        data = {key: value for key, value in data.items() if key != "token"}
        try:
            report = provider.delivery_report_parse(data)
        except ValueError as exc:
            field = str(exc).split(":", 1)[0]
            raise ApplicationError("INVALID_DELIVERY_REPORT", str(exc), field=field) from None
        status = sms_delivery_report_record(provider=provider_name, report=report)
        return Response({"status": status, "messageId": report.provider_message_id})
