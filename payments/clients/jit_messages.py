"""Each JIT-FS service's request and answer as typed values. Requests render to JIT's `params` (camelCase,
amounts as strings with two decimals, dates in IST); answers parse from `data[]` or raise JitProtocolError."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from payments.clients.jit import JitProtocolError, JitResponse

DATE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"
# JIT-FS reads and writes Indian wall-clock time.
IST = ZoneInfo("Asia/Kolkata")


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


# --- Requests -------------------------------------------------------------------------------


@dataclass(frozen=True)
class VaRequest:
    hoa: str
    ddo_code: str
    grantee_code: str
    from_date: datetime

    service_id = "VA"

    def to_params(self) -> dict:
        # "granteCode" [sic]: JIT's spelling.
        return {
            "hoa": self.hoa,
            "ddoCode": self.ddo_code,
            "granteCode": self.grantee_code,
            "fromDate": self.from_date.strftime(DATE_TIME_FORMAT),
        }


@dataclass(frozen=True)
class PiBeneficiaryLine:
    benef_id: str
    name: str
    account_number: str
    ifsc: str
    mobile_number: str
    address: str
    account_type: str
    amount: Decimal
    purpose: str


@dataclass(frozen=True)
class PiRequest:
    jit_bill_no: str
    jit_bill_date: datetime
    ddo_code: str
    grantee_ag_code: str
    scheme_code: str
    hoa: str
    ssu_ia_id: str
    master_allotment_id: str
    ssu_allotment_id: str
    allotment_txn_sl_no: str
    gross_amount: Decimal
    net_amount: Decimal
    purpose: str
    beneficiaries: tuple[PiBeneficiaryLine, ...]

    service_id = "PI"

    def to_params(self) -> dict:
        return {
            "jitBillNo": self.jit_bill_no,
            "jitBillDate": self.jit_bill_date.strftime(DATE_TIME_FORMAT),
            "jitBillDdoCode": self.ddo_code,
            "granteeAgCode": self.grantee_ag_code,
            "schemeCode": self.scheme_code,
            "hoa": self.hoa,
            "ssuIaId": self.ssu_ia_id,
            "mstAllotmentDistId": self.master_allotment_id,
            "ssuAllotmentId": self.ssu_allotment_id,
            "allotmentTxnSlNo": self.allotment_txn_sl_no,
            "billGrossAmount": _money(self.gross_amount),
            "billNetAmount": _money(self.net_amount),
            "billNumberOfBenf": str(len(self.beneficiaries)),
            "purpose": self.purpose,
            "beneficiaryDetails": [
                {
                    "benefId": line.benef_id,
                    "benefName": line.name,
                    "benfAcctNo": line.account_number,
                    "benfBankIfscCode": line.ifsc,
                    "benfMobileNo": line.mobile_number,
                    "benfEmailId": "",
                    "benfAddress": line.address,
                    "benfAccountType": line.account_type,
                    "benfAmount": _money(line.amount),
                    "panNo": "",
                    "adhaarNumber": "",
                    "purpose": line.purpose,
                }
                for line in self.beneficiaries
            ],
        }


@dataclass(frozen=True)
class PisRequest:
    jit_bill_no: str
    jit_bill_date: date
    ssu_ia_id: str

    service_id = "PIS"

    def to_params(self) -> dict:
        return {
            "jitBillNo": self.jit_bill_no,
            "jitBillDate": self.jit_bill_date.strftime(DATE_FORMAT),
            "ssuIaId": self.ssu_ia_id,
        }


@dataclass(frozen=True)
class PagRequest:
    pmt_inst_id: str
    pmt_inst_date: date
    bill_no: str
    bill_date: date
    ssu_ia_id: str

    service_id = "PAG"

    def to_params(self) -> dict:
        return {
            "pmtInstId": self.pmt_inst_id,
            "pmtInstDate": self.pmt_inst_date.strftime(DATE_FORMAT),
            "billNo": self.bill_no,
            "billDate": self.bill_date.strftime(DATE_FORMAT),
            "ssuIaId": self.ssu_ia_id,
        }


@dataclass(frozen=True)
class PdRequest:
    fin_year: str
    ext_app_name: str
    bill_ref_no: str
    token_number: str
    token_date: date

    service_id = "PD"

    def to_params(self) -> dict:
        return {
            "finYear": self.fin_year,
            "extAppName": self.ext_app_name,
            "billRefNo": self.bill_ref_no,
            "tokenNumber": self.token_number,
            "tokenDate": self.token_date.strftime(DATE_FORMAT),
        }


@dataclass(frozen=True)
class FdRequest:
    fin_year: str
    ext_app_name: str
    voucher_date: date

    service_id = "FD"

    def to_params(self) -> dict:
        return {
            "finYear": self.fin_year,
            "extAppName": self.ext_app_name,
            "voucherDate": self.voucher_date.strftime(DATE_FORMAT),
        }


@dataclass(frozen=True)
class CorBeneficiaryLine:
    benef_id: str
    current_bill_ref_no: str
    original_account_number: str
    original_ifsc: str
    corrected_account_number: str
    corrected_ifsc: str
    current_account_number: str
    current_ifsc: str


@dataclass(frozen=True)
class CorRequest:
    jit_cor_bill_no: str
    jit_cor_bill_date: datetime
    dept_code: str
    original_bill_ref_no: str
    original_bill_no: str
    original_bill_date: datetime
    beneficiaries: tuple[CorBeneficiaryLine, ...]

    service_id = "COR"

    def to_params(self) -> dict:
        return {
            "jitCorBillNo": self.jit_cor_bill_no,
            "jitCorBillDate": self.jit_cor_bill_date.strftime(DATE_TIME_FORMAT),
            "jitCorBillDeptCode": self.dept_code,
            "jitOrgBillRefNo": self.original_bill_ref_no,
            "jitOrgBillNo": self.original_bill_no,
            "jitOrgBillDate": self.original_bill_date.strftime(DATE_TIME_FORMAT),
            "beneficiaryDtls": [
                {
                    "benefId": line.benef_id,
                    "jitCurBillRefNo": line.current_bill_ref_no,
                    "orgAccountNo": line.original_account_number,
                    "orgIfsc": line.original_ifsc,
                    "correctedAccountNo": line.corrected_account_number,
                    "correctedIfsc": line.corrected_ifsc,
                    "curAccountNo": line.current_account_number,
                    "curIfsc": line.current_ifsc,
                }
                for line in self.beneficiaries
            ],
        }


@dataclass(frozen=True)
class FtpsRequest:
    jit_cor_bill_no: str
    jit_cor_bill_date: datetime
    dept_code: str
    original_bill_ref_no: str
    original_bill_no: str
    original_bill_date: datetime

    service_id = "FTPS"

    def to_params(self) -> dict:
        return {
            "jitCorBillNo": self.jit_cor_bill_no,
            "jitCorBillDate": self.jit_cor_bill_date.strftime(DATE_TIME_FORMAT),
            "jitCorBillDeptCode": self.dept_code,
            "jitOrgBillRefNo": self.original_bill_ref_no,
            "jitOrgBillNo": self.original_bill_no,
            "jitOrgBillDate": self.original_bill_date.strftime(DATE_TIME_FORMAT),
        }


@dataclass(frozen=True)
class FtfpsRequest:
    """Sent with the revised PI's own bill reference and token (not the original's)."""

    jit_cor_bill_no: str
    jit_cor_bill_date: datetime
    bill_ref_no: str
    token_number: str
    token_date: date

    service_id = "FTFPS"

    def to_params(self) -> dict:
        return {
            "jitCorBillNo": self.jit_cor_bill_no,
            "jitCorBillDate": self.jit_cor_bill_date.strftime(DATE_TIME_FORMAT),
            "billRefNo": self.bill_ref_no,
            "tokenNumber": self.token_number,
            "tokenDate": self.token_date.strftime(DATE_FORMAT),
        }


# --- Answers --------------------------------------------------------------------------------


def _text(item: dict, name: str, *, required: bool = True) -> str:
    value = item.get(name)
    if value in (None, "") and required:
        raise JitProtocolError(f"JIT-FS answered without {name}")
    return "" if value is None else str(value)


def _date(item: dict, name: str, *, required: bool = True) -> date | None:
    text = _text(item, name, required=required)
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise JitProtocolError(f"JIT-FS answered {name} '{text}', not a yyyy-MM-dd date") from None


def _datetime(item: dict, name: str) -> datetime:
    text = _text(item, name)
    try:
        return datetime.strptime(text, DATE_TIME_FORMAT).replace(tzinfo=IST)
    except ValueError:
        raise JitProtocolError(f"JIT-FS answered {name} '{text}', not yyyy-MM-dd HH:mm:ss") from None


def _decimal(item: dict, name: str) -> Decimal:
    text = _text(item, name)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise JitProtocolError(f"JIT-FS answered {name} '{text}', not an amount") from None
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise JitProtocolError(f"JIT-FS answered {name} '{text}', not an amount in paise")
    return value


def _list(item: dict, name: str) -> list[dict]:
    value = item.get(name) or []
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        raise JitProtocolError(f"JIT-FS answered a {name} that is not a list of objects")
    return value


@dataclass(frozen=True)
class VaAllotment:
    hoa: str
    ddo_code: str
    ssu_id: str
    master_allotment_id: str
    ssu_allotment_id: str
    serial_number: str
    transaction_type: str
    amount: Decimal
    available_balance: Decimal
    allotment_date: datetime


def va_allotments(response: JitResponse, *, hoa: str) -> list[VaAllotment]:
    return [
        VaAllotment(
            hoa=str(item.get("hoa") or hoa),
            ddo_code=_text(item, "ddoCode"),
            ssu_id=_text(item, "ssuId", required=False),
            master_allotment_id=_text(item, "mstAllotmentDistId"),
            ssu_allotment_id=_text(item, "ssuAllotmentId"),
            serial_number=_text(item, "allotmentTxnSlNo"),
            transaction_type=_text(item, "allotmentTxnType"),
            amount=_decimal(item, "allotmentAmount"),
            available_balance=_decimal(item, "availableBalance"),
            allotment_date=_datetime(item, "allotmentDate"),
        )
        for item in response.data
    ]


@dataclass(frozen=True)
class Acknowledgement:
    """PI or COR accepted: `successCode`/`successCd` and JIT's `sucessDescrp` [sic]."""

    bill_no: str
    success_code: str
    success_description: str


def acknowledgement(response: JitResponse, *, bill_no_field: str) -> Acknowledgement | None:
    if not response.data:
        return None
    item = response.data[0]
    return Acknowledgement(
        bill_no=_text(item, bill_no_field),
        success_code=str(item.get("successCode") or item.get("successCd") or ""),
        success_description=str(item.get("sucessDescrp") or item.get("successDescrp") or ""),
    )


@dataclass(frozen=True)
class PisApproval:
    pmt_inst_id: str
    pay_inst_date: date


def pis_approval(response: JitResponse) -> PisApproval | None:
    if not response.data:
        return None
    item = response.data[0]
    return PisApproval(pmt_inst_id=_text(item, "pmtInstId"), pay_inst_date=_date(item, "payInstDate"))


@dataclass(frozen=True)
class AdviceDetails:
    fin_year: str
    advice_id: str
    advice_date: date | None
    online_bill_ref_no: str
    token_number: str
    token_date: date | None


def pag_advice(response: JitResponse) -> AdviceDetails | None:
    if not response.data:
        return None
    item = response.data[0]
    return AdviceDetails(
        fin_year=_text(item, "finYear"),
        advice_id=_text(item, "adviceId"),
        advice_date=_date(item, "adviceDate", required=False),
        online_bill_ref_no=_text(item, "onlineBillRefNo"),
        token_number=_text(item, "tokenNumber"),
        token_date=_date(item, "tokenDate", required=False),
    )


@dataclass(frozen=True)
class PaidBeneficiary:
    benf_id: str
    utr_number: str
    utr_date: date | None
    end_to_end_id: str


@dataclass(frozen=True)
class PaymentDetails:
    """PD for an original PI, FTPS for a revised one: the voucher and who was paid."""

    bill_no: str
    voucher_number: str
    voucher_date: date | None
    bill_ref_no: str
    token_number: str
    token_date: date | None
    payment_status: str
    beneficiaries: tuple[PaidBeneficiary, ...]


def payment_details(response: JitResponse, *, bill_no_field: str) -> list[PaymentDetails]:
    return [
        PaymentDetails(
            bill_no=_text(item, bill_no_field),
            voucher_number=_text(item, "voucherNo", required=False),
            voucher_date=_date(item, "voucherDate", required=False),
            bill_ref_no=_text(item, "billRefNo", required=False),
            token_number=_text(item, "tokenNumber", required=False),
            token_date=_date(item, "tokenDate", required=False),
            payment_status=_text(item, "paymentStatus", required=False),
            beneficiaries=tuple(
                PaidBeneficiary(
                    benf_id=_text(entry, "benfId"),
                    utr_number=_text(entry, "utrNo", required=False),
                    utr_date=_date(entry, "utrDate", required=False),
                    end_to_end_id=_text(entry, "endToEndId", required=False),
                )
                for entry in _list(item, "benfDtls")
            ),
        )
        for item in response.data
    ]


@dataclass(frozen=True)
class FailedBeneficiary:
    benf_id: str
    utr_number: str
    challan_number: str
    challan_date: date | None
    failed_reason: str


@dataclass(frozen=True)
class FailedBill:
    """FD for original PIs, FTFPS for a revised one: the beneficiaries whose payment failed."""

    bill_no: str
    beneficiaries: tuple[FailedBeneficiary, ...]


def failed_bills(response: JitResponse, *, bill_no_field: str) -> list[FailedBill]:
    return [
        FailedBill(
            bill_no=_text(item, bill_no_field),
            beneficiaries=tuple(
                FailedBeneficiary(
                    benf_id=_text(entry, "benfId"),
                    utr_number=_text(entry, "utrNo", required=False),
                    challan_number=_text(entry, "challanNumber", required=False),
                    challan_date=_date(entry, "challanDate", required=False),
                    failed_reason=_text(entry, "failedReason", required=False),
                )
                for entry in _list(item, "benfDtls")
            ),
        )
        for item in response.data
    ]
