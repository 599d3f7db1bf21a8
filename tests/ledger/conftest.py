import pytest

from ledger.services import ledger_seed


@pytest.fixture
def chart(tenants):
    """The demo tenants with the seeded chart of accounts and voucher number format of `pb` and `od`."""
    ledger_seed()
    return tenants
