"""Building envelopes for pipeline tests: a program on the simulator bank, accounts in the mapper, disbursements."""

from decimal import Decimal

from django.utils import timezone

from bridge.models import Disbursement, Envelope, FinancialAddress
from bridge.services.disbursements import disbursements_create
from bridge.services.envelopes import envelope_create
from tests.bridge.factories import BenefitProgramFactory

ACCOUNT = "500000000001"


def envelope_with_disbursements(
    client,
    count: int,
    *,
    amount=Decimal("100.00"),
    envelope_id="ENV-1",
    schedule_date=None,
    resolution_required=True,
    with_accounts=True,
    program=None,
) -> Envelope:
    """An envelope of `count` disbursements, complete, so the pipeline starts once the call commits."""
    program = program or BenefitProgramFactory(
        mnemonic="OAP", sponsor_bank_account_number=ACCOUNT, id_mapper_resolution_required=resolution_required
    )
    if with_accounts:
        FinancialAddress.objects.bulk_create(
            FinancialAddress(
                tenant_id=client.tenant_id,
                beneficiary_id=f"BEN-{n:06d}",
                account_number=f"91{n:010d}",
                bank_code="SBIN0001234",
            )
            for n in range(1, count + 1)
        )
    envelope = envelope_create(
        client=client,
        payload={
            "disbursement_envelope_id": envelope_id,
            "benefit_program_mnemonic": program.mnemonic,
            "disbursement_frequency": "Monthly",
            "cycle_code_mnemonic": "2026-11",
            "number_of_beneficiaries": count,
            "number_of_disbursements": count,
            "total_disbursement_amount": amount * count,
            "disbursement_currency_code": "INR",
            "disbursement_schedule_date": (schedule_date or timezone.localdate()).isoformat(),
        },
    )
    disbursements_create(
        client=client,
        items=[
            {
                "disbursement_id": f"D-{n:06d}",
                "disbursement_envelope_id": envelope_id,
                "beneficiary_id": f"BEN-{n:06d}" if resolution_required else f"91{n:010d}@SBIN0001234",
                "beneficiary_name": f"Beneficiary {n}",
                "disbursement_amount": amount,
                "narrative": "Pension",
            }
            for n in range(1, count + 1)
        ],
    )
    return envelope


def statuses(envelope) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in Disbursement.objects.filter(envelope=envelope).values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts
