import pytest
from django.utils import timezone

from core.models import AuditEvent
from notifications.models import SmsMessage
from tests.notifications.factories import SmsMessageFactory

URL = "/notifications/sms/delivery-reports/http"
TOKEN = "dlr-secret-for-tests"


@pytest.fixture
def gateway_reports(settings):
    settings.KOSH_SMS_HTTP = {**settings.KOSH_SMS_HTTP, "DLR_TOKEN": TOKEN}


@pytest.fixture
def sent(db, tenants):
    return SmsMessageFactory(
        status=SmsMessage.Status.SENT,
        sent_at=timezone.now(),
        next_attempt_at=None,
        attempts=1,
        provider="http",
        provider_message_id="GW-7781",
    )


def test_a_delivered_report_marks_the_message_delivered(api, gateway_reports, sent):
    response = api.post(URL, {"messageId": "GW-7781", "status": "DELIVRD"}, format="json", HTTP_X_KOSH_TOKEN=TOKEN)

    sent.refresh_from_db()
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "UPDATED", "messageId": "GW-7781"}
    assert sent.status == SmsMessage.Status.DELIVERED
    assert sent.delivered_at is not None
    assert AuditEvent.objects.filter(
        entity_id=str(sent.pk), action="SMS_DELIVERY_REPORT", to_state="DELIVERED"
    ).exists()


def test_a_failed_report_in_the_query_string_records_the_reason(api, gateway_reports, sent):
    response = api.get(URL, {"messageId": "GW-7781", "status": "UNDELIV", "error": "DND number", "token": TOKEN})

    sent.refresh_from_db()
    assert response.status_code == 200, response.content
    assert sent.status == SmsMessage.Status.FAILED
    assert sent.failed_at is not None
    assert "UNDELIV" in sent.last_error
    assert "DND number" in sent.last_error


def test_a_form_report_with_a_bearer_token_is_read(api, gateway_reports, sent):
    response = api.post(URL, {"messageId": "GW-7781", "status": "delivered"}, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    sent.refresh_from_db()
    assert response.status_code == 200, response.content
    assert sent.status == SmsMessage.Status.DELIVERED


def test_a_repeated_report_changes_nothing(api, gateway_reports, sent):
    api.post(URL, {"messageId": "GW-7781", "status": "DELIVERED"}, format="json", HTTP_X_KOSH_TOKEN=TOKEN)
    sent.refresh_from_db()
    delivered_at = sent.delivered_at

    response = api.post(URL, {"messageId": "GW-7781", "status": "DELIVERED"}, format="json", HTTP_X_KOSH_TOKEN=TOKEN)

    sent.refresh_from_db()
    assert response.json()["status"] == "UNCHANGED"
    assert sent.delivered_at == delivered_at


def test_a_late_contradicting_report_does_not_undo_the_first(api, gateway_reports, sent):
    api.post(URL, {"messageId": "GW-7781", "status": "DELIVERED"}, format="json", HTTP_X_KOSH_TOKEN=TOKEN)

    response = api.post(URL, {"messageId": "GW-7781", "status": "EXPIRED"}, format="json", HTTP_X_KOSH_TOKEN=TOKEN)

    sent.refresh_from_db()
    assert response.json()["status"] == "UNCHANGED"
    assert sent.status == SmsMessage.Status.DELIVERED


def test_an_interim_status_is_ignored(api, gateway_reports, sent):
    response = api.post(URL, {"messageId": "GW-7781", "status": "SUBMITTED"}, format="json", HTTP_X_KOSH_TOKEN=TOKEN)

    sent.refresh_from_db()
    assert response.json()["status"] == "IGNORED"
    assert sent.status == SmsMessage.Status.SENT


def test_a_report_without_the_token_is_refused(api, gateway_reports, sent):
    response = api.post(URL, {"messageId": "GW-7781", "status": "DELIVERED"}, format="json")

    sent.refresh_from_db()
    assert response.status_code == 401
    assert response.json()["Errors"][0]["code"] == "AUTHENTICATION_REQUIRED"
    assert sent.status == SmsMessage.Status.SENT


def test_a_report_with_another_token_is_refused(api, gateway_reports, sent):
    response = api.post(URL, {"messageId": "GW-7781", "status": "DELIVERED"}, format="json", HTTP_X_KOSH_TOKEN="guess")

    sent.refresh_from_db()
    assert response.status_code == 401
    assert response.json()["Errors"][0]["code"] == "INVALID_ACCESS_TOKEN"
    assert sent.status == SmsMessage.Status.SENT


def test_a_provider_without_a_token_takes_no_reports(api, settings, sent):
    settings.KOSH_SMS_HTTP = {**settings.KOSH_SMS_HTTP, "DLR_TOKEN": ""}

    response = api.post(URL, {"messageId": "GW-7781", "status": "DELIVERED"}, format="json", HTTP_X_KOSH_TOKEN="")

    assert response.status_code == 404


@pytest.mark.parametrize("provider", ["console", "nosuchgateway"])
def test_providers_that_send_no_reports_have_no_webhook(api, db, provider):
    response = api.post(f"/notifications/sms/delivery-reports/{provider}", {}, format="json", HTTP_X_KOSH_TOKEN="x")

    assert response.status_code == 404


def test_the_simulator_s_webhook_is_closed_under_production_settings(api, settings, db):
    settings.KOSH_ENVIRONMENT = "production"
    token = settings.KOSH_SMS_SIMULATOR["DLR_TOKEN"]

    response = api.post(
        "/notifications/sms/delivery-reports/simulator",
        {"messageId": "SIM-1", "status": "DELIVERED"},
        format="json",
        HTTP_X_KOSH_TOKEN=token,
    )

    assert response.status_code == 404


def test_a_report_for_an_unknown_message_is_not_found(api, gateway_reports, sent):
    response = api.post(URL, {"messageId": "GW-0000", "status": "DELIVERED"}, format="json", HTTP_X_KOSH_TOKEN=TOKEN)

    assert response.status_code == 404
    assert response.json()["Errors"][0]["code"] == "SMS_NOT_FOUND"


def test_a_report_for_another_provider_s_message_is_not_found(api, gateway_reports, sent):
    SmsMessage.objects.filter(pk=sent.pk).update(provider="simulator")

    response = api.post(URL, {"messageId": "GW-7781", "status": "DELIVERED"}, format="json", HTTP_X_KOSH_TOKEN=TOKEN)

    assert response.status_code == 404


def test_a_report_without_a_status_names_the_field(api, gateway_reports, sent):
    response = api.post(URL, {"messageId": "GW-7781"}, format="json", HTTP_X_KOSH_TOKEN=TOKEN)

    assert response.status_code == 400
    assert response.json()["Errors"][0]["params"] == ["status"]


def test_a_body_that_is_not_an_object_is_refused(api, gateway_reports, sent):
    response = api.post(URL, [1, 2], format="json", HTTP_X_KOSH_TOKEN=TOKEN)

    assert response.status_code == 400


def test_the_gateway_s_own_field_names_come_from_settings(api, settings, sent):
    settings.KOSH_SMS_HTTP = {
        **settings.KOSH_SMS_HTTP,
        "DLR_TOKEN": TOKEN,
        "DLR_MESSAGE_ID_FIELD": "msgid",
        "DLR_STATUS_FIELD": "dlrstatus",
        "DLR_DELIVERED_VALUES": ["1"],
        "DLR_FAILED_VALUES": ["2"],
    }

    response = api.get(URL, {"msgid": "GW-7781", "dlrstatus": "2", "token": TOKEN})

    sent.refresh_from_db()
    assert response.status_code == 200, response.content
    assert sent.status == SmsMessage.Status.FAILED
