"""The funds a city may spend: VA pulls allotments from JIT-FS into sanctions; PIs debit and reverse them.

A sanction's summary is recomputed from its allotment and transaction rows while its row is locked, so two
PIs drawing on one sanction at once cannot both spend the same rupee."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from core.errors import ApplicationError
from core.fiscal import financial_year_label
from core.models import Tenant
from core.money import ZERO
from payments.clients.jit import JitProtocolError
from payments.clients.jit_messages import VaAllotment, VaRequest, va_allotments
from payments.models import (
    Allotment,
    FundsSummary,
    FundTransaction,
    HeadOfAccount,
    JitOutcome,
    PaymentInstruction,
    Sanction,
    SpendingUnit,
    VaWatermark,
)
from payments.services.calls import ist_naive, jit_call_record, jit_exchange


@dataclass(frozen=True)
class FundsChoice:
    sanction: Sanction
    spending_unit: SpendingUnit
    allotment: Allotment


def funds_summary_recompute(*, sanction: Sanction) -> FundsSummary:
    """Allotted = Σ allotments − withdrawals; available = allotted − debits + reversals. Caller holds the lock."""
    allotments = sanction.allotments.aggregate(
        added=Sum("amount", filter=~Q(transaction_type=Allotment.Type.WITHDRAWAL)),
        withdrawn=Sum("amount", filter=Q(transaction_type=Allotment.Type.WITHDRAWAL)),
    )
    moved = sanction.fund_transactions.aggregate(
        debited=Sum("amount", filter=Q(transaction_type=FundTransaction.Type.DEBIT)),
        reversed=Sum("amount", filter=Q(transaction_type=FundTransaction.Type.REVERSAL)),
    )
    allotted = (allotments["added"] or ZERO) - (allotments["withdrawn"] or ZERO)
    available = allotted - (moved["debited"] or ZERO) + (moved["reversed"] or ZERO)
    if allotted < 0 or available < 0:
        raise ApplicationError(
            "FUNDS_OVERDRAWN",
            f"Sanction {sanction.master_allotment_id}: the change would leave {available} available "
            f"of {allotted} allotted",
        )
    summary, _ = FundsSummary.objects.update_or_create(
        sanction=sanction, defaults={"allotted_amount": allotted, "available_amount": available}
    )
    return summary


def funds_choose_and_debit(*, pi: PaymentInstruction, tenant: Tenant, amount: Decimal) -> FundsChoice | None:
    """Pick the first sanction (spending unit × head of account by sequence) with `amount` available and debit
    it for the PI. None when no sanction has enough. Call inside the PI's transaction."""
    units = list(SpendingUnit.objects.filter(tenant=tenant, is_active=True).order_by("id"))
    heads = list(HeadOfAccount.objects.filter(tenant_id=tenant.state_code, is_active=True).order_by("sequence", "id"))
    candidates = []
    for unit in units:
        for head in heads:
            candidates.extend(
                Sanction.objects.filter(tenant=tenant, ddo_code=unit.ddo_code, hoa_code=head.code)
                .order_by("id")
                .values_list("id", flat=True)
            )
    # Locked in id order whatever the preference order, so two PIs never wait on each other crosswise.
    locked = {
        summary.sanction_id: summary
        for summary in FundsSummary.objects.select_for_update().filter(sanction_id__in=candidates).order_by("id")
    }
    for sanction_id in candidates:
        summary = locked.get(sanction_id)
        if summary is None or summary.available_amount < amount:
            continue
        sanction = Sanction.objects.select_related("spending_unit").get(pk=sanction_id)
        allotment = (
            sanction.allotments.exclude(transaction_type=Allotment.Type.WITHDRAWAL)
            .order_by("-serial_number", "-id")
            .first()
        )
        FundTransaction.objects.create(
            tenant=tenant,
            sanction=sanction,
            pi=pi,
            transaction_type=FundTransaction.Type.DEBIT,
            amount=amount,
            transaction_at=timezone.now(),
        )
        funds_summary_recompute(sanction=sanction)
        return FundsChoice(sanction=sanction, spending_unit=sanction.spending_unit, allotment=allotment)
    return None


def funds_reverse(*, pi: PaymentInstruction) -> FundTransaction | None:
    """Give a PI's debit back (JIT refused or rejected the PI). Reversing twice changes nothing."""
    debit = FundTransaction.objects.filter(pi=pi, transaction_type=FundTransaction.Type.DEBIT).first()
    if debit is None:
        return None
    FundsSummary.objects.select_for_update().get(sanction_id=debit.sanction_id)
    reversal, created = FundTransaction.objects.get_or_create(
        pi=pi,
        transaction_type=FundTransaction.Type.REVERSAL,
        defaults={
            "tenant_id": debit.tenant_id,
            "sanction_id": debit.sanction_id,
            "amount": debit.amount,
            "transaction_at": timezone.now(),
        },
    )
    if created:
        funds_summary_recompute(sanction=debit.sanction)
    return reversal


# --- VA -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VaRunSummary:
    calls: int
    allotments_added: int
    errors: int


def va_run(*, tenant_id: str | None = None) -> VaRunSummary:
    """Ask JIT-FS for new allotments of every city × spending unit × head of account, from the last run on."""
    cities = Tenant.objects.filter(is_active=True, state__isnull=False).order_by("code")
    if tenant_id:
        cities = cities.filter(code=tenant_id)
    calls = added = errors = 0
    for city in cities:
        heads = list(HeadOfAccount.objects.filter(tenant_id=city.state_code, is_active=True).order_by("sequence"))
        for unit in SpendingUnit.objects.filter(tenant=city, is_active=True).order_by("id"):
            for head in heads:
                calls += 1
                result = _va_one(city=city, unit=unit, head=head)
                if result is None:
                    errors += 1
                else:
                    added += result
    return VaRunSummary(calls=calls, allotments_added=added, errors=errors)


def _va_one(*, city: Tenant, unit: SpendingUnit, head: HeadOfAccount) -> int | None:
    watermark = VaWatermark.objects.filter(
        tenant=city, hoa_code=head.code, ddo_code=unit.ddo_code, grantee_code=unit.grantee_ag_code
    ).first()
    since = watermark.last_executed_at if watermark else head.effective_from
    asked_at = timezone.now()
    request = VaRequest(
        hoa=head.code,
        ddo_code=unit.ddo_code,
        grantee_code=unit.grantee_ag_code,
        from_date=ist_naive(since),
    )
    exchange = jit_exchange(service=request.service_id, params=request.to_params())
    allotments: list[VaAllotment] = []
    if exchange.outcome == JitOutcome.SUCCESS:
        try:
            allotments = va_allotments(exchange.response, hoa=head.code)
        except JitProtocolError as exc:
            exchange.outcome_downgrade(exc.message)
    with transaction.atomic():
        if exchange.outcome != JitOutcome.SUCCESS:
            jit_call_record(exchange=exchange, tenant_id=city.code, pi=None)
            return None
        try:
            with transaction.atomic():
                added = sum(_allotment_apply(city=city, unit=unit, allotment=item) for item in allotments)
        except ApplicationError as exc:
            exchange.outcome_downgrade(f"Kosh could not apply the allotments: {exc.message}")
            jit_call_record(exchange=exchange, tenant_id=city.code, pi=None)
            return None
        jit_call_record(exchange=exchange, tenant_id=city.code, pi=None)
        VaWatermark.objects.update_or_create(
            tenant=city,
            hoa_code=head.code,
            ddo_code=unit.ddo_code,
            grantee_code=unit.grantee_ag_code,
            defaults={"last_executed_at": asked_at - timedelta(seconds=1)},
        )
        return added


def allotment_apply(*, tenant_id: str, ssu_id: str, allotment: VaAllotment) -> bool:
    """Record one allotment as VA reports it (also used to seed demo funds). False if it was already recorded."""
    city = Tenant.objects.get(code=tenant_id)
    unit = SpendingUnit.objects.get(tenant=city, ssu_id=ssu_id)
    with transaction.atomic():
        return bool(_allotment_apply(city=city, unit=unit, allotment=allotment))


def _allotment_apply(*, city: Tenant, unit: SpendingUnit, allotment: VaAllotment) -> int:
    if allotment.transaction_type not in Allotment.Type.values:
        raise ApplicationError("VA_UNKNOWN_TYPE", f"allotmentTxnType '{allotment.transaction_type}' is unknown")
    if allotment.amount <= 0:
        raise ApplicationError("VA_INVALID_AMOUNT", f"allotmentAmount {allotment.amount} must be more than zero")
    sanction = Sanction.objects.filter(tenant=city, master_allotment_id=allotment.master_allotment_id).first()
    if sanction is None:
        if allotment.transaction_type != Allotment.Type.INITIAL:
            raise ApplicationError(
                "VA_NO_SANCTION", f"{allotment.transaction_type} for unknown sanction {allotment.master_allotment_id}"
            )
        sanction = Sanction.objects.create(
            tenant=city,
            spending_unit=unit,
            hoa_code=allotment.hoa,
            ddo_code=allotment.ddo_code,
            master_allotment_id=allotment.master_allotment_id,
            sanctioned_amount=allotment.available_balance + allotment.amount,
            financial_year=_financial_year(allotment.allotment_date, city),
            program_code=unit.program_code,
        )
        FundsSummary.objects.create(sanction=sanction, allotted_amount=ZERO, available_amount=ZERO)
    FundsSummary.objects.select_for_update().get(sanction=sanction)
    if sanction.allotments.filter(serial_number=allotment.serial_number).exists():
        return 0
    Allotment.objects.create(
        sanction=sanction,
        serial_number=allotment.serial_number,
        ssu_allotment_id=allotment.ssu_allotment_id,
        amount=allotment.amount,
        transaction_type=allotment.transaction_type,
        sanction_balance=allotment.available_balance,
        allotment_date=allotment.allotment_date,
    )
    funds_summary_recompute(sanction=sanction)
    return 1


def _financial_year(moment: datetime, city: Tenant) -> str:
    return financial_year_label(moment.date(), start_month=city.financial_year_start_month)
