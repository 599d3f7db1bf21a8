import factory
from django.utils import timezone

from notifications.models import SmsMessage, SmsTemplate
from tests.core.factories import TenantFactory


class SmsTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SmsTemplate

    tenant = None
    code = factory.Sequence(lambda n: f"TEST_NOTICE_{n}")
    locale = "en_IN"
    text = "Rs. {amount} received, receipt {receipt_number}."
    dlt_template_id = "1107160000000012345"


class SmsMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SmsMessage

    tenant = factory.SubFactory(TenantFactory, code="pb.amritsar")
    event_key = factory.Sequence(lambda n: f"test:event:{n}")
    template = factory.SubFactory(SmsTemplateFactory)
    locale = "en_IN"
    dlt_template_id = factory.LazyAttribute(lambda m: m.template.dlt_template_id)
    to = "9876543210"
    text = "Rs. 100.00 received, receipt R-1."
    status = SmsMessage.Status.QUEUED
    next_attempt_at = factory.LazyFunction(timezone.now)
