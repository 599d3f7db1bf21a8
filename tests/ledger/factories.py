import importlib
from datetime import date
from decimal import Decimal

import factory
from django.db import connection

from ledger.models import GLCode, Voucher, VoucherLine
from ledger.services import LineSpec, voucher_post
from tests.core.factories import TenantFactory

# Seeded GL codes (ledger.services.CHART_OF_ACCOUNTS).
CASH = "4502101"
BANK = "4501001"
WATER_CHARGES = "1401001"
PROPERTY_TAX = "1100101"
PENALTY = "1710101"
ADVANCE = "3504001"
MID_JUNE_2026 = date(2026, 6, 15)


class GLCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GLCode

    tenant = factory.SubFactory(TenantFactory, code="pb")
    code = factory.Sequence(lambda n: f"99{n:05d}")
    name = factory.LazyAttribute(lambda gl: f"Test account {gl.code}")
    type = GLCode.Type.INCOME


class VoucherFactory(factory.django.DjangoModelFactory):
    """A voucher row written straight to the database, past the service's checks."""

    class Meta:
        model = Voucher

    tenant = factory.SubFactory(TenantFactory, code="pb.amritsar")
    type = Voucher.Type.JOURNAL
    number = factory.Sequence(lambda n: f"DIRECT/{n:06d}")
    voucher_date = MID_JUNE_2026
    source_type = "test.direct"
    source_id = factory.Sequence(str)


class VoucherLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VoucherLine

    voucher = factory.SubFactory(VoucherFactory)
    gl_code = factory.LazyFunction(lambda: GLCode.objects.get(tenant_id="pb", code=CASH))
    debit = Decimal("0.00")
    credit = Decimal("0.00")


# Far above the small ids tests pass explicitly.
_source_ids = iter(range(1_000_000, 10**9))


def receipt_post(
    *,
    tenant_id: str = "pb.amritsar",
    lines=None,
    amount: str = "100.00",
    voucher_date: date = MID_JUNE_2026,
    source_id=None,
    voucher_type: str = Voucher.Type.RECEIPT,
    posted_by=None,
) -> Voucher:
    """A receipt voucher posted through the service: Dr cash, Cr water charges, `amount` each unless `lines`."""
    return voucher_post(
        tenant_id=tenant_id,
        voucher_type=voucher_type,
        voucher_date=voucher_date,
        lines=lines or [LineSpec(CASH, debit=Decimal(amount)), LineSpec(WATER_CHARGES, credit=Decimal(amount))],
        narration="Water charges received",
        source_type="collection.paymentdetail",
        source_id=source_id if source_id is not None else next(_source_ids),
        posted_by=posted_by,
    )


def ledger_database_rules_install() -> None:
    """Install the PostgreSQL triggers of migrations 0002 and 0004 (the suite runs with --no-migrations, so they
    are otherwise missing). Reinstalls them when present; does nothing on SQLite."""
    rules = importlib.import_module("ledger.migrations.0002_voucher_database_rules")
    numbering = importlib.import_module("ledger.migrations.0004_voucher_numbered_in_its_transaction")
    with connection.schema_editor() as schema_editor:
        rules.uninstall(None, schema_editor)
        rules.install(None, schema_editor)
        numbering.install(None, schema_editor)
