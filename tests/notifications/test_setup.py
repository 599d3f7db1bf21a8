"""How the notifications app plugs into Celery, beat and `manage.py check`."""

from config.celery import app
from core.schedules import SCHEDULES
from notifications.checks import sms_settings_check
from notifications.tasks import sms_send_task, sms_sweep_task


def test_sms_tasks_go_to_the_notifications_queue():
    for name in ("notifications.sms_send", "notifications.sms_sweep"):
        assert app.amqp.router.route({}, name)["queue"].name == "notifications"


def test_sms_tasks_are_acknowledged_only_after_they_ran():
    assert sms_send_task.acks_late is True
    assert sms_sweep_task.acks_late is True


def test_the_sweep_runs_every_minute():
    sweep = next(s for s in SCHEDULES if s.task == "notifications.sms_sweep")

    assert sweep.crontab == "* * * * *"


def check_ids():
    return [message.id for message in sms_settings_check(None)]


def test_the_default_settings_pass_the_check():
    assert check_ids() == []


def test_an_unknown_provider_fails_the_check(settings):
    settings.KOSH_SMS_PROVIDER = "carrier-pigeon"

    assert check_ids() == ["notifications.E001"]


def test_an_http_provider_without_a_url_fails_the_check(settings):
    settings.KOSH_SMS_PROVIDER = "http"
    settings.KOSH_SMS_HTTP = {**settings.KOSH_SMS_HTTP, "URL": ""}

    assert "notifications.E002" in check_ids()


def test_a_claim_shorter_than_the_gateway_timeout_fails_the_check(settings):
    settings.KOSH_SMS_CLAIM_SECONDS = 5.0
    settings.KOSH_SMS_HTTP = {**settings.KOSH_SMS_HTTP, "TIMEOUT_SECONDS": 10.0}

    assert "notifications.E004" in check_ids()


def test_production_without_a_real_gateway_is_warned_about(settings):
    settings.KOSH_ENVIRONMENT = "production"

    assert check_ids() == ["notifications.W001"]
