"""Billing rows as DIGIT's billing-service writes them: camelCase, epoch-millisecond dates, amounts as numbers.
Plain functions over prefetched rows (see `billing.selectors`), shared by every billing view."""

from collections import defaultdict
from decimal import Decimal

from billing.models import (
    Bill,
    BillAccountDetail,
    BillDetail,
    BusinessService,
    Demand,
    DemandDetail,
    TaxHead,
    TaxPeriod,
)
from core.digit.envelope import epoch_millis
from core.money import ZERO

ARREAR_PURPOSES = ("ARREAR_AMOUNT", "ARREAR_LATEPAYMENT_CHARGES")


def audit_details(row) -> dict:
    return {
        "createdBy": _user_uuid(row.created_by) if row.created_by_id else None,
        "lastModifiedBy": _user_uuid(row.modified_by) if row.modified_by_id else None,
        "createdTime": epoch_millis(row.created_at),
        "lastModifiedTime": epoch_millis(row.modified_at),
    }


def _user_uuid(user) -> str:
    return str(user.uuid)


def business_service_data(service: BusinessService) -> dict:
    return {
        "id": str(service.pk),
        "tenantId": service.tenant_id,
        "businessService": service.name,
        "code": service.code,
        "collectionModesNotAllowed": list(service.collection_modes_not_allowed),
        "partPaymentAllowed": service.part_payment_allowed,
        "isAdvanceAllowed": service.is_advance_allowed,
        "minAmountPayable": service.min_amount_payable,
        "isVoucherCreationEnabled": service.is_voucher_creation_enabled,
        "billExpiryDays": service.bill_expiry_days,
        "isWholeRupee": service.is_whole_rupee,
        "displayPenalty": service.display_penalty,
        "displayAdvance": service.display_advance,
        "receiptApprovalRequired": service.receipt_approval_required,
        "receiptIdFormat": service.receipt_id_format,
        "timePenaltyPercent": service.time_penalty_percent,
        "timePenaltyGraceDays": service.time_penalty_grace_days,
        "fundCode": service.fund_code or None,
        "functionCode": service.function_code or None,
        "departmentCode": service.department_code or None,
        "callBackForApportioning": False,
    }


def tax_head_data(head: TaxHead) -> dict:
    return {
        "id": str(head.pk),
        "tenantId": head.service.tenant_id,
        "service": head.service.code,
        "code": head.code,
        "name": head.name,
        "category": head.category,
        "order": head.order,
        "isDebit": head.is_debit,
        "isActualDemand": head.is_actual_demand,
        "isRequired": head.is_required,
        "glCode": head.gl_code or None,
    }


def tax_period_data(period: TaxPeriod) -> dict:
    return {
        "id": str(period.pk),
        "tenantId": period.service.tenant_id,
        "service": period.service.code,
        "code": period.code,
        "fromDate": epoch_millis(period.from_date),
        "toDate": epoch_millis(period.to_date),
        "periodCycle": period.period_cycle,
        "financialYear": period.financial_year,
    }


def demand_data(demand: Demand) -> dict:
    return {
        "id": str(demand.pk),
        "tenantId": demand.tenant_id,
        "consumerCode": demand.consumer_code,
        "consumerType": demand.consumer_type or None,
        "businessService": demand.business_service.code,
        "payer": {
            "uuid": demand.payer_uuid or None,
            "name": demand.payer_name,
            "mobileNumber": demand.payer_mobile_number or None,
            "emailId": demand.payer_email or None,
            "permanentAddress": demand.payer_address or None,
            "type": "CITIZEN",
        },
        "taxPeriodFrom": epoch_millis(demand.tax_period_from),
        "taxPeriodTo": epoch_millis(demand.tax_period_to),
        "demandDetails": [demand_detail_data(detail, demand) for detail in demand.details.all()],
        "billExpiryTime": demand.bill_expiry_time,
        "fixedBillExpiryDate": epoch_millis(demand.fixed_bill_expiry_date),
        "minimumAmountPayable": demand.minimum_amount_payable,
        "isPaymentCompleted": demand.is_payment_completed,
        "status": demand.status,
        "additionalDetails": demand.additional_details or None,
        "auditDetails": audit_details(demand),
    }


def demand_detail_data(detail: DemandDetail, demand: Demand) -> dict:
    return {
        "id": str(detail.pk),
        "demandId": str(demand.pk),
        "tenantId": demand.tenant_id,
        "taxHeadMasterCode": detail.tax_head.code,
        "taxAmount": detail.tax_amount,
        "collectionAmount": detail.collection_amount,
        "additionalDetails": detail.additional_details or None,
        "auditDetails": audit_details(detail),
    }


def bill_data(bill: Bill) -> dict:
    details = list(bill.details.all())
    return {
        "id": str(bill.pk),
        "tenantId": bill.tenant_id,
        "billNumber": bill.bill_number,
        "billDate": epoch_millis(bill.bill_date),
        "status": bill.status,
        "totalAmount": bill.total_amount,
        "businessService": bill.business_service.code,
        "consumerCode": bill.consumer_code,
        "payerName": bill.payer_name or None,
        "payerAddress": bill.payer_address or None,
        "payerEmail": bill.payer_email or None,
        "mobileNumber": bill.mobile_number or None,
        # DIGIT leaves these to the caller to look up; Kosh puts the rules of this bill on it.
        "minimumAmountPayable": bill.minimum_amount_payable,
        "partPaymentAllowed": bill.part_payment_allowed,
        "isAdvanceAllowed": bill.is_advance_allowed,
        "collectionModesNotAllowed": list(bill.collection_modes_not_allowed),
        "overrideAccountHeadsAllowed": bill.override_account_heads_allowed,
        "fileStoreId": None,
        "additionalDetails": {**bill.additional_details, **_bill_breakup(details)},
        "auditDetails": audit_details(bill),
        "billDetails": [bill_detail_data(detail, bill) for detail in details],
    }


def bill_detail_data(detail: BillDetail, bill: Bill) -> dict:
    return {
        "id": str(detail.pk),
        "tenantId": bill.tenant_id,
        "billId": str(bill.pk),
        "demandId": str(detail.demand_id) if detail.demand_id else None,
        "fromPeriod": epoch_millis(detail.from_period),
        "toPeriod": epoch_millis(detail.to_period),
        "amount": detail.amount,
        "amountPaid": detail.amount_paid,
        "expiryDate": epoch_millis(detail.expiry_date),
        "additionalDetails": detail.additional_details or None,
        "billAccountDetails": [
            bill_account_detail_data(account, detail, bill) for account in detail.account_details.all()
        ],
    }


def bill_account_detail_data(account: BillAccountDetail, detail: BillDetail, bill: Bill) -> dict:
    return {
        "id": str(account.pk),
        "tenantId": bill.tenant_id,
        "billDetailId": str(detail.pk),
        "demandDetailId": str(account.demand_detail_id) if account.demand_detail_id else None,
        "taxHeadCode": account.tax_head_code or None,
        "order": account.order,
        "amount": account.amount,
        "adjustedAmount": account.adjusted_amount,
        "glCode": account.gl_code or None,
        "purpose": account.purpose or None,
        "isActualDemand": account.is_actual_demand,
        "description": account.description or None,
        "additionalDetails": account.additional_details or None,
    }


def _bill_breakup(details: list[BillDetail]) -> dict:
    """What mGramSeva shows: arrears per head as `BL_<taxHeadCode>`, the current period's amount, the penalty."""
    arrears: dict[str, Decimal] = defaultdict(lambda: ZERO)
    current = penalty = ZERO
    for detail in details:
        for account in detail.account_details.all():
            if account.purpose in ARREAR_PURPOSES:
                arrears[f"BL_{account.tax_head_code or account.gl_code}"] += account.amount
            else:
                current += account.amount
            if account.purpose.endswith("LATEPAYMENT_CHARGES"):
                penalty += account.amount
    breakup = {code: amount for code, amount in arrears.items() if amount}
    return {
        "arrearAmount": sum(breakup.values(), ZERO),
        "arrearBreakup": breakup,
        "currentAmount": current,
        "penaltyAmount": penalty,
    }
