"""Every API failure as DIGIT answers it: `{"ResponseInfo": null, "Errors": [{code, message, description, params}]}`."""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

from core.errors import ApplicationError

logger = logging.getLogger(__name__)

# Codes for the generic refusals, stable so integrators can branch on them.
_API_EXCEPTION_CODES = {
    exceptions.ParseError: "INVALID_JSON",
    exceptions.NotAuthenticated: "AUTHENTICATION_REQUIRED",
    exceptions.AuthenticationFailed: "INVALID_ACCESS_TOKEN",
    exceptions.PermissionDenied: "ACCESS_DENIED",
    exceptions.NotFound: "NOT_FOUND",
    exceptions.MethodNotAllowed: "METHOD_NOT_ALLOWED",
    exceptions.NotAcceptable: "NOT_ACCEPTABLE",
    exceptions.UnsupportedMediaType: "UNSUPPORTED_MEDIA_TYPE",
    exceptions.Throttled: "TOO_MANY_REQUESTS",
}


def digit_error(code: str, message: str, *, description: str | None = None, params=None) -> dict:
    return {"code": code, "message": message, "description": description or message, "params": params}


def error_body(errors: list[dict]) -> dict:
    return {"ResponseInfo": None, "Errors": errors}


def error_response(errors: list[dict], status_code: int = status.HTTP_400_BAD_REQUEST, headers=None) -> Response:
    return Response(error_body(errors), status=status_code, headers=headers)


def digit_exception_handler(exc, context):
    """DRF's exception handler for every Kosh API: one shape for every refusal, never an HTML page."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"body": exc.messages})

    if isinstance(exc, ApplicationError):
        set_rollback()
        message = exc.message
        return error_response([digit_error(exc.code, message, params=exc.params or None)], exc.status_code)

    if isinstance(exc, exceptions.ValidationError):
        set_rollback()
        errors = [
            digit_error(
                str(detail.code or "invalid").upper(), f"{path}: {detail}", description=str(detail), params=[path]
            )
            for path, detail in _flatten(exc.detail, "")
        ]
        return error_response(errors)

    if isinstance(exc, exceptions.APIException):
        set_rollback()
        code = next((c for cls, c in _API_EXCEPTION_CODES.items() if isinstance(exc, cls)), None)
        detail = exc.detail
        code = _custom_code(detail) or code or str(exc.default_code).upper()
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(exc.wait)
        params = ["body"] if isinstance(exc, exceptions.ParseError) else None
        return error_response([digit_error(code, str(detail), params=params)], exc.status_code, headers)

    logger.exception("Unhandled error in %s", context.get("view").__class__.__name__ if context.get("view") else "API")
    set_rollback()
    return error_response(
        [digit_error("INTERNAL_SERVER_ERROR", "Kosh could not complete the request; nothing was changed.")],
        status.HTTP_500_INTERNAL_SERVER_ERROR,
    )


def _custom_code(detail) -> str | None:
    """A code a view gave its APIException explicitly (e.g. `AuthenticationFailed(code="TOKEN_EXPIRED")`)."""
    code = getattr(detail, "code", None)
    return code if code and code.isupper() else None


def _flatten(detail, path: str):
    """Yield (field path, ErrorDetail) pairs, with paths as the wire spells them: `Payment.paymentDetails[0].billId`."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                yield from _flatten(value, path or "body")
            elif isinstance(key, int):  # ListField reports its items by index
                yield from _flatten(value, f"{path}[{key}]")
            else:
                yield from _flatten(value, f"{path}.{key}" if path else str(key))
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, dict | list):
                yield from _flatten(item, f"{path}[{index}]")
            else:
                yield from _flatten(item, path)
    else:
        yield path or "body", detail
