"""The SMS gateway simulator at /simulators/sms/."""

import base64
import time

import pytest
from django.utils import timezone

from notifications.models import SmsMessage
from notifications.providers.http import gateway_connections_close
from notifications.services import sms_send
from simulators.models import SmsGatewayControl, SmsGatewayMessage
from tests.notifications.factories import SmsMessageFactory
from tests.simulators.sms_gateway import sms_gateway_use

SEND = "/simulators/sms/send"
CONTROL = "/simulators/sms/control"


@pytest.fixture
def token(settings):
    return settings.KOSH_SMS_SIMULATOR["TOKEN"]


@pytest.fixture
def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def send(client, bearer, **fields):
    body = {"to": "9876543210", "text": "Rs. 10.00 received", "reference": "KOSH-SMS-1", **fields}
    return client.post(SEND, body, content_type="application/json", **bearer)


@pytest.mark.django_db
def test_a_message_is_recorded_and_answered_with_its_id(client, bearer):
    response = send(client, bearer, sender="KOSHGV", dltTemplateId="1107160000000012345")

    recorded = SmsGatewayMessage.objects.get()
    assert response.status_code == 200
    assert response.json() == {"status": "ACCEPTED", "messageId": recorded.message_id}
    assert (recorded.to, recorded.text, recorded.sender, recorded.dlt_template_id, recorded.reference) == (
        "9876543210",
        "Rs. 10.00 received",
        "KOSHGV",
        "1107160000000012345",
        "KOSH-SMS-1",
    )


@pytest.mark.django_db
def test_a_message_without_the_token_is_refused_and_not_recorded(client):
    response = send(client, {"HTTP_AUTHORIZATION": "Bearer not-the-token"})

    assert response.status_code == 401
    assert SmsGatewayMessage.objects.count() == 0


@pytest.mark.django_db
def test_the_token_may_come_as_basic_password_or_apikey(client, token):
    basic = base64.b64encode(f"kosh:{token}".encode()).decode()

    by_basic = client.post(SEND, {"to": "9876543210", "text": "a"}, HTTP_AUTHORIZATION=f"Basic {basic}")
    by_apikey = client.get(SEND, {"to": "9876543210", "text": "b", "apikey": token})

    assert (by_basic.status_code, by_apikey.status_code) == (200, 200)
    assert sorted(SmsGatewayMessage.objects.values_list("text", flat=True)) == ["a", "b"]


@pytest.mark.django_db
@pytest.mark.parametrize(("fields", "error"), [({"to": ""}, "to: required"), ({"text": ""}, "text: required")])
def test_a_message_without_number_or_text_is_refused(client, bearer, fields, error):
    response = send(client, bearer, **fields)

    assert response.status_code == 400
    assert response.json()["error"] == error


@pytest.mark.django_db
def test_fail_next_refuses_that_many_messages_then_accepts(client, bearer):
    client.post(CONTROL, {"failNext": 2, "failStatus": 502}, content_type="application/json", **bearer)

    statuses = [send(client, bearer, reference=f"R{n}").status_code for n in range(3)]

    assert statuses == [502, 502, 200]
    assert list(SmsGatewayMessage.objects.values_list("reference", flat=True)) == ["R2"]


@pytest.mark.django_db
def test_fail_always_refuses_everything_until_switched_off(client, bearer):
    client.post(CONTROL, {"failAlways": True, "failStatus": 503}, content_type="application/json", **bearer)
    down = [send(client, bearer).status_code for _ in range(3)]

    client.post(CONTROL, {"failAlways": False}, content_type="application/json", **bearer)

    assert down == [503, 503, 503]
    assert send(client, bearer).status_code == 200


@pytest.mark.django_db
def test_a_slow_gateway_answers_after_the_delay_and_records_the_message(client, bearer):
    client.post(CONTROL, {"delayMs": 50}, content_type="application/json", **bearer)
    started = time.monotonic()

    response = send(client, bearer, reference="KOSH-SMS-7")

    assert response.status_code == 200
    assert time.monotonic() - started >= 0.05
    assert SmsGatewayMessage.objects.get().message_id == response.json()["messageId"]


@pytest.mark.django_db
def test_controls_are_kept_in_the_database_for_every_process(client, bearer):
    response = client.post(
        CONTROL, {"failNext": 4, "failStatus": 429, "delayMs": 250}, content_type="application/json", **bearer
    )

    control = SmsGatewayControl.objects.get()
    assert response.json() == {"failNext": 4, "failAlways": False, "failStatus": 429, "delayMs": 250}
    assert (control.fail_next, control.fail_status, control.delay_ms) == (4, 429, 250)
    assert client.get(CONTROL, **bearer).json()["failNext"] == 4


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields", [{"failStatus": 200}, {"failNext": -1}, {"delayMs": 500000}, {"failAlways": "perhaps"}]
)
def test_controls_out_of_range_are_refused(client, bearer, fields):
    response = client.post(CONTROL, fields, content_type="application/json", **bearer)

    assert response.status_code == 400
    assert SmsGatewayControl.objects.count() == 0


@pytest.mark.django_db
def test_messages_can_be_listed_by_reference(client, bearer):
    send(client, bearer, reference="KOSH-SMS-1")
    send(client, bearer, reference="KOSH-SMS-2")

    response = client.get("/simulators/sms/messages", {"reference": "KOSH-SMS-2"}, **bearer)

    assert response.json()["count"] == 1
    assert [m["reference"] for m in response.json()["messages"]] == ["KOSH-SMS-2"]


@pytest.mark.django_db
def test_reset_forgets_messages_and_controls(client, bearer):
    send(client, bearer)
    client.post(CONTROL, {"failAlways": True}, content_type="application/json", **bearer)

    response = client.post("/simulators/sms/reset", **bearer)

    assert response.status_code == 200
    assert SmsGatewayMessage.objects.count() == 0
    assert SmsGatewayControl.objects.count() == 0


@pytest.mark.django_db
def test_the_simulator_is_off_under_production_settings(client, bearer, settings):
    settings.KOSH_ENVIRONMENT = "production"

    assert send(client, bearer).status_code == 404


@pytest.mark.django_db
def test_production_settings_may_switch_the_simulator_on(client, bearer, settings):
    settings.KOSH_ENVIRONMENT = "production"
    settings.KOSH_SMS_SIMULATOR = {**settings.KOSH_SMS_SIMULATOR, "ENABLED": True}

    assert send(client, bearer).status_code == 200


def test_a_delivery_report_reaches_kosh_over_http(settings, live_server, tenants):
    # given: a message Kosh sent through the simulator
    gateway = sms_gateway_use(settings, live_server)
    message = SmsMessageFactory()
    sms_send(message_id=message.pk)
    gateway_connections_close()
    message.refresh_from_db()
    assert message.status == SmsMessage.Status.SENT

    # when: the simulator is told the phone got it
    answer = gateway.report(message.provider_message_id, status="DELIVERED")

    # then: it posted the report to Kosh's webhook, which marked the message delivered
    message.refresh_from_db()
    assert answer["callbackStatus"] == 200, answer
    assert answer["callbackBody"]["status"] == "UPDATED"
    assert message.status == SmsMessage.Status.DELIVERED
    assert message.delivered_at <= timezone.now()
    assert SmsGatewayMessage.objects.get().status == "DELIVERED"
