"""The generic HTTP gateway provider, configured only through settings, against the simulator over real HTTP."""

import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from notifications.providers import OutgoingSms, SmsSendError, provider_get
from notifications.providers.http import HttpGatewayConfig, gateway_connections_close

SMS = OutgoingSms(
    to="9876543210",
    text="ମୁକ୍ତା: Rs. 1500.00 ପେମେଣ୍ଟ & more",
    dlt_template_id="1107160000000012345",
    reference="KOSH-SMS-41",
)


@pytest.fixture
def http_gateway(settings, sms_gateway):
    """KOSH_SMS_HTTP for a gateway called like many Indian ones: GET, credentials and fields in the query."""
    settings.KOSH_SMS_PROVIDER = "http"
    settings.KOSH_SMS_HTTP = {
        **settings.KOSH_SMS_HTTP,
        "URL": sms_gateway.send_url,
        "METHOD": "GET",
        "PARAMS_TEMPLATE": {
            "apikey": "{token}",
            "to": "{to_91}",
            "text": "{text}",
            "sender": "{sender}",
            "dltTemplateId": "{dlt_template_id}",
            "reference": "{reference}",
        },
        "BODY_TEMPLATE": {},
        "AUTH": "none",
        "TOKEN": sms_gateway.token,
        "SUCCESS_REGEX": r'"status"\s*:\s*"ACCEPTED"',
        "MESSAGE_ID_REGEX": r'"messageId"\s*:\s*"([^"]+)"',
        "TIMEOUT_SECONDS": 5.0,
    }
    return sms_gateway


def test_a_get_gateway_receives_every_field_from_the_query_string(http_gateway):
    accepted = provider_get().send(SMS)

    received = http_gateway.messages()
    assert len(received) == 1
    assert received[0]["to"] == "919876543210"
    assert received[0]["text"] == SMS.text
    assert received[0]["dltTemplateId"] == "1107160000000012345"
    assert received[0]["reference"] == "KOSH-SMS-41"
    assert received[0]["sender"] == "KOSHGV"
    assert accepted.provider_message_id == received[0]["messageId"]


def test_a_form_post_gateway_with_basic_auth(http_gateway, settings):
    settings.KOSH_SMS_HTTP = {
        **settings.KOSH_SMS_HTTP,
        "METHOD": "POST",
        "PARAMS_TEMPLATE": {},
        "BODY_TEMPLATE": {"to": "{to_e164}", "text": "{text}", "reference": "{reference}"},
        "BODY_ENCODING": "form",
        "AUTH": "basic",
        "USERNAME": "kosh",
        "PASSWORD": http_gateway.token,
    }

    provider_get().send(SMS)

    received = http_gateway.messages()
    assert [(m["to"], m["text"]) for m in received] == [("+919876543210", SMS.text)]


def test_a_json_post_gateway_with_a_bearer_token_and_a_template_header(http_gateway, settings):
    settings.KOSH_SMS_HTTP = {
        **settings.KOSH_SMS_HTTP,
        "METHOD": "POST",
        "PARAMS_TEMPLATE": {},
        "BODY_TEMPLATE": {"to": "{to}", "text": "{text}", "reference": "{reference}"},
        "BODY_ENCODING": "json",
        "HEADERS": {"X-Unicode": "{unicode}"},
        "AUTH": "bearer",
    }

    provider_get().send(SMS)

    assert http_gateway.messages()[0]["to"] == "9876543210"


def test_a_text_naming_a_placeholder_is_sent_as_written(http_gateway):
    provider_get().send(OutgoingSms(to="9876543210", text="{token} {{x}}", dlt_template_id="", reference="R"))

    assert http_gateway.messages()[0]["text"] == "{token} {{x}}"


def test_a_200_answer_without_the_success_mark_may_be_tried_again(http_gateway, settings):
    settings.KOSH_SMS_HTTP = {**settings.KOSH_SMS_HTTP, "SUCCESS_REGEX": "QUEUED_OK"}

    with pytest.raises(SmsSendError) as refused:
        provider_get().send(SMS)

    assert refused.value.retryable is True
    assert "without the success mark" in refused.value.message


def test_a_5xx_answer_may_be_tried_again(http_gateway):
    http_gateway.control(failNext=1, failStatus=503)

    with pytest.raises(SmsSendError) as refused:
        provider_get().send(SMS)

    assert refused.value.retryable is True
    assert refused.value.message.startswith("HTTP 503 from the gateway")


def test_too_many_requests_may_be_tried_again(http_gateway):
    http_gateway.control(failNext=1, failStatus=429)

    with pytest.raises(SmsSendError) as refused:
        provider_get().send(SMS)

    assert refused.value.retryable is True


def test_wrong_credentials_are_final_and_never_echoed(http_gateway, settings):
    settings.KOSH_SMS_HTTP = {**settings.KOSH_SMS_HTTP, "TOKEN": "wrong-secret-123"}

    with pytest.raises(SmsSendError) as refused:
        provider_get().send(SMS)

    assert refused.value.retryable is False
    assert refused.value.message.startswith("HTTP 401")
    assert "wrong-secret-123" not in refused.value.message


def test_a_slow_gateway_times_out_and_may_be_tried_again(http_gateway, settings):
    settings.KOSH_SMS_HTTP = {**settings.KOSH_SMS_HTTP, "TIMEOUT_SECONDS": 0.3}
    http_gateway.control(delayMs=1500)

    with pytest.raises(SmsSendError) as refused:
        provider_get().send(SMS)

    assert refused.value.retryable is True
    assert "did not answer within 0.3 s" in refused.value.message
    # The gateway took the message after all, late: why gateways get Kosh's reference to drop a repeat.
    assert _eventually(lambda: http_gateway.messages(reference="KOSH-SMS-41"))


def _eventually(probe, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.05)
    return None


def test_an_unreachable_gateway_s_error_names_neither_credentials_nor_number(settings):
    settings.KOSH_SMS_HTTP = {
        **settings.KOSH_SMS_HTTP,
        "URL": "http://127.0.0.1:1/send",
        "METHOD": "GET",
        "PARAMS_TEMPLATE": {"apikey": "{token}", "to": "{to}"},
        "TOKEN": "top-secret-key",
    }

    with pytest.raises(SmsSendError) as refused:
        provider_get("http").send(SMS)

    assert refused.value.retryable is True
    assert "top-secret-key" not in refused.value.message
    assert "9876543210" not in refused.value.message


def test_a_gateway_behind_the_environment_s_proxy_is_reached_through_it(settings, monkeypatch):
    # given: HTTP_PROXY names a proxy that records what it is asked for and answers as the gateway would
    asked = []

    class Proxy(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            answer = b'{"status": "ACCEPTED", "messageId": "PROXIED-1"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    proxy = HTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    settings.KOSH_SMS_HTTP = {
        **settings.KOSH_SMS_HTTP,
        "URL": "http://sms-gateway.example.in/send",
        "METHOD": "GET",
        "PARAMS_TEMPLATE": {"to": "{to}", "reference": "{reference}"},
        "MESSAGE_ID_REGEX": r'"messageId"\s*:\s*"([^"]+)"',
    }
    gateway_connections_close()

    try:
        # when
        accepted = provider_get("http").send(SMS)
    finally:
        proxy.shutdown()
        gateway_connections_close()

    # then
    assert accepted.provider_message_id == "PROXIED-1"
    assert asked == ["http://sms-gateway.example.in/send?to=9876543210&reference=KOSH-SMS-41"]


def test_an_answer_echoing_the_number_is_masked_in_the_error(http_gateway, settings):
    settings.KOSH_SMS_HTTP = {**settings.KOSH_SMS_HTTP, "PARAMS_TEMPLATE": {"apikey": "{token}", "to": "{to}"}}
    too_long = "9876543210" * 3

    with pytest.raises(SmsSendError) as refused:
        provider_get().send(OutgoingSms(to=too_long, text="x", dlt_template_id="", reference="R"))

    assert refused.value.message.startswith("HTTP 400")
    assert too_long not in refused.value.message
    assert "*" * 26 + "3210" in refused.value.message


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"URL": ""}, "URL must be an http"),
        ({"METHOD": "PUT"}, "METHOD must be one of"),
        ({"METHOD": "GET", "BODY_TEMPLATE": {"to": "{to}"}}, "BODY_TEMPLATE needs METHOD POST"),
        ({"PARAMS_TEMPLATE": {"to": "{mobile}"}}, "unknown placeholders: mobile"),
        ({"PARAMS_TEMPLATE": {"to": "{to.real}"}}, "is not a placeholder"),
        ({"AUTH": "basic", "USERNAME": ""}, "AUTH basic needs USERNAME"),
        ({"AUTH": "bearer", "TOKEN": ""}, "AUTH bearer needs TOKEN"),
        ({"SUCCESS_REGEX": "("}, "SUCCESS_REGEX is not a regular expression"),
        ({"MESSAGE_ID_REGEX": "id=\\w+"}, "MESSAGE_ID_REGEX needs a group"),
    ],
)
def test_a_configuration_that_cannot_send_is_described(change, problem):
    base = {"URL": "https://sms.example.in/api", "METHOD": "POST", "AUTH": "none"}

    problems = HttpGatewayConfig.from_settings({**base, **change}).problems()

    assert any(problem in found for found in problems), problems


def test_a_complete_configuration_has_no_problems():
    config = HttpGatewayConfig.from_settings(
        {
            "URL": "https://sms.example.in/api",
            "METHOD": "GET",
            "PARAMS_TEMPLATE": {"user": "{username}", "pass": "{password}", "to": "{to_91}", "msg": "{text}"},
            "AUTH": "none",
            "SUCCESS_REGEX": "^OK",
            "MESSAGE_ID_REGEX": "id=(\\w+)",
        }
    )

    assert config.problems() == []
