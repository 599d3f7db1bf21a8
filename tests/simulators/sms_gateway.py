"""Driving the SMS gateway simulator over HTTP from tests, as an operator would."""

import requests
from django.conf import settings


class SmsGatewayClient:
    """The simulator's control and inspection endpoints at `base_url` (…/simulators/sms/)."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.send_url = f"{base_url}send"
        self.token = settings.KOSH_SMS_SIMULATOR["TOKEN"]

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}

    def control(self, **fields) -> dict:
        response = requests.post(f"{self.base_url}control", json=fields, headers=self.headers, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def messages(self, **filters) -> list[dict]:
        response = requests.get(f"{self.base_url}messages", params=filters, headers=self.headers, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["messages"]

    def report(self, message_id: str, **fields) -> dict:
        response = requests.post(
            f"{self.base_url}messages/{message_id}/report", json=fields, headers=self.headers, timeout=30
        )
        assert response.status_code == 200, response.text
        return response.json()


def sms_gateway_use(settings, live_server) -> SmsGatewayClient:
    """Point Kosh's `simulator` provider at the simulator the live server runs, and answer its client."""
    base_url = f"{live_server.url}/simulators/sms/"
    settings.KOSH_SMS_PROVIDER = "simulator"
    settings.KOSH_SMS_SIMULATOR = {**settings.KOSH_SMS_SIMULATOR, "URL": f"{base_url}send", "ENABLED": True}
    return SmsGatewayClient(base_url)
