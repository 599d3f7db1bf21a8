"""The embedded default: every SMS goes to the log instead of a gateway."""

import logging
import uuid

from notifications.phones import mobile_mask
from notifications.providers.base import DeliveryReport, OutgoingSms, SmsAccepted

logger = logging.getLogger("notifications.console")


class ConsoleProvider:
    """Writes each SMS to the log and calls it accepted. Numbers are masked; the text only at DEBUG."""

    name = "console"

    def problems(self) -> list[str]:
        return []

    def send(self, sms: OutgoingSms) -> SmsAccepted:
        message_id = f"console-{uuid.uuid4().hex}"
        logger.info(
            "SMS %s to %s (%d characters) written to the log", sms.reference, mobile_mask(sms.to), len(sms.text)
        )
        logger.debug("SMS %s text: %s", sms.reference, sms.text)
        return SmsAccepted(provider_message_id=message_id)

    def delivery_report_token(self) -> str:
        return ""

    def delivery_report_parse(self, data: dict[str, str]) -> DeliveryReport:
        raise ValueError("body: the console provider sends no delivery reports")
