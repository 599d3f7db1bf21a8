"""The simulated sponsor bank's HTTP API: JSON in and out, an API key in `X-Bank-Api-Key`, amounts as decimal
strings, errors as `{"status": "ERROR", "error_code", "error_message"}` with a 4xx status."""

import hmac
import json
from decimal import Decimal
from functools import wraps

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from core.errors import ApplicationError
from core.money import to_amount
from simulators.bank import services
from simulators.bank.models import SimAccount, SimStatement
from simulators.bank.services import BankError, PaymentItem


def _error(code: str, message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"status": "ERROR", "error_code": code, "error_message": message}, status=status)


def bank_api(view):
    """Checks the API key, reads the JSON body (numbers as Decimal), turns refusals into error answers."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        expected = settings.SIMULATOR_BANK_API_KEY
        given = request.headers.get("X-Bank-Api-Key", "")
        if expected and not hmac.compare_digest(given.encode(), expected.encode()):
            return _error("UNAUTHORIZED", "A valid X-Bank-Api-Key is required", status=401)
        body = {}
        if request.method == "POST":
            try:
                body = json.loads(request.body or b"{}", parse_float=Decimal)
            except (ValueError, UnicodeDecodeError):
                return _error("INVALID_JSON", "The body is not JSON")
            if not isinstance(body, dict):
                return _error("INVALID_JSON", "The body must be a JSON object")
        try:
            return view(request, body, *args, **kwargs)
        except BankError as exc:
            return _error(exc.code, exc.message, exc.status)
        except ApplicationError as exc:
            return _error(exc.code, exc.message)
        except (KeyError, TypeError, ArithmeticError) as exc:
            return _error("INVALID_REQUEST", f"Missing or malformed field: {exc}")

    return wrapper


def _amount(value, field: str, *, allow_zero: bool = False) -> Decimal:
    return to_amount(value, field=field, allow_zero=allow_zero)


def _share(value) -> Decimal:
    share = Decimal(str(value))
    if not 0 <= share <= 1:
        raise BankError("INVALID_REQUEST", "payment_failure_share: 0 to 1")
    return share


def _text(body: dict, field: str, *, required: bool = True) -> str:
    value = body.get(field, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise BankError("INVALID_REQUEST", f"{field}: text required")
    return value.strip()


def _idempotency_key(request) -> str:
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key or len(key) > 200:
        raise BankError("IDEMPOTENCY_KEY_REQUIRED", "Idempotency-Key: 1 to 200 characters")
    return key


@require_POST
@bank_api
def account_open_api(request, body):
    account = services.account_open(
        account_number=_text(body, "account_number"),
        holder_name=_text(body, "holder_name"),
        currency=_text(body, "currency", required=False) or "INR",
        balance=_amount(body.get("balance", "0"), "balance", allow_zero=True),
        payment_failure_share=_share(body.get("payment_failure_share", "0")),
    )
    return JsonResponse(_account_json(account), status=201)


@require_GET
@bank_api
def account_detail_api(request, body, account_number):
    return JsonResponse(_account_json(get_object_or_404(SimAccount, account_number=account_number)))


def _account_json(account: SimAccount) -> dict:
    return {
        "account_number": account.account_number,
        "holder_name": account.holder_name,
        "currency": account.currency,
        "balance": str(account.balance),
        "available_balance": str(services.account_available(account)),
        "payment_failure_share": str(account.payment_failure_share),
    }


@require_POST
@bank_api
def check_funds_api(request, body):
    answer = services.funds_check(
        account_number=_text(body, "account_number"),
        currency=_text(body, "account_currency"),
        amount=_amount(body.get("total_funds_needed"), "total_funds_needed", allow_zero=True),
    )
    return JsonResponse(answer)


@require_POST
@bank_api
def block_funds_api(request, body):
    block = services.funds_block(
        account_number=_text(body, "account_number"),
        currency=_text(body, "currency"),
        amount=_amount(body.get("amount"), "amount"),
        idempotency_key=_idempotency_key(request),
    )
    return JsonResponse({"status": "SUCCESS", "block_reference_no": block.reference, "amount": str(block.amount)})


@require_POST
@bank_api
def release_funds_api(request, body):
    block, released = services.funds_release(block_reference=_text(body, "block_reference_no"))
    return JsonResponse({"status": "SUCCESS", "block_reference_no": block.reference, "released_amount": str(released)})


@require_POST
@bank_api
def initiate_payment_api(request, body):
    payments = body.get("payments")
    if not isinstance(payments, list) or not payments:
        raise BankError("INVALID_REQUEST", "payments: a non-empty list is required")
    items = [
        PaymentItem(
            disbursement_id=_text(payment, "disbursement_id"),
            amount=_amount(payment.get("payment_amount"), f"payments[{index}].payment_amount"),
            beneficiary_account=_text(payment, "beneficiary_account", required=False),
            beneficiary_name=_text(payment, "beneficiary_name", required=False),
            narrative=_text(payment, "disbursement_narrative", required=False),
            program=_text(payment, "benefit_program_mnemonic", required=False),
            cycle=_text(payment, "cycle_code_mnemonic", required=False),
        )
        for index, payment in enumerate(payments)
    ]
    answer, replayed = services.payment_batch_book(
        account_number=_text(body, "remitting_account"),
        currency=_text(body, "remitting_account_currency"),
        block_reference=_text(body, "funds_blocked_reference_number"),
        items=items,
        idempotency_key=_idempotency_key(request),
    )
    return JsonResponse({**answer, "replayed": replayed})


@require_GET
@bank_api
def payment_status_api(request, body, idempotency_key):
    answer = services.payment_batch_status(idempotency_key=idempotency_key)
    if answer is None:
        return _error("BATCH_NOT_FOUND", "No batch was booked with that idempotency key", status=404)
    return JsonResponse(answer)


@require_POST
@bank_api
def generate_statement_api(request, body):
    """Write the statement of every unreported entry; `deliver: true` also posts it to the configured bridge."""
    statement = services.statement_generate(account_number=_text(body, "account_number"))
    if statement is None:
        return HttpResponse(status=204)
    if body.get("deliver") is True:
        services.statement_deliver(statement=statement)
    return _statement_response(statement)


@require_GET
@bank_api
def statement_download_api(request, body, reference):
    return _statement_response(get_object_or_404(SimStatement, reference=reference))


def _statement_response(statement: SimStatement) -> HttpResponse:
    response = HttpResponse(statement.content.encode(), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{statement.reference}.sta"'
    response["X-Statement-Reference"] = statement.reference
    return response
