"""OpenAPI description of Kosh's DIGIT token authentication (imported by CoreConfig.ready)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class DigitTokenScheme(OpenApiAuthenticationExtension):
    target_class = "core.authentication.DigitTokenAuthentication"
    name = "digitToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "From POST /user/oauth/token; send as `Authorization: Bearer …` or `RequestInfo.authToken`.",
        }
