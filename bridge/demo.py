"""Demo data for the bridge: a benefit program paying from the simulator bank, a PBMS client and the simulated
bank's own client (for posting statements back), ten beneficiaries' accounts. Idempotent."""

from decimal import Decimal

from django.db import transaction

from bridge.models import BenefitProgram, BridgeClient, FinancialAddress
from bridge.services.clients import bridge_client_create

DEMO_TENANT = "pb.amritsar"
DEMO_PROGRAM = "OAP-AMR"
DEMO_SPONSOR_ACCOUNT = "500100200300"
# Known tokens, for development only: demo data is refused under production settings.
DEMO_PBMS_TOKEN = "kosh-demo-pbms-token"
DEMO_BANK_TOKEN = "kosh-demo-bank-token"


@transaction.atomic
def bridge_demo_seed() -> list:
    from core.services.demo import DemoLogin
    from simulators.bank.services import account_open

    if not BenefitProgram.objects.filter(tenant_id=DEMO_TENANT, mnemonic=DEMO_PROGRAM).exists():
        BenefitProgram.objects.create(
            tenant_id=DEMO_TENANT,
            mnemonic=DEMO_PROGRAM,
            name="Old age pension, Amritsar",
            funding_org_code="PB-SSD",
            funding_org_name="Punjab Social Security Department",
            sponsor_bank_code="SIMBANK",
            sponsor_bank_account_number=DEMO_SPONSOR_ACCOUNT,
            sponsor_bank_branch_code="AMR-MAIN",
            currency="INR",
            id_mapper_resolution_required=True,
        )
    for name, token in (("Demo PBMS", DEMO_PBMS_TOKEN), ("Simulator bank", DEMO_BANK_TOKEN)):
        if not BridgeClient.objects.filter(tenant_id=DEMO_TENANT, name=name).exists():
            bridge_client_create(tenant_id=DEMO_TENANT, name=name, token=token)
    for number in range(1, 11):
        FinancialAddress.objects.get_or_create(
            tenant_id=DEMO_TENANT,
            beneficiary_id=f"BEN-{number:06d}",
            defaults={"account_number": f"9100{number:08d}", "bank_code": "PUNB0123400"},
        )
    account_open(
        account_number=DEMO_SPONSOR_ACCOUNT,
        holder_name="Punjab Social Security Department",
        balance=Decimal("10000000.00"),
        payment_failure_share=Decimal("0.100"),
    )
    return [
        DemoLogin(f"G2P token {DEMO_PBMS_TOKEN}", DEMO_TENANT, f"PBMS client of program {DEMO_PROGRAM}"),
    ]
