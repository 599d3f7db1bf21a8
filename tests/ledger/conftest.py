import pytest

from ledger.services import ledger_seed
from tests.ledger.factories import ledger_database_rules_install


@pytest.fixture(scope="session", autouse=True)
def ledger_database_rules(django_db_setup, django_db_blocker):
    """The database refuses unbalanced vouchers and changed posted rows in every ledger test on PostgreSQL."""
    with django_db_blocker.unblock():
        ledger_database_rules_install()


@pytest.fixture
def chart(tenants):
    """The demo tenants with the seeded chart of accounts and voucher number format of `pb` and `od`."""
    ledger_seed()
    return tenants
