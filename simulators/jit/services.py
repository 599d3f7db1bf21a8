"""The simulated treasury: sessions, and the answer to each JIT service, moving bills through their lifecycle.

Every answer is `{serviceId, errorMsg, errorMsgs, data}` as JIT-FS sends it. A scenario per service decides
whether the treasury answers normally, with an error, or not at all, and which beneficiaries fail."""

import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from simulators.jit.models import SimAllotment, SimBeneficiary, SimBill, SimScenario, SimSession

IST = ZoneInfo("Asia/Kolkata")
SESSION_SECONDS = 30 * 60
SESSION_CACHE_SECONDS = 5
_session_cache: dict[str, tuple[SimSession, float]] = {}
NO_SESSION_MESSAGE = "No valid session encryption key"
SERVICES = ("VA", "PI", "PIS", "PAG", "PD", "FD", "COR", "FTPS", "FTFPS")


class SimNoResponse(Exception):
    """The scenario says the treasury does not answer this call."""


@dataclass(frozen=True)
class SimAnswer:
    service_id: str
    data: list
    error_msg: str | None = None
    error_msgs: tuple = ()

    def as_json(self) -> dict:
        return {
            "serviceId": self.service_id,
            "errorMsg": self.error_msg,
            "errorMsgs": list(self.error_msgs),
            "data": self.data,
        }


# --- Sessions and scenarios -----------------------------------------------------------------


def sim_session_open(*, client_id: str) -> SimSession:
    return SimSession.objects.create(
        token=secrets.token_hex(24),
        client_id=client_id,
        sek=secrets.token_bytes(32),
        expires_at=timezone.now() + timedelta(seconds=SESSION_SECONDS),
    )


def sim_session_get(*, token: str) -> SimSession | None:
    """The live session with this token. Kept in the process for a few seconds, as a treasury gateway would
    keep it, so a call does not cost a lookup; ending sessions (sim_sessions_expire) takes effect within that."""
    if not token:
        return None
    now = timezone.now()
    cached = _session_cache.get(token)
    if cached is not None and cached[1] > time.monotonic() and cached[0].expires_at > now:
        return cached[0]
    session = SimSession.objects.filter(token=token, expires_at__gt=now).first()
    if session is not None:
        _session_cache[token] = (session, time.monotonic() + SESSION_CACHE_SECONDS)
    else:
        _session_cache.pop(token, None)
    return session


def sim_sessions_expire() -> int:
    """End every session at once, as the treasury does after its timeout (clients must authenticate again)."""
    _session_cache.clear()
    return SimSession.objects.update(expires_at=timezone.now() - timedelta(seconds=1))


def sim_scenario_set(
    *,
    service: str,
    mode: str = SimScenario.Mode.SUCCESS,
    error_message: str = "",
    delay_seconds: Decimal = Decimal("0"),
    fail_benf_ids: list[str] = (),
    hold_benf_ids: list[str] = (),
    failed_reason: str = "Account does not exist",
    remaining_calls: int | None = None,
) -> SimScenario:
    if service not in SERVICES:
        raise ValueError(f"unknown JIT service '{service}'")
    scenario, _ = SimScenario.objects.update_or_create(
        service=service,
        defaults={
            "mode": mode,
            "error_message": error_message,
            "delay_seconds": delay_seconds,
            "fail_benf_ids": list(fail_benf_ids),
            "hold_benf_ids": list(hold_benf_ids),
            "failed_reason": failed_reason,
            "remaining_calls": remaining_calls,
        },
    )
    return scenario


def sim_scenarios_reset() -> None:
    SimScenario.objects.all().delete()


def sim_allotment_add(
    *,
    hoa: str,
    ddo_code: str,
    grantee_code: str,
    ssu_id: str,
    mst_allotment_dist_id: str,
    amount: Decimal,
    txn_type: str = "Initial Allotment",
    sanctioned_amount: Decimal | None = None,
    at: datetime | None = None,
) -> SimAllotment:
    """An allotment the next VA call for this head and DDO reports. `availableBalance` is what is left of the
    sanction after it: the sanctioned amount (given with the initial allotment) less what has been allotted."""
    with transaction.atomic():
        previous = SimAllotment.objects.filter(mst_allotment_dist_id=mst_allotment_dist_id).order_by("-id").first()
        if previous is None:
            if txn_type != "Initial Allotment" or sanctioned_amount is None:
                raise ValueError("a sanction starts with an Initial Allotment that names the sanctioned amount")
            balance = sanctioned_amount - amount
        elif txn_type == "Allotment withdrawal":
            balance = previous.available_balance + amount
        else:
            balance = previous.available_balance - amount
        serial = f"{SimAllotment.objects.count() + 1:08d}"
        return SimAllotment.objects.create(
            hoa=hoa,
            ddo_code=ddo_code,
            grantee_code=grantee_code,
            ssu_id=ssu_id,
            mst_allotment_dist_id=mst_allotment_dist_id,
            ssu_allotment_id=f"SSUA{serial}",
            allotment_txn_sl_no=serial,
            allotment_txn_type=txn_type,
            allotment_amount=amount,
            available_balance=balance,
            allotment_date=at or timezone.now(),
        )


# --- The services ---------------------------------------------------------------------------


def sim_service_answer(*, service_id: str, params: dict) -> SimAnswer:
    """Answer one decrypted `{serviceId, params}` as the scenario for the service says."""
    if service_id not in SERVICES:
        return SimAnswer(service_id, [], error_msg=f"Invalid serviceId {service_id}")
    if not isinstance(params, dict):
        return SimAnswer(service_id, [], error_msg="params must be a JSON object")
    scenario = _scenario_take(service_id)
    if scenario is not None and scenario.delay_seconds:
        time.sleep(float(scenario.delay_seconds))
    mode = scenario.mode if scenario else SimScenario.Mode.SUCCESS
    if mode == SimScenario.Mode.NO_RESPONSE:
        raise SimNoResponse(service_id)
    if mode == SimScenario.Mode.ERROR:
        message = scenario.error_message.replace("{jitBillNo}", str(params.get("jitBillNo", "")))
        if service_id == "PI":
            return SimAnswer(service_id, [], error_msgs=({"errorCode": "340", "errorMsg": message},))
        return SimAnswer(service_id, [], error_msg=message)
    handler = _HANDLERS[service_id]
    if service_id in _READ_MOSTLY:
        return handler(params, scenario)
    with transaction.atomic():
        return handler(params, scenario)


def _scenario_take(service_id: str) -> SimScenario | None:
    """The scenario for this call; one limited to N calls counts this one (read unlocked otherwise: a plain
    answer writes nothing)."""
    scenario = SimScenario.objects.filter(service=service_id).first()
    if scenario is None or scenario.remaining_calls is None:
        return scenario
    with transaction.atomic():
        scenario = SimScenario.objects.select_for_update().get(pk=scenario.pk)
        if not scenario.remaining_calls:
            return None
        scenario.remaining_calls -= 1
        scenario.save(update_fields=["remaining_calls", "updated_at"])
        return scenario


def _now_ist() -> datetime:
    return timezone.localtime(timezone.now(), IST)


def _today() -> str:
    return _now_ist().strftime("%Y-%m-%d")


def _fin_year() -> str:
    today = _now_ist().date()
    start = today.year if today.month >= 4 else today.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def _error(service_id: str, message: str) -> SimAnswer:
    return SimAnswer(service_id, [], error_msg=message)


def _amount(text) -> Decimal | None:
    try:
        value = Decimal(str(text))
    except (InvalidOperation, TypeError):
        return None
    return value if value.is_finite() else None


def _bill(jit_bill_no, kind: str | None = None, *, lock: bool = True) -> SimBill | None:
    bills = SimBill.objects.filter(jit_bill_no=str(jit_bill_no or ""))
    if lock:
        bills = bills.select_for_update()
    if kind:
        bills = bills.filter(kind=kind)
    return bills.first()


def _number(prefix: str) -> str:
    return f"{prefix}{secrets.randbelow(10**10):010d}"


def _va(params: dict, scenario) -> SimAnswer:
    for name in ("hoa", "ddoCode", "granteCode", "fromDate"):
        if not params.get(name):
            return _error("VA", f"{name} is mandatory")
    try:
        since = datetime.strptime(params["fromDate"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=IST)
    except (TypeError, ValueError):
        return _error("VA", "fromDate must be yyyy-MM-dd HH:mm:ss")
    allotments = SimAllotment.objects.filter(
        hoa=params["hoa"], ddo_code=params["ddoCode"], grantee_code=params["granteCode"], allotment_date__gt=since
    )
    data = [
        {
            "ddoCode": allotment.ddo_code,
            "schemeCode": "13145",
            "schemeName": "MUKTA",
            "granteeAgCode": allotment.grantee_code,
            "granteeAgName": "Urban Local Body",
            "ssuId": allotment.ssu_id,
            "ssuOffice": "ULB office",
            "allotmentDate": timezone.localtime(allotment.allotment_date, IST).strftime("%Y-%m-%d %H:%M:%S"),
            "allotmentTxnSlNo": allotment.allotment_txn_sl_no,
            "allotmentAmount": f"{allotment.allotment_amount:.2f}",
            "availableBalance": f"{allotment.available_balance:.2f}",
            "allotmentTxnType": allotment.allotment_txn_type,
            "mstAllotmentDistId": allotment.mst_allotment_dist_id,
            "ssuAllotmentId": allotment.ssu_allotment_id,
            "hoa": allotment.hoa,
        }
        for allotment in allotments
    ]
    return SimAnswer("VA", data)


def _pi(params: dict, scenario) -> SimAnswer:
    jit_bill_no = params.get("jitBillNo")
    if not jit_bill_no:
        return _error("PI", "jitBillNo is mandatory")
    existing = _bill(jit_bill_no)
    if existing is not None:
        # The same bill pushed again (an answer that never arrived): the first acknowledgement stands.
        return SimAnswer("PI", [existing.acknowledgement])
    beneficiaries = params.get("beneficiaryDetails")
    if not isinstance(beneficiaries, list) or not beneficiaries:
        return _error("PI", "beneficiaryDetails is mandatory")
    problems, seen, total = [], set(), Decimal("0")
    for entry in beneficiaries:
        benf_id = entry.get("benefId", "")
        amount = _amount(entry.get("benfAmount"))
        pair = (entry.get("benfAcctNo"), entry.get("benfBankIfscCode"))
        if amount is None or amount <= 0:
            problems.append({"errorCode": "341", "errorMsg": f"Invalid amount for BenefId {benf_id}"})
            continue
        if pair in seen:
            problems.append({"errorCode": "342", "errorMsg": f"Duplicate account and IFSC for BenefId {benf_id}"})
        seen.add(pair)
        total += amount
    gross = _amount(params.get("billGrossAmount"))
    if gross is None or gross != total:
        problems.append({"errorCode": "343", "errorMsg": "billGrossAmount is not the sum of the beneficiaries"})
    if problems:
        return SimAnswer("PI", [], error_msgs=tuple(problems))
    acknowledgement = {
        "jitBillNo": jit_bill_no,
        "jitBillDate": params.get("jitBillDate", ""),
        "ssuIaId": params.get("ssuIaId", ""),
        "successCode": "0",
        "sucessDescrp": "Bill received successfully",
    }
    bill = SimBill.objects.create(
        kind=SimBill.Kind.PI,
        jit_bill_no=jit_bill_no,
        jit_bill_date=params.get("jitBillDate", ""),
        ddo_code=params.get("jitBillDdoCode", ""),
        ssu_ia_id=params.get("ssuIaId", ""),
        scheme_code=params.get("schemeCode", ""),
        gross_amount=gross,
        acknowledgement=acknowledgement,
    )
    SimBeneficiary.objects.bulk_create(
        SimBeneficiary(
            bill=bill,
            benf_id=entry["benefId"],
            name=entry.get("benefName", ""),
            account_no=entry.get("benfAcctNo", ""),
            ifsc=entry.get("benfBankIfscCode", ""),
            amount=_amount(entry["benfAmount"]),
        )
        for entry in beneficiaries
    )
    return SimAnswer("PI", [acknowledgement])


def _pis(params: dict, scenario) -> SimAnswer:
    bill = _bill(params.get("jitBillNo"), SimBill.Kind.PI)
    if bill is None:
        return _error("PIS", f"No bill found for jitBillNo {params.get('jitBillNo')}")
    if not bill.pmt_inst_id:
        bill.pmt_inst_id, bill.pay_inst_date = _number("PMT"), _today()
        bill.save(update_fields=["pmt_inst_id", "pay_inst_date"])
    total = sum((b.amount for b in bill.beneficiaries.all()), Decimal("0"))
    return SimAnswer(
        "PIS",
        [
            {
                "pmtInstId": bill.pmt_inst_id,
                "payInstDate": bill.pay_inst_date,
                "jitBillNumber": bill.jit_bill_no,
                "jitBillDate": bill.jit_bill_date[:10],
                "billNetAmount": f"{total:.2f}",
                "billGrossAmount": f"{total:.2f}",
                "totalNumberOfBeneficiary": bill.beneficiaries.count(),
                "schemeCode": bill.scheme_code,
                "ssuIaId": bill.ssu_ia_id,
            }
        ],
    )


def _pag(params: dict, scenario) -> SimAnswer:
    bill = _bill(params.get("billNo"), SimBill.Kind.PI)
    if bill is None or not bill.pmt_inst_id or bill.pmt_inst_id != params.get("pmtInstId"):
        return _error(
            "PAG", f"No approved payment instruction {params.get('pmtInstId')} for bill {params.get('billNo')}"
        )
    if not bill.advice_id:
        bill.fin_year, bill.advice_id, bill.advice_date = _fin_year(), _number("ADV"), _today()
        bill.online_bill_ref_no, bill.token_number, bill.token_date = _number("OBR"), _number("TKN"), _today()
        bill.save()
    return SimAnswer("PAG", [_advice(bill)])


def _advice(bill: SimBill) -> dict:
    return {
        "billNo": bill.jit_bill_no,
        "ssuIaId": bill.ssu_ia_id,
        "finYear": bill.fin_year,
        "adviceId": bill.advice_id,
        "adviceDate": bill.advice_date,
        "onlineBillRefNo": bill.online_bill_ref_no,
        "tokenNumber": bill.token_number,
        "tokenDate": bill.token_date,
        "benfList": [
            {
                "benfName": b.name,
                "benfAccountNo": b.account_no,
                "benfBankIfscCode": b.ifsc,
                "amount": f"{b.amount:.2f}",
                "benfId": b.benf_id,
            }
            for b in bill.beneficiaries.all()
        ],
    }


def _pay(bill: SimBill, scenario) -> list[SimBeneficiary]:
    """Pay every pending beneficiary the scenario does not hold back; the paid ones, in order."""
    held = set(scenario.hold_benf_ids) if scenario else set()
    if not bill.voucher_no:
        bill.voucher_no, bill.voucher_date = _number("VCH"), _today()
        bill.save(update_fields=["voucher_no", "voucher_date"])
    for beneficiary in bill.beneficiaries.filter(status=SimBeneficiary.Status.PENDING):
        if beneficiary.benf_id in held:
            continue
        beneficiary.status = SimBeneficiary.Status.PAID
        beneficiary.utr_no, beneficiary.utr_date = _number("UTR"), _today()
        beneficiary.end_to_end_id = _number("E2E")
        beneficiary.save()
    return list(bill.beneficiaries.exclude(status=SimBeneficiary.Status.PENDING))


def _paid_details(beneficiary: SimBeneficiary) -> dict:
    return {
        "benfAcctNo": beneficiary.account_no,
        "benfBankIfscCode": beneficiary.ifsc,
        "utrNo": beneficiary.utr_no,
        "utrDate": beneficiary.utr_date,
        "endToEndId": beneficiary.end_to_end_id,
        "benfId": beneficiary.benf_id,
    }


def _pd(params: dict, scenario) -> SimAnswer:
    bill = SimBill.objects.select_for_update().filter(online_bill_ref_no=params.get("billRefNo") or "-").first()
    if bill is None or bill.token_number != params.get("tokenNumber"):
        return _error("PD", f"No bill found for billRefNo {params.get('billRefNo')}")
    paid = _pay(bill, scenario)
    if not paid:
        return SimAnswer("PD", [])
    return SimAnswer(
        "PD",
        [
            {
                "billNumber": bill.jit_bill_no,
                "billDate": bill.jit_bill_date[:10],
                "voucherNo": bill.voucher_no,
                "voucherDate": bill.voucher_date,
                "billRefNo": bill.online_bill_ref_no,
                "paymentStatus": "Payment credited to beneficiary account (RBI)",
                "tokenNumber": bill.token_number,
                "tokenDate": bill.token_date,
                "benfDtls": [_paid_details(b) for b in paid],
            }
        ],
    )


def _fail(bill: SimBill, scenario) -> list[SimBeneficiary]:
    """Fail the paid beneficiaries the scenario names; every failed one of the bill, in order. Each change is a
    conditional update (no transaction needed), so a bill with nothing to fail is read once."""
    failing = set(scenario.fail_benf_ids) if scenario else set()
    failed = []
    for beneficiary in bill.beneficiaries.order_by("id"):
        if beneficiary.status == SimBeneficiary.Status.PAID and beneficiary.benf_id in failing:
            beneficiary.status = SimBeneficiary.Status.FAILED
            beneficiary.failed_reason = scenario.failed_reason
            beneficiary.challan_no, beneficiary.challan_date = _number("CHL"), _today()
            changed = SimBeneficiary.objects.filter(pk=beneficiary.pk, status=SimBeneficiary.Status.PAID).update(
                status=beneficiary.status,
                failed_reason=beneficiary.failed_reason,
                challan_no=beneficiary.challan_no,
                challan_date=beneficiary.challan_date,
            )
            if not changed:
                beneficiary.refresh_from_db()
        if beneficiary.status == SimBeneficiary.Status.FAILED:
            failed.append(beneficiary)
    return failed


def _failed_details(beneficiary: SimBeneficiary, bill: SimBill) -> dict:
    return {
        **_paid_details(beneficiary),
        "orgBillRefNumber": bill.org_bill_ref_no or bill.online_bill_ref_no,
        "challanNumber": beneficiary.challan_no,
        "challanDate": beneficiary.challan_date,
        "failedReason": beneficiary.failed_reason,
    }


def _fd(params: dict, scenario) -> SimAnswer:
    for name in ("finYear", "extAppName", "voucherDate"):
        if not params.get(name):
            return _error("FD", f"{name} is mandatory")
    data = []
    bills = SimBill.objects.filter(kind=SimBill.Kind.PI).exclude(voucher_no="")
    for bill in bills.filter(voucher_date__gte=str(params["voucherDate"])[:10]).order_by("id"):
        failed = _fail(bill, scenario)
        if failed:
            data.append(
                {
                    "billNumber": bill.jit_bill_no,
                    "billDate": bill.jit_bill_date[:10],
                    "voucherNo": bill.voucher_no,
                    "voucherDate": bill.voucher_date,
                    "billRefNo": bill.online_bill_ref_no,
                    "tokenNumber": bill.token_number,
                    "tokenDate": bill.token_date,
                    "benfDtls": [_failed_details(b, bill) for b in failed],
                }
            )
    return SimAnswer("FD", data)


def _cor(params: dict, scenario) -> SimAnswer:
    jit_cor_bill_no = params.get("jitCorBillNo")
    if not jit_cor_bill_no:
        return _error("COR", "jitCorBillNo is mandatory")
    existing = _bill(jit_cor_bill_no)
    if existing is not None:
        return SimAnswer("COR", [existing.acknowledgement])
    original = _bill(params.get("jitOrgBillNo"), SimBill.Kind.PI)
    if original is None:
        return _error("COR", f"No original bill {params.get('jitOrgBillNo')}")
    if original.online_bill_ref_no != params.get("jitOrgBillRefNo"):
        return _error("COR", f"jitOrgBillRefNo does not match bill {original.jit_bill_no}")
    entries = params.get("beneficiaryDtls")
    if not isinstance(entries, list) or not entries:
        return _error("COR", "beneficiaryDtls is mandatory")
    failed = {
        b.benf_id: b
        for bill in SimBill.objects.filter(online_bill_ref_no__in={e.get("jitCurBillRefNo") for e in entries})
        for b in bill.beneficiaries.filter(status=SimBeneficiary.Status.FAILED)
    }
    for entry in entries:
        if entry.get("benefId") not in failed:
            return _error("COR", f"BenefId {entry.get('benefId')} has no failed payment to correct")
    acknowledgement = {
        "jitCorBillNo": jit_cor_bill_no,
        "jitCorBillDate": params.get("jitCorBillDate", ""),
        "successCd": "0",
        "sucessDescrp": "Forwarded to Treasury officer to generate Return adjust Bill",
    }
    bill = SimBill.objects.create(
        kind=SimBill.Kind.COR,
        jit_bill_no=jit_cor_bill_no,
        jit_bill_date=params.get("jitCorBillDate", ""),
        ddo_code=original.ddo_code,
        ssu_ia_id=original.ssu_ia_id,
        scheme_code=original.scheme_code,
        gross_amount=sum((failed[e["benefId"]].amount for e in entries), Decimal("0")),
        org_bill_no=original.jit_bill_no,
        org_bill_ref_no=original.online_bill_ref_no,
        acknowledgement=acknowledgement,
    )
    SimBeneficiary.objects.bulk_create(
        SimBeneficiary(
            bill=bill,
            benf_id=entry["benefId"],
            name=failed[entry["benefId"]].name,
            account_no=entry.get("correctedAccountNo", ""),
            ifsc=entry.get("correctedIfsc", ""),
            amount=failed[entry["benefId"]].amount,
        )
        for entry in entries
    )
    return SimAnswer("COR", [acknowledgement])


def _ftps(params: dict, scenario) -> SimAnswer:
    bill = _bill(params.get("jitCorBillNo"), SimBill.Kind.COR)
    if bill is None:
        return _error("FTPS", f"No revised bill {params.get('jitCorBillNo')}")
    if not bill.online_bill_ref_no:
        bill.fin_year, bill.online_bill_ref_no = _fin_year(), _number("OBR")
        bill.token_number, bill.token_date = _number("TKN"), _today()
        bill.save()
    paid = _pay(bill, scenario)
    if not paid:
        return SimAnswer("FTPS", [])
    return SimAnswer(
        "FTPS",
        [
            {
                "jitCorBillNo": bill.jit_bill_no,
                "jitCorBillDate": bill.jit_bill_date,
                "jitOrgBillRefNo": bill.org_bill_ref_no,
                "voucherNo": bill.voucher_no,
                "voucherDate": bill.voucher_date,
                "billRefNo": bill.online_bill_ref_no,
                "paymentStatus": "Payment credited to beneficiary account (RBI)",
                "tokenNumber": bill.token_number,
                "tokenDate": bill.token_date,
                "benfDtls": [_paid_details(b) for b in paid],
            }
        ],
    )


def _ftfps(params: dict, scenario) -> SimAnswer:
    bill = _bill(params.get("jitCorBillNo"), SimBill.Kind.COR, lock=False)
    if bill is None:
        return _error("FTFPS", f"No revised bill {params.get('jitCorBillNo')}")
    if not bill.online_bill_ref_no or params.get("billRefNo") != bill.online_bill_ref_no:
        return _error("FTFPS", f"billRefNo {params.get('billRefNo')} is not the bill reference of {bill.jit_bill_no}")
    failed = _fail(bill, scenario)
    if not failed:
        return SimAnswer("FTFPS", [])
    return SimAnswer(
        "FTFPS",
        [
            {
                "jitCorBillNo": bill.jit_bill_no,
                "jitCorBillDate": bill.jit_bill_date,
                "billRefNo": bill.online_bill_ref_no,
                "tokenNumber": bill.token_number,
                "tokenDate": bill.token_date,
                "benfDtls": [_failed_details(b, bill) for b in failed],
            }
        ],
    )


# Answered outside a transaction: they only read, or change rows by conditional updates.
_READ_MOSTLY = frozenset({"VA", "FD", "FTFPS"})

_HANDLERS = {
    "VA": _va,
    "PI": _pi,
    "PIS": _pis,
    "PAG": _pag,
    "PD": _pd,
    "FD": _fd,
    "COR": _cor,
    "FTPS": _ftps,
    "FTFPS": _ftfps,
}
