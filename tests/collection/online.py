"""Online payments in tests: pg-service calls, and the payer's browser at the simulated gateway, over real HTTP."""

import json
from decimal import Decimal
from urllib.parse import urlsplit

import requests
from django.conf import settings

from billing.models import Bill
from collection.clients.simulator_gateway import sign
from tests.billing.factories import financial_year, raise_demand
from tests.collection.factories import bill_of

PG_CREATE_URL = "/pg-service/transaction/v1/_create"
PG_UPDATE_URL = "/pg-service/transaction/v1/_update"
PG_SEARCH_URL = "/pg-service/transaction/v1/_search"
GATEWAY = "SIMPG"
TIMEOUT = 20


def property_tax_bill(consumer: str = "PT-1", amount: str = "500", tenant: str = "pb.amritsar") -> Bill:
    """A property tax bill (a service that takes online payments)."""
    raise_demand(tenant=tenant, service="PT", consumer=consumer, heads={"PT_TAX": amount}, period=financial_year(2026))
    return bill_of(consumer=consumer, service="PT", tenant=tenant)


def transaction_body(bill: Bill, amount=None, **extra) -> dict:
    """A DIGIT `Transaction` paying `amount` (default: the whole bill) of one bill through the simulated gateway."""
    amount = str(Decimal(amount) if amount is not None else bill.total_amount)
    return {
        "tenantId": bill.tenant_id,
        "txnAmount": amount,
        "billId": str(bill.pk),
        "module": bill.business_service.code,
        "consumerCode": bill.consumer_code,
        "taxAndPayments": [{"billId": str(bill.pk), "amountPaid": amount}],
        "productInfo": "Property tax",
        "gateway": GATEWAY,
        "user": {"name": "Gurpreet Kaur", "mobileNumber": "9876500001", "uuid": "citizen-1"},
        **extra,
    }


def pay_page_choose(pay_url: str, outcome: str) -> str:
    """The payer opens the gateway's page and presses Pay, Decline or Cancel; the signed return address the
    gateway sends the browser to."""
    page = requests.get(pay_url, timeout=TIMEOUT)
    assert page.status_code == 200, page.text
    chosen = requests.post(pay_url, data={"outcome": outcome}, allow_redirects=False, timeout=TIMEOUT)
    assert chosen.status_code == 302, chosen.text
    return chosen.headers["Location"]


def browser_return(return_url: str) -> requests.Response:
    """The payer's browser arriving back at Kosh (its onward redirect not followed)."""
    return requests.get(return_url, allow_redirects=False, timeout=TIMEOUT)


def gateway_control(live_server_url: str, **controls) -> dict:
    """Tell the simulated gateway how to misbehave (`paidAmountDelta`, `statusUnavailable`), as its merchant."""
    url = f"{live_server_url}/simulators/pg/control"
    body = json.dumps(controls).encode()
    headers = {
        "X-Merchant-Id": settings.KOSH_PG_SIMULATOR_MERCHANT_ID,
        "X-Signature": sign(settings.KOSH_PG_SIMULATOR_SECRET, f"POST\n{urlsplit(url).path}\n".encode() + body),
        "Content-Type": "application/json",
    }
    response = requests.post(url, data=body, headers=headers, timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    return response.json()
