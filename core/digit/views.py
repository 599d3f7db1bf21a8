from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response
from rest_framework.views import APIView

from core.digit.envelope import request_info_of, response_info
from core.permissions import TenantRolePermission


class DigitApiView(APIView):
    """Base of every DIGIT-compatible endpoint: criteria in the query string, `{"RequestInfo": …}` in the body,
    `{"ResponseInfo": …, "<Entities>": […]}` back. Subclasses declare `required_roles` and answer with `respond`."""

    permission_classes = [TenantRolePermission]
    required_roles: tuple[str, ...] = ()

    def initial(self, request, *args, **kwargs):
        # A wrong method is answered as such, before permissions read criteria it would not carry.
        if not hasattr(self, request.method.lower()):
            raise MethodNotAllowed(request.method)
        # Refuse a body that is not `{"RequestInfo": {...}, ...}` before anything reads it.
        request_info_of(request)
        super().initial(request, *args, **kwargs)

    def request_tenant_id(self, request) -> str:
        return request.query_params.get("tenantId", "")

    def respond(self, entities_key: str, entities, *, status: int = 200, **extra) -> Response:
        body = {"ResponseInfo": response_info(request_info_of(self.request)), entities_key: entities, **extra}
        return Response(body, status=status)
