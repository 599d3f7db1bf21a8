"""Collection rows as DIGIT writes them (camelCase, epoch milliseconds, `Payments`)."""

from billing.api.serializers import audit_details
from collection.models import Payment, PaymentDetail, PgTransaction, Remittance
from collection.services.snapshots import bill_copy
from core.digit.envelope import epoch_millis


def payment_data(payment: Payment) -> dict:
    return {
        "id": str(payment.pk),
        "tenantId": payment.tenant_id,
        "totalDue": payment.total_due,
        "totalAmountPaid": payment.total_amount_paid,
        "transactionNumber": payment.transaction_number or None,
        "transactionDate": epoch_millis(payment.transaction_date),
        "paymentMode": payment.payment_mode,
        "instrumentDate": epoch_millis(payment.instrument_date),
        "instrumentNumber": payment.instrument_number or None,
        "instrumentStatus": payment.instrument_status,
        "ifscCode": payment.ifsc_code or None,
        "paidBy": payment.paid_by,
        "mobileNumber": payment.mobile_number or None,
        "payerName": payment.payer_name or None,
        "payerAddress": payment.payer_address or None,
        "payerEmail": payment.payer_email or None,
        "payerId": payment.payer_id or None,
        "paymentStatus": payment.payment_status,
        "fileStoreId": None,
        "additionalDetails": payment.additional_details or None,
        "auditDetails": audit_details(payment),
        "paymentDetails": [payment_detail_data(detail, payment) for detail in payment.details.all()],
    }


def payment_detail_data(detail: PaymentDetail, payment: Payment) -> dict:
    return {
        "id": str(detail.pk),
        "paymentId": str(payment.pk),
        "tenantId": detail.tenant_id,
        "billId": str(detail.bill_id),
        "businessService": detail.business_service.code,
        "totalDue": detail.total_due,
        "totalAmountPaid": detail.total_amount_paid,
        "receiptNumber": detail.receipt_number,
        "receiptDate": epoch_millis(detail.receipt_date),
        "receiptType": detail.receipt_type,
        "manualReceiptNumber": detail.manual_receipt_number or None,
        "manualReceiptDate": epoch_millis(detail.manual_receipt_date),
        "additionalDetails": detail.additional_details or None,
        "auditDetails": audit_details(payment),
        "bill": bill_copy(receipt=detail, payment=payment),
    }


def remittance_data(remittance: Remittance) -> dict:
    voucher = remittance.voucher
    return {
        "id": str(remittance.pk),
        "tenantId": remittance.tenant_id,
        "referenceNumber": remittance.reference_number,
        "referenceDate": remittance.reference_date.isoformat(),
        "voucherHeader": voucher.number if voucher is not None else None,
        "bankAccount": remittance.bank_account,
        "status": remittance.status,
        "totalAmount": remittance.total_amount,
        "remarks": remittance.remarks or None,
        "reasonForDelay": remittance.reason_for_delay or None,
        "remittanceDetails": [
            {"chartOfAccount": line.gl_code.code, "debitAmount": line.debit, "creditAmount": line.credit}
            for line in (voucher.lines.all() if voucher is not None else [])
        ],
        "remittanceReceipts": [
            {"receipt": detail.receipt_number, "paymentId": str(payment.pk), "amount": detail.total_amount_paid}
            for payment in remittance.payments.all()
            for detail in payment.details.all()
        ],
        "auditDetails": {
            "createdBy": str(remittance.created_by.uuid) if remittance.created_by_id else None,
            "createdTime": epoch_millis(remittance.created_at),
        },
    }


def pg_transaction_data(txn: PgTransaction) -> dict:
    """A transaction as DIGIT's pg-service answers it (`txnAmount` a string, `receipt` the receipt number)."""
    details = list(txn.payment.details.all()) if txn.payment_id else []
    return {
        "tenantId": txn.tenant_id,
        "txnAmount": str(txn.txn_amount),
        "billId": str(txn.bill_id),
        "module": txn.module or None,
        "consumerCode": txn.consumer_code,
        "taxAndPayments": txn.tax_and_payments,
        "productInfo": txn.product_info or None,
        "gateway": txn.gateway,
        "callbackUrl": txn.callback_url or None,
        "txnId": txn.txn_id,
        "user": {
            "uuid": txn.payer_uuid or None,
            "name": txn.payer_name,
            "mobileNumber": txn.payer_mobile or None,
            "emailId": txn.payer_email or None,
            "tenantId": txn.tenant_id,
        },
        "redirectUrl": txn.redirect_url or None,
        "txnStatus": txn.txn_status,
        "txnStatusMsg": txn.txn_status_msg or None,
        "gatewayTxnId": txn.gateway_txn_id or None,
        "gatewayPaymentMode": txn.gateway_payment_mode or None,
        "gatewayStatusCode": txn.gateway_status_code or None,
        "gatewayStatusMsg": txn.gateway_status_msg or None,
        "receipt": details[0].receipt_number if details else None,
        "additionalDetails": {**txn.additional_details, "paymentId": str(txn.payment_id) if txn.payment_id else None},
        "auditDetails": {
            "createdBy": str(txn.created_by.uuid) if txn.created_by_id else None,
            "createdTime": epoch_millis(txn.created_at),
            "lastModifiedBy": None,
            "lastModifiedTime": epoch_millis(txn.modified_at),
        },
    }
