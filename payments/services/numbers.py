"""Numbers of payments, PIs and beneficiaries, through Kosh's id generation. The formats are the MUKTASoft ones;
they are written at state level the first time a number is needed, and an administrator may change them."""

from core.models import IdFormat
from core.selectors import tenant_get
from core.services.idgen import id_generate

PAYMENT_NUMBER = "payments.expense_payment"
PI_NUMBER = "payments.pi"
REVISED_PI_NUMBER = "payments.pi.revised"
BENEFICIARY_NUMBER = "payments.beneficiary"

DEFAULT_FORMATS = {
    PAYMENT_NUMBER: ("EP-[CITY.CODE]/[fy:yyyy-yy]/[SEQ]", IdFormat.Reset.FINANCIAL_YEAR),
    PI_NUMBER: ("PI-[CITY.CODE]/[fy:yyyy-yy]/[SEQ]", IdFormat.Reset.FINANCIAL_YEAR),
    REVISED_PI_NUMBER: ("COR-[CITY.CODE]/[fy:yyyy-yy]/[SEQ]", IdFormat.Reset.FINANCIAL_YEAR),
    BENEFICIARY_NUMBER: ("BN-[CITY.CODE]/[SEQ]", IdFormat.Reset.NEVER),
}


def payments_number_next(*, tenant_id: str, name: str) -> str:
    """The next number of kind `name` for a city. Call inside the transaction that stores it (gap-free)."""
    tenant = tenant_get(code=tenant_id)
    if not IdFormat.objects.filter(name=name, tenant_id__in=[tenant.code, tenant.state_code]).exists():
        text, reset = DEFAULT_FORMATS[name]
        IdFormat.objects.get_or_create(
            tenant_id=tenant.state_code, name=name, defaults={"format": text, "reset": reset}
        )
    return id_generate(tenant_id=tenant.code, name=name)
