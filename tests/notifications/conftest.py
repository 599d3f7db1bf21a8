import pytest

from config.celery import app
from notifications.providers.http import gateway_connections_close
from notifications.services import sms_dispatch_resume, sms_templates_seed
from tests.simulators.sms_gateway import sms_gateway_use


@pytest.fixture(autouse=True)
def sms_settings(settings):
    """The console provider, no rate limit, Kosh's default attempts; tests change what they are about."""
    settings.KOSH_SMS_PROVIDER = "console"
    settings.KOSH_SMS_RATE_PER_SECOND = 0
    settings.KOSH_SMS_MAX_ATTEMPTS = 6
    settings.KOSH_SMS_RETRY_BASE_SECONDS = 30.0
    settings.KOSH_SMS_RETRY_MAX_SECONDS = 3600.0
    settings.KOSH_SMS_SWEEP_GRACE_SECONDS = 60.0
    sms_dispatch_resume()
    yield settings
    sms_dispatch_resume()


@pytest.fixture
def retries_at_once(settings):
    """No wait between attempts, and Celery's eager mode running a task's retry at once (it does so only when it
    does not propagate the task's exceptions): the whole chain of attempts runs inside the commit."""
    settings.KOSH_SMS_RETRY_BASE_SECONDS = 0.0
    app.conf.task_eager_propagates = False
    yield settings
    app.conf.task_eager_propagates = True


@pytest.fixture
def sms_templates(db):
    sms_templates_seed()


@pytest.fixture
def sms_gateway(settings, live_server):
    """The SMS gateway simulator, served over real HTTP by the live server, as Kosh's provider."""
    yield sms_gateway_use(settings, live_server)
    # A kept-alive connection would keep the live server's thread, and its database session, open.
    gateway_connections_close()
