"""Every write of the notifications app. Other apps call `sms_enqueue` and nothing else."""

from notifications.services.delivery import sms_delivery_report_record
from notifications.services.outbox import sms_enqueue, sms_resend
from notifications.services.sending import (
    SmsSendOutcome,
    sms_dispatch,
    sms_dispatch_resume,
    sms_retry_delay,
    sms_send,
    sms_sweep,
)
from notifications.services.templates import sms_template_text_check, sms_templates_seed

__all__ = [
    "SmsSendOutcome",
    "sms_delivery_report_record",
    "sms_dispatch",
    "sms_dispatch_resume",
    "sms_enqueue",
    "sms_resend",
    "sms_retry_delay",
    "sms_send",
    "sms_sweep",
    "sms_template_text_check",
    "sms_templates_seed",
]
