"""FD: failed payments of original PIs, asked for in bulk (one call covers every PI paid in the lookback).

Each failed bill in the answer is matched to its PI by number among originals that are SUCCESSFUL or PARTIAL
(a second report for a PARTIAL PI counts too). Every PI the call covers gets the call's message."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.fiscal import financial_year_start
from core.models import User
from core.services.audit import audit_record
from payments.clients.jit import JitProtocolError
from payments.clients.jit_messages import FdRequest, failed_bills
from payments.models import JitOutcome, JitService, PaymentInstruction
from payments.services.calls import IST, jit_app_name, jit_call_record, jit_exchange, pi_status_log_write
from payments.services.instructions import expense_payment_status_refresh
from payments.services.polling import failed_apply
from payments.services.sms import beneficiary_status_sms_queue

FD_STATUSES = (PaymentInstruction.Status.SUCCESSFUL, PaymentInstruction.Status.PARTIAL)


@dataclass(frozen=True)
class FdRunSummary:
    outcome: str
    message: str
    pis_covered: int
    pis_changed: int


def fd_run(*, actor: User | None = None) -> FdRunSummary:
    now = timezone.localtime(timezone.now(), IST)
    since = now - timedelta(days=settings.KOSH_JIT_FAILED_PAYMENTS_LOOKBACK_DAYS)
    request = FdRequest(
        fin_year=str(financial_year_start(now.date())), ext_app_name=jit_app_name(), voucher_date=since.date()
    )
    exchange = jit_exchange(service=JitService.FD, params=request.to_params())
    bills = []
    if exchange.outcome == JitOutcome.SUCCESS:
        try:
            bills = failed_bills(exchange.response, bill_no_field="billNumber")
        except JitProtocolError as exc:
            exchange.outcome_downgrade(exc.message)
    changed = 0
    with transaction.atomic():
        call = jit_call_record(exchange=exchange, tenant_id=None, pi=None)
        listed = {item.bill_no for item in bills}
        # Every PI paid within the lookback gets the call's message; a bill the treasury lists is matched even if
        # it was paid before that.
        covered = list(
            PaymentInstruction.objects.select_for_update()
            .filter(pi_type=PaymentInstruction.Type.ORIGINAL, status__in=FD_STATUSES)
            .filter(Q(paid_at__gte=since) | Q(pi_number__in=listed))
            .order_by("id")
        )
        for pi in covered:
            from_status = pi.status
            result = "SUCCESS" if exchange.outcome == JitOutcome.SUCCESS else exchange.outcome
            if exchange.outcome == JitOutcome.SUCCESS and pi.pi_number in listed:
                applied = failed_apply(pi, bills)
                changed += bool(applied.changed)
                beneficiary_status_sms_queue(pi=pi, service=JitService.FD, beneficiaries=applied.changed)
            pi_status_log_write(
                pi=pi,
                service=JitService.FD,
                result=result,
                outcome=exchange.outcome,
                message=exchange.message,
                call=call,
            )
            if pi.status != from_status:
                audit_record(actor=actor, entity=pi, action="JIT_FD", from_state=from_status, to_state=pi.status)
                expense_payment_status_refresh(payment=pi.payment)
    return FdRunSummary(exchange.outcome, exchange.message, len(covered), changed)
