from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from bridge.models import (
    ENVELOPE_STAGES,
    BenefitProgram,
    Disbursement,
    Envelope,
    EnvelopeStage,
    FinancialAddress,
)
from tests.core.factories import TenantFactory


class BenefitProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BenefitProgram

    tenant = factory.SubFactory(TenantFactory, code="pb.amritsar")
    mnemonic = factory.Sequence(lambda n: f"PROG{n}")
    name = factory.LazyAttribute(lambda p: f"Program {p.mnemonic}")
    funding_org_code = "SW-DEPT"
    funding_org_name = "Social Welfare Department"
    sponsor_bank_code = "SIMBANK"
    sponsor_bank_account_number = factory.Sequence(lambda n: f"5000{n:08d}")
    currency = "INR"
    id_mapper_resolution_required = True


class EnvelopeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Envelope
        skip_postgeneration_save = True

    program = factory.SubFactory(BenefitProgramFactory)
    tenant = factory.LazyAttribute(lambda e: e.program.tenant)
    envelope_id = factory.Sequence(lambda n: f"ENV-{n}")
    frequency = Envelope.Frequency.MONTHLY
    cycle_code_mnemonic = "2026-11"
    number_of_beneficiaries = 3
    number_of_disbursements = 3
    total_disbursement_amount = Decimal("600.00")
    currency = "INR"
    schedule_date = factory.LazyFunction(timezone.localdate)

    @factory.post_generation
    def stages(self, create, extracted, **kwargs):
        if create:
            EnvelopeStage.objects.bulk_create(EnvelopeStage(envelope=self, stage=stage) for stage in ENVELOPE_STAGES)


class DisbursementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Disbursement

    envelope = factory.SubFactory(EnvelopeFactory)
    tenant = factory.LazyAttribute(lambda d: d.envelope.tenant)
    disbursement_id = factory.Sequence(lambda n: f"D-{n:06d}")
    beneficiary_id = factory.Sequence(lambda n: f"BEN-{n:06d}")
    beneficiary_name = factory.Faker("name", locale="en_IN")
    amount = Decimal("200.00")
    narrative = "Old age pension"
    received_at = factory.LazyFunction(timezone.now)
    status_changed_at = factory.LazyFunction(timezone.now)


class FinancialAddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinancialAddress

    tenant = factory.SubFactory(TenantFactory, code="pb.amritsar")
    beneficiary_id = factory.Sequence(lambda n: f"BEN-{n:06d}")
    fa_type = FinancialAddress.Type.BANK_ACCOUNT
    account_number = factory.Sequence(lambda n: f"9100{n:08d}")
    bank_code = "SBIN0001234"
    account_holder_name = factory.Faker("name", locale="en_IN")


def tomorrow():
    return timezone.localdate() + timedelta(days=1)
