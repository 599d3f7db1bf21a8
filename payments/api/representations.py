"""Kosh rows as the ifms-adapter and expense services put them on the wire (camelCase, epoch milliseconds)."""

from core.digit.envelope import epoch_millis
from payments.models import ExpenseBill, PaymentInstruction, Sanction


def _date(value) -> str | None:
    return value.isoformat() if value else None


def pi_representation(pi: PaymentInstruction) -> dict:
    advice = getattr(pi, "advice", None)
    return {
        "id": pi.pk,
        "tenantId": pi.tenant_id,
        "jitBillNo": pi.pi_number,
        "jitBillDate": epoch_millis(pi.pi_date),
        "parentPiNumber": pi.parent.pi_number if pi.parent_id else None,
        "piType": pi.pi_type,
        "muktaReferenceId": pi.payment.payment_number,
        "numBeneficiaries": pi.beneficiary_count,
        "grossAmount": pi.gross_amount,
        "netAmount": pi.net_amount,
        "piStatus": pi.status,
        "piSuccessCode": pi.success_code or None,
        "piSuccessDesc": pi.success_description or None,
        "piApprovedId": pi.approved_id or None,
        "piApprovalDate": _date(pi.approval_date),
        "piErrorResp": pi.error_text or None,
        "isActive": pi.is_active,
        "hoaCode": pi.hoa_code or None,
        "masterAllotmentId": pi.master_allotment_id or None,
        "additionalDetails": {
            "billNumber": [pi.payment.bill.bill_number],
            "referenceId": [pi.payment.bill.reference_id],
        },
        "paDetails": [
            {
                "paBillRefNumber": advice.bill_ref_number or None,
                "paFinYear": advice.fin_year or None,
                "paAdviceId": advice.advice_id or None,
                "paAdviceDate": _date(advice.advice_date),
                "paTokenNumber": advice.token_number or None,
                "paTokenDate": _date(advice.token_date),
            }
        ]
        if advice
        else [],
        "beneficiaryDetails": [
            {
                "id": b.pk,
                "beneficiaryId": b.payee.identifier,
                "beneficiaryType": b.beneficiary_type,
                "beneficiaryNumber": b.beneficiary_number,
                "accountNumber": b.account_masked,
                "ifsc": b.ifsc,
                "amount": b.amount,
                "paymentStatus": b.payment_status,
                "paymentStatusMessage": b.status_message or None,
                "voucherNumber": b.voucher_number or None,
                "voucherDate": _date(b.voucher_date),
                "utrNo": b.utr_number or None,
                "utrDate": _date(b.utr_date),
                "endToEndId": b.end_to_end_id or None,
                "challanNumber": b.challan_number or None,
                "challanDate": _date(b.challan_date),
            }
            for b in pi.beneficiaries.all()
        ],
        "piStatusLogs": [
            {
                "serviceId": log.service,
                "status": f"STATUS_LOG_{log.status}",
                "message": log.message,
                "createdTime": epoch_millis(log.created_at),
            }
            for log in pi.status_logs.all()
        ],
        "auditDetails": {"createdTime": epoch_millis(pi.created_at), "lastModifiedTime": epoch_millis(pi.updated_at)},
    }


def sanction_representation(sanction: Sanction) -> dict:
    summary = getattr(sanction, "funds_summary", None)
    return {
        "id": sanction.pk,
        "tenantId": sanction.tenant_id,
        "hoaCode": sanction.hoa_code,
        "ddoCode": sanction.ddo_code,
        "masterAllotmentId": sanction.master_allotment_id,
        "sanctionedAmount": sanction.sanctioned_amount,
        "financialYear": sanction.financial_year,
        "programCode": sanction.program_code or None,
        "fundsSummary": {"allottedAmount": summary.allotted_amount, "availableAmount": summary.available_amount}
        if summary
        else None,
        "allotmentDetails": [
            {
                "allotmentSerialNo": a.serial_number,
                "ssuAllotmentId": a.ssu_allotment_id,
                "allotmentAmount": a.amount,
                "allotmentTransactionType": a.transaction_type,
                "sanctionBalance": a.sanction_balance,
                "allotmentDate": epoch_millis(a.allotment_date),
            }
            for a in sanction.allotments.all()
        ],
    }


def expense_bill_representation(bill: ExpenseBill) -> dict:
    payment = getattr(bill, "payment", None)
    return {
        "id": bill.pk,
        "tenantId": bill.tenant_id,
        "billNumber": bill.bill_number,
        "businessService": bill.bill_type,
        "billDate": _date(bill.bill_date),
        "referenceId": bill.reference_id or None,
        "netPayableAmount": bill.net_payable,
        "paymentNumber": payment.payment_number if payment else None,
        "paymentStatus": payment.status if payment else None,
        "billDetails": [
            {
                "payee": {"identifier": line.payee.identifier, "type": line.payee.payee_type, "name": line.payee.name},
                "headCode": line.head_code,
                "amount": line.amount,
            }
            for line in bill.line_items.all()
        ],
    }
