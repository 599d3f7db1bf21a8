"""SMS to beneficiaries whose payment status JIT-FS just changed (never on a poll that changed nothing)."""

from notifications.services import sms_enqueue
from notifications.services.templates import JIT_PAYMENT_FAILED, JIT_PAYMENT_SUCCESSFUL
from payments.models import PaymentInstruction, PIBeneficiary


def beneficiary_status_sms_queue(*, pi: PaymentInstruction, service: str, beneficiaries: list[PIBeneficiary]) -> int:
    """Queue `JIT_PAYMENT_SUCCESSFUL` (PD, FTPS) or `JIT_PAYMENT_FAILED` (FD, FTFPS) to each beneficiary with a
    phone, in the caller's transaction. The event key names the service, PI, benfId and outcome, so an answer
    applied twice sends one SMS."""
    queued = 0
    for beneficiary in beneficiaries:
        if not beneficiary.mobile_number:
            continue  # deduction heads have no phone
        failed = beneficiary.payment_status == PIBeneficiary.Status.FAILED
        sms_enqueue(
            template=JIT_PAYMENT_FAILED if failed else JIT_PAYMENT_SUCCESSFUL,
            to=beneficiary.mobile_number,
            context={
                "amount": f"{beneficiary.amount:.2f}",
                "UTRNO": beneficiary.utr_number or beneficiary.end_to_end_id or beneficiary.beneficiary_number,
            },
            event_key=f"jit:{service}:{pi.pi_number}:{beneficiary.beneficiary_number}:"
            f"{'failed' if failed else 'successful'}",
            tenant=pi.tenant_id,
        )
        queued += 1
    return queued
