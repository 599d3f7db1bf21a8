import pytest

from payments.clients.jit import JitClient
from tests.payments.factories import HeadOfAccountFactory, SpendingUnitFactory, funds_add


@pytest.fixture(scope="session")
def jit_key_dir(tmp_path_factory):
    """The simulator's RSA key pair for the test session, made on first use like the real one."""
    return tmp_path_factory.mktemp("jit-keys")


@pytest.fixture
def jit(settings, live_server, jit_key_dir, monkeypatch):
    """Kosh's JIT client pointed at the simulator, over real HTTP on the live server; SMS to the console."""
    from django.db import connection

    from notifications.services import sms_templates_seed
    from simulators.jit import crypto

    # The live server answers each request in a new thread: its connection must close with the request, or
    # PostgreSQL keeps the test database busy at teardown.
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)

    settings.KOSH_SMS_PROVIDER = "console"
    sms_templates_seed()

    settings.KOSH_JIT_SIMULATOR_KEY_DIR = str(jit_key_dir)
    settings.KOSH_JIT_BASE_URL = f"{live_server.url}/simulators/jit"
    settings.KOSH_JIT_CLIENT_ID = settings.KOSH_JIT_SIMULATOR_CLIENT_ID
    settings.KOSH_JIT_CLIENT_SECRET = settings.KOSH_JIT_SIMULATOR_CLIENT_SECRET
    settings.KOSH_JIT_PUBLIC_KEY_FILE = str(crypto.keys_ensure())
    settings.KOSH_JIT_READ_TIMEOUT_SECONDS = 10
    settings.KOSH_JIT_POLL_RETRIES = 2
    JitClient._sessions.clear()
    yield live_server
    JitClient._sessions.clear()


@pytest.fixture
def city(tenants):
    return tenants["od.angul"]


@pytest.fixture
def funded(city):
    """Angul with a spending unit, a head of account and ₹10,00,000 allotted."""
    from decimal import Decimal

    unit = SpendingUnitFactory(tenant=city)
    head = HeadOfAccountFactory(tenant=city.state)
    funds_add(unit=unit, head=head, amount=Decimal("1000000.00"))
    return unit


@pytest.fixture
def pi_viewer(city):
    from core.models import Role
    from tests.core.factories import UserFactory

    return UserFactory(username="angul.pi-viewer", tenant=city, roles=[(Role.PI_VIEWER, "od.angul")])


@pytest.fixture
def pi_creator(city):
    from core.models import Role
    from tests.core.factories import UserFactory

    return UserFactory(username="angul.pi-creator", tenant=city, roles=[(Role.PI_CREATOR, "od.angul")])


@pytest.fixture
def paid_revision(jit, city, funded):
    """A revised PI paid in full (SUCCESSFUL), walked there through the simulator: PI → PIS → PAG → PD → FD
    (the second of two beneficiaries fails) → COR → FTPS."""
    from payments.services.polling import jit_poll_run
    from payments.services.revised import pi_revise
    from tests.payments.factories import pi_with_a_failed_payment

    original = pi_with_a_failed_payment(city)
    revision = pi_revise(tenant_id=city.code, parent_pi_number=original.pi_number, actor=None)
    jit_poll_run(service="FTPS")
    revision.refresh_from_db()
    assert revision.status == "SUCCESSFUL"
    return revision
