import base64
import binascii

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.digit.envelope import request_info_of, response_info
from core.digit.views import DigitApiView
from core.errors import ApplicationError
from core.http import client_ip
from core.models import AccessToken, Role, User
from core.selectors import employee_search, user_roles
from core.services.auth import api_client_authenticate, token_issue_for_password, token_refresh, token_revoke

DIGIT_USER_TAG = "DIGIT: user"


def user_representation(user: User) -> dict:
    """A user as DIGIT's egov-user shows one (`UserRequest`, `/user/_search`)."""
    return {
        "id": user.pk,
        "uuid": str(user.uuid),
        "userName": user.username,
        "name": user.name,
        "mobileNumber": user.mobile_number or None,
        "emailId": user.email or None,
        "type": user.user_type,
        "active": user.is_active,
        "tenantId": user.tenant_id,
        "roles": user_roles(user=user),
    }


class TokenCreateApi(APIView):
    """`POST /user/oauth/token`, as DIGIT's egov-user answers it."""

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [FormParser, MultiPartParser]

    @extend_schema_serializer(component_name="TokenCreateInput")
    class InputSerializer(serializers.Serializer):
        grant_type = serializers.ChoiceField(choices=["password", "refresh_token"])
        username = serializers.CharField(required=False, max_length=150)
        password = serializers.CharField(required=False, max_length=200, trim_whitespace=False)
        tenantId = serializers.CharField(required=False, max_length=64)
        userType = serializers.ChoiceField(choices=User.Type.values, required=False, default=User.Type.EMPLOYEE)
        scope = serializers.CharField(required=False, default="read", max_length=100)
        refresh_token = serializers.CharField(required=False, max_length=100)

        def validate(self, attrs):
            needed = ("username", "password", "tenantId") if attrs["grant_type"] == "password" else ("refresh_token",)
            missing = {name: ["This field is required."] for name in needed if not attrs.get(name)}
            if missing:
                raise serializers.ValidationError(missing, code="required")
            return attrs

    @extend_schema(tags=[DIGIT_USER_TAG], request=InputSerializer, responses={200: dict}, auth=[])
    def post(self, request):
        ip = client_ip(request)
        client_id, secret = _basic_credentials(request)
        client = api_client_authenticate(client_id=client_id, secret=secret, ip=ip)
        serializer = self.InputSerializer(data=request.data or request.query_params)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["grant_type"] == "password":
            issued = token_issue_for_password(
                http_request=request._request,
                client=client,
                username=data["username"],
                password=data["password"],
                tenant_id=data["tenantId"],
                user_type=data["userType"],
                scope=data["scope"],
                ip=ip,
            )
        else:
            issued = token_refresh(client=client, refresh_token=data["refresh_token"], ip=ip)
        body = {
            "access_token": issued.access_token,
            "token_type": "bearer",
            "refresh_token": issued.refresh_token,
            "expires_in": issued.expires_in,
            "scope": issued.token.scope,
            "ResponseInfo": response_info({}),
            "UserRequest": user_representation(issued.token.user),
        }
        return Response(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


class TokenLogoutApi(APIView):
    """`POST /user/_logout`: the access token in the request stops working, and so does its refresh token."""

    @extend_schema(tags=[DIGIT_USER_TAG], request=dict, responses={200: dict})
    def post(self, request):
        if not isinstance(request.auth, AccessToken):
            raise ApplicationError("INVALID_ACCESS_TOKEN", "Logout needs the access token to end.", status=401)
        token_revoke(token=request.auth, ip=client_ip(request))
        return Response({"ResponseInfo": response_info(request_info_of(request), status="Logout successfully")})


class TokenCheckApi(DigitApiView):
    """`POST /user/token/_check?tenantId=`: the token is valid and its user holds a role in the tenant. Reads
    nothing else, so an integrator can test a setup with it, and it is the baseline of the API benchmarks."""

    required_roles = tuple(Role.values)

    @extend_schema(tags=[DIGIT_USER_TAG], request=dict, responses={200: dict})
    def post(self, request):
        token = request.auth
        return self.respond(
            "token",
            {
                "userName": request.user.username,
                "tenantId": self.request_tenant_id(request),
                "expiresAt": int(token.expires_at.timestamp() * 1000),
            },
        )


class UserSearchApi(DigitApiView):
    """`POST /user/_search`: employees of one tenant, criteria in the body as egov-user takes them."""

    required_roles = tuple(role for role in Role.values if role != Role.INTEGRATOR)

    @extend_schema_serializer(component_name="UserSearchInput")
    class InputSerializer(serializers.Serializer):
        tenantId = serializers.CharField(max_length=64)
        userName = serializers.CharField(required=False, max_length=150)
        uuid = serializers.ListField(child=serializers.UUIDField(), required=False, max_length=100)
        mobileNumber = serializers.RegexField(r"^[6-9][0-9]{9}$", required=False)
        roleCodes = serializers.ListField(child=serializers.ChoiceField(choices=Role.values), required=False)
        pageSize = serializers.IntegerField(required=False, min_value=1, max_value=300, default=100)
        pageNumber = serializers.IntegerField(required=False, min_value=0, default=0)

    def request_tenant_id(self, request) -> str:
        return self._criteria(request)["tenantId"]

    @extend_schema(tags=[DIGIT_USER_TAG], request=InputSerializer, responses={200: dict})
    def post(self, request):
        criteria = self._criteria(request)
        users = employee_search(
            tenant_id=criteria["tenantId"],
            user_names=[criteria["userName"]] if criteria.get("userName") else [],
            uuids=[str(value) for value in criteria.get("uuid", [])],
            mobile_number=criteria.get("mobileNumber", ""),
            role_codes=criteria.get("roleCodes", []),
            limit=criteria["pageSize"],
            offset=criteria["pageNumber"] * criteria["pageSize"],
        )
        return self.respond("user", [user_representation(user) for user in users])

    def _criteria(self, request) -> dict:
        if not hasattr(request, "_kosh_criteria"):
            serializer = self.InputSerializer(data=request.data if isinstance(request.data, dict) else {})
            serializer.is_valid(raise_exception=True)
            request._kosh_criteria = serializer.validated_data
        return request._kosh_criteria


def _basic_credentials(request) -> tuple[str, str]:
    """The OAuth client from `Authorization: Basic base64(client_id:secret)`."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        raise ApplicationError(
            "INVALID_CLIENT", "Authorization: Basic client credentials are required.", field="Authorization", status=401
        )
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise ApplicationError(
            "INVALID_CLIENT",
            "Authorization: Basic credentials are not valid base64.",
            field="Authorization",
            status=401,
        ) from None
    client_id, separator, secret = decoded.partition(":")
    if not separator or not client_id:
        raise ApplicationError(
            "INVALID_CLIENT",
            "Authorization: Basic credentials must be client_id:secret.",
            field="Authorization",
            status=401,
        )
    return client_id, secret
