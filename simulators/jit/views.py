"""JIT-FS over HTTP: `POST …/webservices/jitfs/v1.0/authenticate` and `…/get-jit-service-data`, plus a scenario
control endpoint for tests and demos. Plain Django views: this is the treasury's wire format, not a Kosh API."""

import hmac
import json

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from simulators.jit import crypto
from simulators.jit.models import SimScenario
from simulators.jit.services import (
    NO_SESSION_MESSAGE,
    SERVICES,
    SimNoResponse,
    sim_scenario_set,
    sim_service_answer,
    sim_session_get,
    sim_session_open,
)
from simulators.views import simulator_only


def _refuse(message: str, status: int) -> JsonResponse:
    return JsonResponse({"status": 0, "errorMsg": message}, status=status)


def _json_body(request) -> dict | None:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


@simulator_only
@csrf_exempt
@require_POST
def authenticate(request):
    client_id = request.headers.get("clientId", "")
    client_secret = request.headers.get("clientSecret", "")
    known = hmac.compare_digest(client_id, settings.KOSH_JIT_SIMULATOR_CLIENT_ID) and hmac.compare_digest(
        client_secret, settings.KOSH_JIT_SIMULATOR_CLIENT_SECRET
    )
    if not known:
        return _refuse("Invalid clientId or clientSecret", 401)
    body = _json_body(request)
    if body is None or not isinstance(body.get("appKey"), str):
        return _refuse("appKey is mandatory", 400)
    try:
        app_key = crypto.app_key_unwrap(body["appKey"])
    except crypto.SimCryptoError as exc:
        return _refuse(str(exc), 400)
    session = sim_session_open(client_id=client_id)
    return JsonResponse({"status": 1, "authToken": session.token, "sek": crypto.aes_encrypt(app_key, session.sek)})


@simulator_only
@csrf_exempt
@require_POST
def service_data(request):
    session = sim_session_get(token=request.headers.get("authToken", ""))
    if session is None:
        return _refuse(NO_SESSION_MESSAGE, 401)
    body = _json_body(request)
    if body is None or not isinstance(body.get("params"), str) or not isinstance(body.get("rek"), str):
        return _refuse("params and rek are mandatory", 400)
    sek = bytes(session.sek)
    try:
        rek = crypto.aes_decrypt(sek, body["rek"])
        envelope = json.loads(crypto.aes_decrypt(sek, body["params"]))
    except (crypto.SimCryptoError, ValueError):
        return _refuse(NO_SESSION_MESSAGE, 401)
    if not isinstance(envelope, dict) or len(rek) != 32:
        return _refuse("params must decrypt to {serviceId, params}", 400)
    try:
        answer = sim_service_answer(service_id=str(envelope.get("serviceId")), params=envelope.get("params"))
    except SimNoResponse:
        return HttpResponse(status=504)
    plain = json.dumps(answer.as_json()).encode()
    return HttpResponse(crypto.aes_encrypt(rek, plain), content_type="text/plain")


@simulator_only
@csrf_exempt
@require_POST
def scenario_set(request):
    """`POST /simulators/jit/scenarios` `{service, mode, errorMessage, failBenfIds, holdBenfIds, failedReason,
    remainingCalls}`: how the treasury answers that service from now on."""
    body = _json_body(request)
    if body is None or body.get("service") not in SERVICES:
        return _refuse("service must be one of VA PI PIS PAG PD FD COR FTPS FTFPS", 400)
    mode = body.get("mode", SimScenario.Mode.SUCCESS)
    if mode not in SimScenario.Mode.values:
        return _refuse(f"mode must be one of {', '.join(SimScenario.Mode.values)}", 400)
    if mode == SimScenario.Mode.ERROR and not body.get("errorMessage"):
        return _refuse("errorMessage is mandatory for mode ERROR", 400)
    scenario = sim_scenario_set(
        service=body["service"],
        mode=mode,
        error_message=str(body.get("errorMessage", "")),
        fail_benf_ids=[str(item) for item in body.get("failBenfIds", [])],
        hold_benf_ids=[str(item) for item in body.get("holdBenfIds", [])],
        failed_reason=str(body.get("failedReason") or "Account does not exist"),
        remaining_calls=body.get("remainingCalls"),
    )
    return JsonResponse({"service": scenario.service, "mode": scenario.mode})
