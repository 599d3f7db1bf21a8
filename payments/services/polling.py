"""Calling JIT-FS for one PI, and scheduled runs over every PI due for a service.

The transition table (MUKTASoft ifms-adapter §4, with Kosh's fixes) as code, one `ServiceSpec` per service:

service  PIs (type, status)        answer                 PI →                                beneficiaries →
PI       ORIGINAL PENDING          accepted               INITIATED; replaced PI → COMPLETED  Initiated
                                   JIT error              FAILED, inactive, funds reversed    Failed
COR      REVISED PENDING           accepted               INITIATED; replaced PI → COMPLETED  Initiated
                                   JIT error              FAILED, inactive; replaced PARTIAL  Failed
PIS      ORIGINAL INITIATED        approved (pmtInstId)   APPROVED                            –
                                   "… <PI> … rejected …"  FAILED, inactive, funds reversed    Failed
PAG      ORIGINAL APPROVED         advice                 IN PROCESS                          In Process
PD       ORIGINAL IN PROCESS       paid benfIds           SUCCESSFUL once all are paid        listed → Successful
FTPS     REVISED INITIATED         paid benfIds           SUCCESSFUL once all are paid        listed → Successful
FTFPS    REVISED SUCCESSFUL        failed benfIds         PARTIAL                             listed → Failed
FD       ORIGINAL SUCCESSFUL or PARTIAL, in bulk (payments.services.failures): as FTFPS

Every other outcome — no response, a JIT error for a polling service, refused credentials — leaves PI and
beneficiaries as they are and only records the call and its message. Calls are made with no row locked; the
answer is applied in one transaction that locks the PI and re-checks its status, so a late or repeated answer
is a no-op. Scheduled runs claim PIs with SELECT … FOR UPDATE SKIP LOCKED and a lease, so two workers never
poll one PI."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from core.errors import ApplicationError
from core.models import User
from core.services.audit import audit_record
from payments.clients.jit import JitProtocolError
from payments.clients.jit_messages import (
    CorBeneficiaryLine,
    CorRequest,
    FtfpsRequest,
    FtpsRequest,
    PagRequest,
    PdRequest,
    PiBeneficiaryLine,
    PiRequest,
    PisRequest,
    acknowledgement,
    failed_bills,
    pag_advice,
    payment_details,
    pis_approval,
)
from payments.models import (
    Allotment,
    HeadOfAccount,
    JitCall,
    JitOutcome,
    JitService,
    PaymentInstruction,
    PIBeneficiary,
    PIStatusLog,
)
from payments.services.calls import (
    JitExchange,
    ist_naive,
    jit_app_name,
    jit_call_build,
    jit_exchange,
    pi_status_log_build,
    status_result_of,
)
from payments.services.funds import funds_reverse
from payments.services.instructions import expense_payment_status_refresh
from payments.services.sms import beneficiary_status_sms_queue

Status = PaymentInstruction.Status
Type = PaymentInstruction.Type
Benf = PIBeneficiary.Status


@dataclass
class Applied:
    """What an answer did: the status-log result (`SUCCESS`, `REJECTED` …) and the beneficiaries it changed."""

    result: str = "SUCCESS"
    changed: list[PIBeneficiary] = field(default_factory=list)
    # Other PIs whose page shows this call too (COR: the PI being replaced).
    also_log: list[PaymentInstruction] = field(default_factory=list)


@dataclass(frozen=True)
class ServiceSpec:
    service: str
    pi_type: str
    status: str
    request: Callable[[PaymentInstruction], object]
    parse: Callable
    apply: Callable[[PaymentInstruction, object], Applied]
    # A JIT error answer that changes the PI (PI/COR refused, PIS rejected); None: errors change nothing.
    on_error: Callable[[PaymentInstruction, JitExchange], Applied | None] | None = None

    def due(self):
        """The PIs this service polls now."""
        due = Q(pi_type=self.pi_type, status=self.status)
        if self.service == JitService.FTFPS:
            since = timezone.now() - timedelta(days=settings.KOSH_JIT_FAILED_PAYMENTS_LOOKBACK_DAYS)
            due &= Q(paid_at__gte=since)
        return due

    def matches(self, pi: PaymentInstruction) -> bool:
        return pi.pi_type == self.pi_type and pi.status == self.status


@dataclass(frozen=True)
class PollResult:
    pi_id: int
    service: str
    outcome: str | None
    message: str
    from_status: str
    to_status: str

    @property
    def skipped(self) -> bool:
        return self.outcome is None


# --- One PI ---------------------------------------------------------------------------------


@dataclass
class _Answer:
    pi_id: int
    exchange: JitExchange
    parsed: object = None


_POLL_RELATED = ("advice", "spending_unit", "parent__advice", "replaces__advice", "tenant")


def pi_poll(
    *, pi_id: int, service: str, attempt: int = 1, claimed: bool = False, actor: User | None = None
) -> PollResult:
    """Call `service` for one PI and apply the answer. Skipped when another worker holds the PI or the PI has
    moved past the service. `claimed`: the caller (a scheduled run) already holds the PI's lease."""
    if not claimed and not _pi_claim(pi_id):
        return PollResult(pi_id, service, None, "This PI is being polled by another worker.", "", "")
    return pis_poll(pi_ids=[pi_id], service=service, attempt=attempt, actor=actor)[0]


def pis_poll(*, pi_ids: list[int], service: str, attempt: int = 1, actor: User | None = None) -> list[PollResult]:
    """Call `service` for each of the PIs (whose leases the caller holds), one after the other, then apply the
    answers in one transaction. A PI that moved past the service meanwhile is skipped."""
    spec = SPECS[service]
    answers, results = [], []
    try:
        pis = PaymentInstruction.objects.select_related(*_POLL_RELATED).filter(pk__in=pi_ids).order_by("id")
        for pi in pis:
            if not spec.matches(pi):
                note = f"{pi.pi_number} is {pi.status}: no {service} call"
                results.append(PollResult(pi.pk, service, None, note, pi.status, pi.status))
                continue
            exchange = jit_exchange(service=service, params=spec.request(pi).to_params(), attempt=attempt)
            answer = _Answer(pi.pk, exchange)
            if exchange.outcome == JitOutcome.SUCCESS:
                try:
                    answer.parsed = spec.parse(exchange.response)
                except JitProtocolError as exc:
                    exchange.outcome_downgrade(exc.message)
            answers.append(answer)
        if answers:
            results.extend(_answers_apply(spec=spec, answers=answers, actor=actor))
    finally:
        # Leases of PIs whose answers were not applied (skipped, or an error on the way) end here.
        PaymentInstruction.objects.filter(pk__in=pi_ids, poll_lease_until__isnull=False).update(poll_lease_until=None)
    return results


@transaction.atomic
def _answers_apply(*, spec: ServiceSpec, answers: list[_Answer], actor) -> list[PollResult]:
    """Keep every call and apply every answer: the PIs are locked (in id order) and re-checked, so an answer
    for a PI that moved on meanwhile is kept but changes nothing."""
    _commit_without_flush_wait()
    locked = {
        pi.pk: pi
        for pi in PaymentInstruction.objects.select_for_update(of=("self",))
        .select_related("advice")
        .filter(pk__in=[answer.pi_id for answer in answers])
        .order_by("id")
    }
    calls = JitCall.objects.bulk_create(
        jit_call_build(exchange=answer.exchange, tenant_id=locked[answer.pi_id].tenant_id, pi=locked[answer.pi_id])
        for answer in answers
    )
    logs, results = [], []
    for answer, call in zip(answers, calls, strict=True):
        pi, exchange = locked[answer.pi_id], answer.exchange
        from_status = pi.status
        applied = None
        if spec.matches(pi):
            if exchange.outcome == JitOutcome.SUCCESS:
                applied = spec.apply(pi, answer.parsed)
            elif exchange.outcome == JitOutcome.ERROR and exchange.response is not None and spec.on_error:
                applied = spec.on_error(pi, exchange)
        result = applied.result if applied else status_result_of(exchange.outcome)
        logs.extend(
            pi_status_log_build(
                pi=logged,
                service=spec.service,
                result=result,
                outcome=exchange.outcome,
                message=exchange.message,
                call=call,
            )
            for logged in [pi, *(applied.also_log if applied else [])]
        )
        if pi.status != from_status:
            audit_record(
                actor=actor, entity=pi, action=f"JIT_{spec.service}", from_state=from_status, to_state=pi.status
            )
            expense_payment_status_refresh(payment=pi.payment)
        if applied and applied.changed:
            beneficiary_status_sms_queue(pi=pi, service=spec.service, beneficiaries=applied.changed)
        results.append(PollResult(pi.pk, spec.service, exchange.outcome, exchange.message, from_status, pi.status))
    PIStatusLog.objects.bulk_create(logs)
    PaymentInstruction.objects.filter(pk__in=locked).update(polled_at=timezone.now(), poll_lease_until=None)
    return results


def _commit_without_flush_wait() -> None:
    """PostgreSQL: this transaction commits without waiting for its WAL flush. A crash can lose only the last
    few answers' transactions whole (never half of one), and a lost answer is simply asked for again: the PI
    keeps its status, so the next poll repeats the call and re-applies it. A poll does not wait on the disk."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _pi_claim(pi_id: int) -> bool:
    now = timezone.now()
    return bool(
        PaymentInstruction.objects.filter(pk=pi_id)
        .filter(Q(poll_lease_until__isnull=True) | Q(poll_lease_until__lt=now))
        .update(poll_lease_until=now + timedelta(seconds=settings.KOSH_JIT_POLL_LEASE_SECONDS))
    )


def pi_refresh(*, pi: PaymentInstruction, actor: User | None) -> PollResult:
    """Refresh: the call the PI is waiting for, now (FD for a paid original: one bulk call)."""
    service = pi_next_service(pi=pi)
    if service is None:
        raise ApplicationError(
            "PI_NOTHING_TO_REFRESH", f"{pi.pi_number} is {pi.get_status_display()}: JIT-FS has nothing more to say"
        )
    if service == JitService.FD:
        from payments.services.failures import fd_run

        fd_run(actor=actor)
        latest = pi.status_logs.filter(service=JitService.FD).first()
        pi.refresh_from_db()
        return PollResult(
            pi.pk, service, latest.outcome if latest else None, latest.message if latest else "", "", pi.status
        )
    result = pi_poll(pi_id=pi.pk, service=service, actor=actor)
    if result.skipped and result.from_status == "":
        raise ApplicationError("PI_BUSY", result.message, status=409)
    return result


def pi_next_service(*, pi: PaymentInstruction) -> str | None:
    for spec in SPECS.values():
        if spec.matches(pi):
            return spec.service
    if pi.pi_type == Type.ORIGINAL and pi.status in (Status.SUCCESSFUL, Status.PARTIAL):
        return JitService.FD
    return None


# --- Scheduled runs -------------------------------------------------------------------------


@dataclass
class RunSummary:
    service: str
    polled: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    retry_queued: list[int] = field(default_factory=list)


def pis_claim(*, service: str, started_at, limit: int, tenant_id: str | None = None) -> list[int]:
    """Claim up to `limit` PIs due for `service` that this run has not polled yet. Rows another worker is
    claiming are skipped (SKIP LOCKED); claimed rows carry a lease until polled."""
    spec = SPECS[service]
    now = timezone.now()
    with transaction.atomic():
        due = (
            PaymentInstruction.objects.filter(spec.due())
            .filter(Q(polled_at__isnull=True) | Q(polled_at__lt=started_at))
            .filter(Q(poll_lease_until__isnull=True) | Q(poll_lease_until__lt=now))
            .order_by("id")
        )
        if tenant_id:
            due = due.filter(tenant_id=tenant_id)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        ids = list(due.values_list("id", flat=True)[:limit])
        if ids:
            PaymentInstruction.objects.filter(pk__in=ids).update(
                poll_lease_until=now + timedelta(seconds=settings.KOSH_JIT_POLL_LEASE_SECONDS)
            )
    return ids


def jit_poll_run(*, service: str, tenant_id: str | None = None) -> RunSummary:
    """One scheduled run of `service` over every PI due for it. PIs that got no answer are tried again later in
    the run (the `payments.pi_poll` task, with backoff) and by the next run."""
    started_at = timezone.now()
    summary = RunSummary(service=service)
    while ids := pis_claim(
        service=service, started_at=started_at, limit=settings.KOSH_JIT_POLL_BATCH_SIZE, tenant_id=tenant_id
    ):
        for result in pis_poll(pi_ids=ids, service=service):
            summary.polled += 1
            key = str(result.outcome) if result.outcome else "SKIPPED"
            summary.outcomes[key] = summary.outcomes.get(key, 0) + 1
            if result.outcome == JitOutcome.NO_RESPONSE:
                summary.retry_queued.append(result.pi_id)
    if summary.retry_queued and settings.KOSH_JIT_POLL_RETRIES > 0:
        from payments.tasks import pi_poll_task

        for pi_id in summary.retry_queued:
            transaction.on_commit(
                partial(
                    pi_poll_task.apply_async,
                    kwargs={"pi_id": pi_id, "service": service},
                    countdown=settings.KOSH_JIT_POLL_RETRY_BACKOFF_SECONDS,
                )
            )
    return summary


# --- Requests -------------------------------------------------------------------------------


def _pi_request(pi: PaymentInstruction) -> PiRequest:
    unit = pi.spending_unit
    head = HeadOfAccount.objects.filter(tenant_id=pi.tenant.state_code, code=pi.hoa_code).first()
    allotment = (
        pi.sanction.allotments.exclude(transaction_type=Allotment.Type.WITHDRAWAL).order_by("-serial_number").first()
    )
    purpose = jit_app_name()
    return PiRequest(
        jit_bill_no=pi.pi_number,
        jit_bill_date=ist_naive(pi.pi_date),
        ddo_code=unit.ddo_code,
        grantee_ag_code=unit.grantee_ag_code,
        scheme_code=head.scheme_code if head else "",
        hoa=pi.hoa_code,
        ssu_ia_id=unit.ssu_id,
        master_allotment_id=pi.master_allotment_id,
        ssu_allotment_id=allotment.ssu_allotment_id if allotment else "",
        allotment_txn_sl_no=allotment.serial_number if allotment else "",
        gross_amount=pi.gross_amount,
        net_amount=pi.net_amount,
        purpose=purpose,
        beneficiaries=tuple(
            PiBeneficiaryLine(
                benef_id=b.beneficiary_number,
                name=b.account_holder_name,
                account_number=b.account_number,
                ifsc=b.ifsc,
                # Deduction heads have no phone; JIT wants a number all the same.
                mobile_number=b.mobile_number or "9999999999",
                address=b.payee.address,
                account_type=b.account_type,
                amount=b.amount,
                purpose=f"{purpose.title()} Payment",
            )
            for b in pi.beneficiaries.select_related("payee").order_by("id")
        ),
    )


def _cor_request(pi: PaymentInstruction) -> CorRequest:
    original, source = pi.parent, pi.replaces
    originals = {b.beneficiary_number: b for b in original.beneficiaries.all()}
    currents = {b.beneficiary_number: b for b in source.beneficiaries.all()}
    source_ref = source.advice.bill_ref_number
    return CorRequest(
        jit_cor_bill_no=pi.pi_number,
        jit_cor_bill_date=ist_naive(pi.pi_date),
        dept_code=jit_app_name(),
        original_bill_ref_no=original.advice.bill_ref_number,
        original_bill_no=original.pi_number,
        original_bill_date=ist_naive(original.pi_date),
        beneficiaries=tuple(
            CorBeneficiaryLine(
                benef_id=b.beneficiary_number,
                current_bill_ref_no=source_ref,
                original_account_number=originals[b.beneficiary_number].account_number,
                original_ifsc=originals[b.beneficiary_number].ifsc,
                corrected_account_number=b.account_number,
                corrected_ifsc=b.ifsc,
                current_account_number=currents[b.beneficiary_number].account_number,
                current_ifsc=currents[b.beneficiary_number].ifsc,
            )
            for b in pi.beneficiaries.order_by("id")
        ),
    )


def _pis_request(pi: PaymentInstruction) -> PisRequest:
    return PisRequest(
        jit_bill_no=pi.pi_number, jit_bill_date=ist_naive(pi.pi_date).date(), ssu_ia_id=pi.spending_unit.ssu_id
    )


def _pag_request(pi: PaymentInstruction) -> PagRequest:
    return PagRequest(
        pmt_inst_id=pi.approved_id,
        pmt_inst_date=pi.approval_date,
        bill_no=pi.pi_number,
        bill_date=ist_naive(pi.pi_date).date(),
        ssu_ia_id=pi.spending_unit.ssu_id,
    )


def _pd_request(pi: PaymentInstruction) -> PdRequest:
    advice = pi.advice
    return PdRequest(
        fin_year=advice.fin_year,
        ext_app_name=jit_app_name(),
        bill_ref_no=advice.bill_ref_number,
        token_number=advice.token_number,
        token_date=advice.token_date,
    )


def _ftps_request(pi: PaymentInstruction) -> FtpsRequest:
    original = pi.parent
    return FtpsRequest(
        jit_cor_bill_no=pi.pi_number,
        jit_cor_bill_date=ist_naive(pi.pi_date),
        dept_code=jit_app_name(),
        original_bill_ref_no=original.advice.bill_ref_number,
        original_bill_no=original.pi_number,
        original_bill_date=ist_naive(original.pi_date),
    )


def _ftfps_request(pi: PaymentInstruction) -> FtfpsRequest:
    # The revised PI's own bill reference and token, which FTPS stored on its advice.
    advice = pi.advice
    return FtfpsRequest(
        jit_cor_bill_no=pi.pi_number,
        jit_cor_bill_date=ist_naive(pi.pi_date),
        bill_ref_no=advice.bill_ref_number,
        token_number=advice.token_number,
        token_date=advice.token_date,
    )


# --- Answers --------------------------------------------------------------------------------


def _beneficiaries_set(pi: PaymentInstruction, status: str, *, message: str = "") -> None:
    pi.beneficiaries.update(payment_status=status, status_message=message, updated_at=timezone.now())


def _pi_fail(pi: PaymentInstruction, error: str, *, reverse_funds: bool) -> None:
    pi.status, pi.is_active, pi.error_text = Status.FAILED, False, error
    pi.save(update_fields=["status", "is_active", "error_text", "updated_at"])
    _beneficiaries_set(pi, Benf.FAILED, message=error[:300])
    if reverse_funds:
        funds_reverse(pi=pi)


def _pi_accepted(pi: PaymentInstruction, ack) -> Applied:
    """PI or COR accepted: INITIATED. A PI that replaces a PARTIAL one (a revision, or a fresh original made
    after the revision window) closes it: COMPLETED."""
    if ack is None:
        return Applied(result="SUCCESS")
    pi.status = Status.INITIATED
    pi.success_code, pi.success_description = ack.success_code, ack.success_description[:300]
    pi.save(update_fields=["status", "success_code", "success_description", "updated_at"])
    _beneficiaries_set(pi, Benf.INITIATED)
    applied = Applied()
    if pi.replaces_id:
        replaced = PaymentInstruction.objects.select_for_update().get(pk=pi.replaces_id)
        if replaced.status == Status.PARTIAL:
            replaced.status = Status.COMPLETED
            replaced.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=None,
                entity=replaced,
                action=f"JIT_{'COR' if pi.pi_type == Type.REVISED else 'PI'}",
                from_state=Status.PARTIAL,
                to_state=Status.COMPLETED,
            )
        applied.also_log.append(replaced)
    return applied


def _pi_refused(pi: PaymentInstruction, exchange: JitExchange) -> Applied:
    _pi_fail(pi, exchange.error, reverse_funds=True)
    return Applied(result="ERROR", also_log=[pi.replaces] if pi.replaces_id else [])


def _cor_refused(pi: PaymentInstruction, exchange: JitExchange) -> Applied:
    pi.status, pi.is_active, pi.error_text = Status.FAILED, False, exchange.error
    pi.save(update_fields=["status", "is_active", "error_text", "updated_at"])
    # The beneficiaries keep the failure they were revised for.
    previous = dict(pi.replaces.beneficiaries.values_list("beneficiary_number", "failed_reason"))
    for beneficiary in pi.beneficiaries.all():
        beneficiary.payment_status = Benf.FAILED
        beneficiary.failed_reason = previous.get(beneficiary.beneficiary_number, "")
        beneficiary.status_message = beneficiary.failed_reason
        beneficiary.save(update_fields=["payment_status", "failed_reason", "status_message", "updated_at"])
    return Applied(result="ERROR", also_log=[pi.replaces])


def _pis_approved(pi: PaymentInstruction, approval) -> Applied:
    if approval is None:
        return Applied()
    pi.status, pi.approved_id, pi.approval_date = Status.APPROVED, approval.pmt_inst_id, approval.pay_inst_date
    pi.save(update_fields=["status", "approved_id", "approval_date", "updated_at"])
    return Applied()


def _pis_error(pi: PaymentInstruction, exchange: JitExchange) -> Applied | None:
    """A rejection names the bill and says "rejected"; any other error changes nothing."""
    text = exchange.error or ""
    if pi.pi_number in text and "rejected" in text.lower():
        _pi_fail(pi, text, reverse_funds=True)
        return Applied(result="REJECTED")
    return None


def _pag_advised(pi: PaymentInstruction, advice) -> Applied:
    if advice is None:
        return Applied()
    record = pi.advice
    record.fin_year, record.advice_id, record.advice_date = advice.fin_year, advice.advice_id, advice.advice_date
    record.bill_ref_number, record.token_number = advice.online_bill_ref_no, advice.token_number
    record.token_date = advice.token_date
    record.save()
    pi.status = Status.IN_PROCESS
    pi.save(update_fields=["status", "updated_at"])
    _beneficiaries_set(pi, Benf.IN_PROCESS)
    return Applied()


def _paid_apply(pi: PaymentInstruction, details: list, *, revised: bool) -> Applied:
    """PD/FTPS: the listed beneficiaries are paid; the PI is SUCCESSFUL once every beneficiary is.
    Beneficiaries missing from the answer stay as they are."""
    mine = [item for item in details if item.bill_no == pi.pi_number]
    changed = []
    for item in mine:
        if revised and item.bill_ref_no:
            advice = pi.advice
            advice.bill_ref_number, advice.token_number, advice.token_date = (
                item.bill_ref_no,
                item.token_number,
                item.token_date,
            )
            advice.save(update_fields=["bill_ref_number", "token_number", "token_date", "updated_at"])
        paid = {entry.benf_id: entry for entry in item.beneficiaries}
        for beneficiary in pi.beneficiaries.select_for_update().filter(beneficiary_number__in=paid).order_by("id"):
            if beneficiary.payment_status == Benf.SUCCESSFUL:
                continue
            entry = paid[beneficiary.beneficiary_number]
            beneficiary.payment_status = Benf.SUCCESSFUL
            beneficiary.status_message = item.payment_status[:300]
            beneficiary.voucher_number, beneficiary.voucher_date = item.voucher_number, item.voucher_date
            beneficiary.utr_number, beneficiary.utr_date = entry.utr_number, entry.utr_date
            beneficiary.end_to_end_id = entry.end_to_end_id
            beneficiary.save()
            changed.append(beneficiary)
    if mine and not pi.beneficiaries.exclude(payment_status=Benf.SUCCESSFUL).exists():
        pi.status, pi.paid_at = Status.SUCCESSFUL, timezone.now()
        pi.save(update_fields=["status", "paid_at", "updated_at"])
    return Applied(changed=changed)


def failed_apply(pi: PaymentInstruction, bills: list) -> Applied:
    """FD/FTFPS: the listed beneficiaries that were paid have failed; the PI becomes PARTIAL. A beneficiary
    already failed is left alone, so a repeated report changes nothing (and sends no second SMS)."""
    changed = []
    for item in bills:
        if item.bill_no != pi.pi_number:
            continue
        failed = {entry.benf_id: entry for entry in item.beneficiaries}
        for beneficiary in pi.beneficiaries.select_for_update().filter(beneficiary_number__in=failed).order_by("id"):
            if beneficiary.payment_status != Benf.SUCCESSFUL:
                continue
            entry = failed[beneficiary.beneficiary_number]
            beneficiary.payment_status = Benf.FAILED
            beneficiary.failed_reason = entry.failed_reason[:300]
            beneficiary.status_message = entry.failed_reason[:300]
            beneficiary.challan_number, beneficiary.challan_date = entry.challan_number, entry.challan_date
            beneficiary.utr_number = entry.utr_number or beneficiary.utr_number
            beneficiary.save()
            changed.append(beneficiary)
    if changed and pi.status != Status.PARTIAL:
        pi.status = Status.PARTIAL
        pi.save(update_fields=["status", "updated_at"])
    return Applied(changed=changed)


SPECS: dict[str, ServiceSpec] = {
    spec.service: spec
    for spec in (
        ServiceSpec(
            JitService.PI,
            Type.ORIGINAL,
            Status.PENDING,
            _pi_request,
            partial(acknowledgement, bill_no_field="jitBillNo"),
            _pi_accepted,
            _pi_refused,
        ),
        ServiceSpec(
            JitService.COR,
            Type.REVISED,
            Status.PENDING,
            _cor_request,
            partial(acknowledgement, bill_no_field="jitCorBillNo"),
            _pi_accepted,
            _cor_refused,
        ),
        ServiceSpec(
            JitService.PIS, Type.ORIGINAL, Status.INITIATED, _pis_request, pis_approval, _pis_approved, _pis_error
        ),
        ServiceSpec(JitService.PAG, Type.ORIGINAL, Status.APPROVED, _pag_request, pag_advice, _pag_advised),
        ServiceSpec(
            JitService.PD,
            Type.ORIGINAL,
            Status.IN_PROCESS,
            _pd_request,
            partial(payment_details, bill_no_field="billNumber"),
            partial(_paid_apply, revised=False),
        ),
        ServiceSpec(
            JitService.FTPS,
            Type.REVISED,
            Status.INITIATED,
            _ftps_request,
            partial(payment_details, bill_no_field="jitCorBillNo"),
            partial(_paid_apply, revised=True),
        ),
        ServiceSpec(
            JitService.FTFPS,
            Type.REVISED,
            Status.SUCCESSFUL,
            _ftfps_request,
            partial(failed_bills, bill_no_field="jitCorBillNo"),
            failed_apply,
        ),
    )
}


def pi_repush_run() -> dict:
    """PIs (PI) and revised PIs (COR) still PENDING — no answer yet — pushed again under the same number."""
    return {service: jit_poll_run(service=service).outcomes for service in (JitService.PI, JitService.COR)}
