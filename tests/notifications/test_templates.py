import pytest

from core.errors import ApplicationError
from notifications.models import SmsTemplate
from notifications.selectors import sms_template_get
from notifications.services import sms_template_text_check, sms_templates_seed
from tests.notifications.factories import SmsTemplateFactory

JIT_SUCCESSFUL_TEXT = (
    "Payment of Rs. {amount} for MUKTA, transaction {UTRNO} is made to your registered bank account. "
    "Contact your bank if not credited within 72 hours. MUKTA - Govt. of Odisha."
)
# sources/mukta-jit-fs-revised-pi-failed-payments.txt, "Notifications", with <UTRNO> as DIGIT's {UTRNO}.
JIT_FAILED_TEXT = (
    "Payment of Rs. {amount} for MUKTA, transaction {UTRNO} is failed. "
    "Contact MUKTA Cell at ULB for more detail. MUKTA - Govt. of Odisha."
)


@pytest.mark.django_db
def test_seed_ships_the_three_templates_in_english_and_hindi():
    created = sms_templates_seed()

    shipped = set(SmsTemplate.objects.filter(tenant=None).values_list("code", "locale"))
    for code in ("COLLECTION_RECEIPT", "JIT_PAYMENT_SUCCESSFUL", "JIT_PAYMENT_FAILED"):
        assert {(code, "en_IN"), (code, "hi_IN")} <= shipped
    assert created == len(shipped)


@pytest.mark.django_db
def test_seeded_jit_texts_are_mukta_s():
    sms_templates_seed()

    assert SmsTemplate.objects.get(code="JIT_PAYMENT_SUCCESSFUL", locale="en_IN").text == JIT_SUCCESSFUL_TEXT
    assert SmsTemplate.objects.get(code="JIT_PAYMENT_FAILED", locale="en_IN").text == JIT_FAILED_TEXT


@pytest.mark.django_db
def test_seeding_again_creates_nothing_and_keeps_an_administrator_s_edit():
    sms_templates_seed()
    SmsTemplate.objects.filter(code="JIT_PAYMENT_FAILED", locale="en_IN").update(
        text="Rs. {amount} not paid ({UTRNO}).", dlt_template_id="1107000000000000001"
    )
    count = SmsTemplate.objects.count()

    created = sms_templates_seed()

    edited = SmsTemplate.objects.get(code="JIT_PAYMENT_FAILED", locale="en_IN")
    assert created == 0
    assert SmsTemplate.objects.count() == count
    assert (edited.text, edited.dlt_template_id) == ("Rs. {amount} not paid ({UTRNO}).", "1107000000000000001")


@pytest.mark.django_db
def test_a_city_s_own_text_beats_its_state_s_and_the_default(tenants):
    SmsTemplateFactory(code="NOTICE", text="default")
    SmsTemplateFactory(code="NOTICE", tenant=tenants["pb"], text="punjab")
    SmsTemplateFactory(code="NOTICE", tenant=tenants["pb.amritsar"], text="amritsar")

    assert sms_template_get(code="NOTICE", tenant_id="pb.amritsar").text == "amritsar"
    assert sms_template_get(code="NOTICE", tenant_id="pb.jalandhar").text == "punjab"
    assert sms_template_get(code="NOTICE", tenant_id="od.angul").text == "default"


@pytest.mark.django_db
def test_another_city_s_text_is_never_used(tenants):
    SmsTemplateFactory(code="NOTICE", tenant=tenants["pb.amritsar"], text="amritsar")

    with pytest.raises(ApplicationError) as refused:
        sms_template_get(code="NOTICE", tenant_id="pb.jalandhar")

    assert refused.value.code == "SMS_TEMPLATE_NOT_FOUND"


@pytest.mark.django_db
def test_the_language_asked_for_wins_over_a_nearer_tenant(tenants):
    SmsTemplateFactory(code="NOTICE", tenant=tenants["pb.amritsar"], locale="en_IN", text="city english")
    SmsTemplateFactory(code="NOTICE", tenant=None, locale="pa_IN", text="default punjabi")

    assert sms_template_get(code="NOTICE", tenant_id="pb.amritsar", locale="pa_IN").text == "default punjabi"


@pytest.mark.django_db
def test_a_language_without_a_text_falls_back_to_english(tenants):
    SmsTemplateFactory(code="NOTICE", locale="en_IN", text="english")

    assert sms_template_get(code="NOTICE", tenant_id="od.angul", locale="or_IN").text == "english"


@pytest.mark.django_db
def test_a_switched_off_template_is_passed_over(tenants):
    SmsTemplateFactory(code="NOTICE", text="default")
    SmsTemplateFactory(code="NOTICE", tenant=tenants["pb"], text="punjab", is_active=False)

    assert sms_template_get(code="NOTICE", tenant_id="pb.amritsar").text == "default"


def test_an_edited_text_may_use_only_what_the_senders_supply():
    with pytest.raises(ApplicationError) as refused:
        sms_template_text_check(code="JIT_PAYMENT_FAILED", text="Rs. {amount} to {beneficiary_name} failed")

    assert "{beneficiary_name}" in refused.value.message
    assert sms_template_text_check(code="JIT_PAYMENT_FAILED", text="{UTRNO}: Rs. {amount} failed") == [
        "UTRNO",
        "amount",
    ]


def test_a_new_code_s_text_may_name_any_placeholder():
    assert sms_template_text_check(code="WATER_BILL_DUE", text="Pay {amount} by {due_date}") == ["amount", "due_date"]
