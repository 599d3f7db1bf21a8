"""Reads of the bridge, tenant-scoped, a fixed number of queries however many disbursements an envelope has."""

from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from bridge.models import (
    RECONCILED_STATUSES,
    SHIPPED_STATUSES,
    BankBatch,
    Disbursement,
    DisbursementRecon,
    Envelope,
    EnvelopeStage,
    ReviewItem,
    Statement,
)

ZERO = Decimal("0.00")
Status = Disbursement.Status


def envelope_counts(envelope_pks) -> dict[int, dict]:
    """Per envelope: how many disbursements are in each lifecycle status, and their amount. One query."""
    result: dict[int, dict] = {pk: {} for pk in envelope_pks}
    rows = (
        Disbursement.objects.filter(envelope_id__in=list(envelope_pks))
        .values_list("envelope_id", "status")
        .annotate(count=Count("id"), amount=Sum("amount"))
        .order_by()
    )
    for envelope_pk, status, count, amount in rows:
        result[envelope_pk][status] = (count, amount or ZERO)
    return {pk: _summary(by_status) for pk, by_status in result.items()}


def _summary(by_status: dict) -> dict:
    def total(statuses):
        count = sum(by_status.get(status, (0, ZERO))[0] for status in statuses)
        amount = sum((by_status.get(status, (0, ZERO))[1] for status in statuses), ZERO)
        return count, amount

    groups = {
        "received": Status.values,
        "pending": (Status.RECEIVED, Status.RESOLVED),
        "shipped": SHIPPED_STATUSES,
        "reconciled": RECONCILED_STATUSES,
        "paid": (Status.PAID,),
        "reversed": (Status.REVERSED,),
        "failed": (Status.FAILED,),
        "cancelled": (Status.CANCELLED,),
        "awaiting_statement": (Status.SHIPPED,),
    }
    summary = {}
    for name, statuses in groups.items():
        summary[f"{name}_count"], summary[f"{name}_amount"] = total(statuses)
    return summary


def envelope_stages(envelope: Envelope) -> list[EnvelopeStage]:
    order = {stage: index for index, stage in enumerate(EnvelopeStage.Stage.values)}
    return sorted(envelope.stages.all(), key=lambda row: order[row.stage])


def _funds_available(row: EnvelopeStage | None) -> str:
    if row is None or row.status == EnvelopeStage.Status.SKIPPED:
        return "NOT_APPLICABLE"
    if row.status == EnvelopeStage.Status.DONE:
        return "FUNDS_AVAILABLE"
    if row.last_error_code == "FUNDS_NOT_AVAILABLE":
        return "FUNDS_NOT_AVAILABLE"
    return "ERROR" if row.status == EnvelopeStage.Status.ERROR else "PENDING_CHECK"


def _funds_blocked(row: EnvelopeStage | None) -> str:
    if row is None or row.status == EnvelopeStage.Status.SKIPPED:
        return "NOT_APPLICABLE"
    if row.status == EnvelopeStage.Status.DONE:
        return "FUNDS_BLOCK_SUCCESS"
    if row.status == EnvelopeStage.Status.ERROR:
        return "ERROR"
    return "FUNDS_BLOCK_FAILURE" if row.last_error_code else "PENDING_CHECK"


def envelope_status_payload(envelope: Envelope) -> dict:
    """The anchor's disbursement_envelope_batch_statuses row, plus Kosh's counts, amounts and stages."""
    summary = envelope_counts([envelope.pk])[envelope.pk]
    stages = {row.stage: row for row in envelope.stages.all()}
    check, block = stages.get(EnvelopeStage.Stage.FUNDS_CHECK), stages.get(EnvelopeStage.Stage.FUNDS_BLOCK)
    return {
        "disbursement_envelope_id": envelope.envelope_id,
        "cancellation_status": envelope.cancellation_status,
        "number_of_disbursements_received": summary["received_count"],
        "total_disbursement_amount_received": summary["received_amount"],
        "funds_available_with_bank": _funds_available(check),
        "funds_available_latest_timestamp": check.updated_at.isoformat() if check else None,
        "funds_available_latest_error_code": check.last_error_code if check else "",
        "funds_available_attempts": check.attempts if check else 0,
        "funds_blocked_with_bank": _funds_blocked(block),
        "funds_blocked_latest_timestamp": block.updated_at.isoformat() if block else None,
        "funds_blocked_latest_error_code": block.last_error_code if block else "",
        "funds_blocked_attempts": block.attempts if block else 0,
        "funds_blocked_reference_number": block.reference if block else "",
        "id_mapper_resolution_required": envelope.program.id_mapper_resolution_required,
        "number_of_disbursements_shipped": summary["shipped_count"],
        "number_of_disbursements_reconciled": summary["reconciled_count"],
        "number_of_disbursements_reversed": summary["reversed_count"],
        "number_of_disbursements_paid": summary["paid_count"],
        "number_of_disbursements_failed": summary["failed_count"],
        "number_of_disbursements_cancelled": summary["cancelled_count"],
        "total_disbursement_amount_shipped": summary["shipped_amount"],
        "total_disbursement_amount_reconciled": summary["reconciled_amount"],
        "total_disbursement_amount_reversed": summary["reversed_amount"],
        "total_disbursement_amount_failed": summary["failed_amount"],
        "stages": [
            {
                "stage": row.stage,
                "status": row.status,
                "attempts": row.attempts,
                "next_attempt_at": row.next_attempt_at.isoformat() if row.next_attempt_at else None,
                "last_error_code": row.last_error_code,
                "last_error": row.last_error,
            }
            for row in envelope_stages(envelope)
        ],
    }


def envelope_find(*, tenant_id: str, envelope_id: str) -> Envelope | None:
    return (
        Envelope.objects.select_related("program")
        .prefetch_related("stages")
        .filter(tenant_id=tenant_id, envelope_id=envelope_id)
        .first()
    )


def disbursement_status_payloads(*, tenant_id: str, disbursement_ids: list[str]) -> tuple[list[dict], list[str]]:
    """Per id: Kosh's lifecycle status and the anchor's recon and error-recon payloads. Returns (found, unknown)."""
    rows = {
        row.disbursement_id: row
        for row in Disbursement.objects.filter(
            tenant_id=tenant_id, disbursement_id__in=disbursement_ids
        ).select_related("envelope", "recon", "recon__remittance_statement", "recon__reversal_statement")
    }
    errors: dict[int, list[ReviewItem]] = {}
    for item in ReviewItem.objects.filter(disbursement_id__in=[row.pk for row in rows.values()]).select_related(
        "statement", "block"
    ):
        errors.setdefault(item.disbursement_id, []).append(item)
    found, unknown = [], []
    for disbursement_id in disbursement_ids:
        row = rows.get(disbursement_id)
        if row is None:
            unknown.append(disbursement_id)
            continue
        recon = getattr(row, "recon", None)
        found.append(
            {
                "disbursement_id": row.disbursement_id,
                "disbursement_envelope_id": row.envelope.envelope_id,
                "disbursement_amount": row.amount,
                "status": row.status,
                "failure_code": row.failure_code,
                "failure_reason": row.failure_reason,
                "cancellation_status": "CANCELLED" if row.status == Status.CANCELLED else "NOT_CANCELLED",
                "disbursement_recon_records": {
                    "disbursement_recon_payloads": [_recon_payload(row, recon)] if recon else [],
                    "disbursement_error_recon_payloads": [_error_payload(item) for item in errors.get(row.pk, [])],
                },
            }
        )
    return found, unknown


def _date(value):
    return value.isoformat() if value else None


def _recon_payload(disbursement: Disbursement, recon: DisbursementRecon) -> dict:
    return {
        "bank_disbursement_batch_id": str(recon.bank_batch_id or ""),
        "disbursement_id": disbursement.disbursement_id,
        "disbursement_envelope_id": disbursement.envelope.envelope_id,
        "beneficiary_name_from_bank": recon.beneficiary_name_from_bank,
        "remittance_reference_number": recon.remittance_reference_number,
        "remittance_statement_id": str(recon.remittance_statement.statement_id),
        "remittance_statement_number": recon.remittance_statement_number,
        "remittance_statement_sequence": recon.remittance_statement_sequence,
        "remittance_entry_sequence": recon.remittance_entry_sequence,
        "remittance_entry_date": _date(recon.remittance_entry_date),
        "remittance_value_date": _date(recon.remittance_value_date),
        "reversal_found": recon.reversal_found,
        "reversal_statement_id": str(recon.reversal_statement.statement_id) if recon.reversal_statement else None,
        "reversal_statement_number": recon.reversal_statement_number,
        "reversal_statement_sequence": recon.reversal_statement_sequence,
        "reversal_entry_sequence": recon.reversal_entry_sequence,
        "reversal_entry_date": _date(recon.reversal_entry_date),
        "reversal_value_date": _date(recon.reversal_value_date),
        "reversal_reason": recon.reversal_reason,
    }


def _error_payload(item: ReviewItem) -> dict:
    return {
        "statement_id": str(item.statement.statement_id),
        "statement_number": item.block.statement_number if item.block else "",
        "statement_sequence": item.block.sequence_number if item.block else "",
        "entry_sequence": item.entry_sequence,
        "entry_date": None,
        "value_date": _date(item.value_date),
        "error_reason": item.reason,
        "disbursement_id": item.reference,
        "bank_reference_number": item.bank_reference,
    }


# --- Web UI ---------------------------------------------------------------------------------


def envelope_list(*, tenant_id: str) -> QuerySet[Envelope]:
    return Envelope.objects.filter(tenant_id=tenant_id).select_related("program").prefetch_related("stages")


def envelope_get(*, tenant_id: str, pk: int) -> Envelope | None:
    return envelope_list(tenant_id=tenant_id).filter(pk=pk).first()


def envelope_batches(*, envelope: Envelope) -> QuerySet[BankBatch]:
    return envelope.batches.order_by("sequence")


def envelope_batch_counts(*, envelope: Envelope) -> dict[str, int]:
    return dict(envelope.batches.values_list("status").annotate(n=Count("id")).order_by())


def statement_list(*, tenant_id: str) -> QuerySet[Statement]:
    return Statement.objects.filter(tenant_id=tenant_id).select_related("uploaded_by", "uploaded_by_client")


def statement_get(*, tenant_id: str, pk: int) -> Statement | None:
    return statement_list(tenant_id=tenant_id).filter(pk=pk).first()


def review_queue(*, tenant_id: str, status: str = ReviewItem.Status.OPEN) -> QuerySet[ReviewItem]:
    items = ReviewItem.objects.filter(tenant_id=tenant_id).select_related("statement", "disbursement", "resolved_by")
    return items.filter(status=status) if status else items


def review_counts(*, tenant_id: str) -> dict[str, int]:
    return dict(ReviewItem.objects.filter(tenant_id=tenant_id).values_list("status").annotate(n=Count("id")).order_by())
