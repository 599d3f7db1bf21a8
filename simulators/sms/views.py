"""The SMS gateway simulator over HTTP, mounted at /simulators/sms/ (see `urls.py`).

`send` takes `to`, `text`, `sender`, `dltTemplateId`, `reference` from the query string, a form or a JSON body,
so it can stand in for gateways called either way, and answers `{"status": "ACCEPTED", "messageId": …}`.
Every endpoint needs the simulator token: `Authorization: Bearer <token>`, HTTP Basic with the token as
password, or `apikey=<token>`."""

import base64
import binascii
import hmac
import json

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from notifications.providers.simulator import simulator_enabled
from simulators.models import SmsGatewayMessage
from simulators.sms.services import (
    GatewayRefusal,
    sms_gateway_accept,
    sms_gateway_control_get,
    sms_gateway_control_set,
    sms_gateway_report,
    sms_gateway_reset,
)

MESSAGES_LIMIT = 500


def _refuse(status: int, error: str) -> JsonResponse:
    return JsonResponse({"status": "REJECTED" if status < 500 else "ERROR", "error": error}, status=status)


def _fields(request) -> dict:
    """Query string, then form or JSON body; the body wins."""
    data = request.GET.dict()
    if request.method == "POST":
        if request.content_type == "application/json":
            try:
                body = json.loads(request.body or b"{}")
            except (ValueError, UnicodeDecodeError):
                raise ValueError("body: not JSON") from None
            if not isinstance(body, dict):
                raise ValueError("body: a JSON object is expected")
            data.update({key: value for key, value in body.items() if value is not None})
        else:
            data.update(request.POST.dict())
    return data


def _authorised(request, data: dict) -> bool:
    expected = settings.KOSH_SMS_SIMULATOR["TOKEN"]
    authorization = request.headers.get("Authorization", "")
    supplied = str(data.get("apikey", ""))
    if authorization.startswith("Bearer "):
        supplied = authorization[7:]
    elif authorization.startswith("Basic "):
        try:
            supplied = base64.b64decode(authorization[6:]).decode().partition(":")[2]
        except (binascii.Error, UnicodeDecodeError):
            supplied = ""
    return bool(supplied) and hmac.compare_digest(supplied.encode(), expected.encode())


def simulator_view(view):
    """404 when the simulator is switched off; 401 without the token; 400 for an unreadable body."""

    @csrf_exempt
    def wrapped(request, *args, **kwargs):
        if not simulator_enabled():
            raise Http404("The SMS gateway simulator is switched off.")
        try:
            data = _fields(request)
        except ValueError as exc:
            return _refuse(400, str(exc))
        if not _authorised(request, data):
            return _refuse(401, "the simulator token is required (Bearer, Basic password or apikey)")
        return view(request, data, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@require_http_methods(["GET", "POST"])
@simulator_view
def send(request, data):
    """Accept one SMS."""
    to, text = str(data.get("to", "")).strip(), str(data.get("text", ""))
    if not to:
        return _refuse(400, "to: required")
    if len(to) > 20:
        # Gateways commonly echo the number they refuse; Kosh must not log it in full.
        return _refuse(400, f"to: '{to}' is longer than 20 characters")
    if not text:
        return _refuse(400, "text: required")
    result = sms_gateway_accept(
        to=to,
        text=text,
        sender=str(data.get("sender", "")),
        dlt_template_id=str(data.get("dltTemplateId", "")),
        reference=str(data.get("reference", "")),
    )
    if isinstance(result, GatewayRefusal):
        return _refuse(result.status, result.error)
    return JsonResponse({"status": "ACCEPTED", "messageId": result.message_id})


@require_http_methods(["GET", "POST"])
@simulator_view
def control(request, data):
    """GET: the controls in force. POST `failNext`, `failAlways`, `failStatus`, `delayMs` (any of them)."""
    if request.method == "POST":
        try:
            current = sms_gateway_control_set(
                fail_next=_int(data, "failNext", 0, 1_000_000),
                fail_always=_bool(data, "failAlways"),
                fail_status=_int(data, "failStatus", 400, 599),
                delay_ms=_int(data, "delayMs", 0, 120_000),
            )
        except ValueError as exc:
            return _refuse(400, str(exc))
    else:
        current = sms_gateway_control_get()
    return JsonResponse(
        {
            "failNext": current.fail_next,
            "failAlways": current.fail_always,
            "failStatus": current.fail_status,
            "delayMs": current.delay_ms,
        }
    )


@require_http_methods(["GET"])
@simulator_view
def messages(request, data):
    """Recorded messages, newest first; `reference` and `to` filter."""
    recorded = SmsGatewayMessage.objects.all()
    if data.get("reference"):
        recorded = recorded.filter(reference=data["reference"])
    if data.get("to"):
        recorded = recorded.filter(to=data["to"])
    rows = [
        {
            "messageId": m.message_id,
            "to": m.to,
            "text": m.text,
            "sender": m.sender,
            "dltTemplateId": m.dlt_template_id,
            "reference": m.reference,
            "status": m.status,
            "receivedAt": m.received_at.isoformat(),
        }
        for m in recorded[:MESSAGES_LIMIT]
    ]
    return JsonResponse({"count": recorded.count(), "messages": rows})


@require_http_methods(["POST"])
@simulator_view
def reset(request, data):
    """Forget every message and control."""
    sms_gateway_reset()
    return JsonResponse({"status": "RESET"})


@require_http_methods(["POST"])
@simulator_view
def report(request, data, message_id: str):
    """Post a delivery report for a recorded message to Kosh: `status` DELIVERED or FAILED, optional `error`
    and `callbackUrl` (default: this server's /notifications/sms/delivery-reports/simulator)."""
    message = get_object_or_404(SmsGatewayMessage, message_id=message_id)
    status = str(data.get("status", "")).upper()
    if status not in (SmsGatewayMessage.Status.DELIVERED, SmsGatewayMessage.Status.FAILED):
        return _refuse(400, "status: DELIVERED or FAILED")
    callback = str(data.get("callbackUrl") or "") or request.build_absolute_uri(
        reverse("notifications:sms-delivery-report", kwargs={"provider": "simulator"})
    )
    answer = sms_gateway_report(message=message, status=status, error=str(data.get("error", "")), callback_url=callback)
    try:
        callback_body = answer.json()
    except ValueError:
        callback_body = answer.text[:500]
    return JsonResponse({"status": "REPORTED", "callbackStatus": answer.status_code, "callbackBody": callback_body})


def _int(data: dict, key: str, low: int, high: int) -> int | None:
    if key not in data or data[key] in ("", None):
        return None
    value = data[key]
    if isinstance(value, bool) or not (isinstance(value, int) or (isinstance(value, str) and value.isdigit())):
        raise ValueError(f"{key}: a whole number from {low} to {high}")
    number = int(value)
    if not low <= number <= high:
        raise ValueError(f"{key}: a whole number from {low} to {high}")
    return number


def _bool(data: dict, key: str) -> bool | None:
    if key not in data or data[key] in ("", None):
        return None
    value = data[key]
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("true", "1", "yes", "on"):
        return True
    if str(value).lower() in ("false", "0", "no", "off"):
        return False
    raise ValueError(f"{key}: true or false")
