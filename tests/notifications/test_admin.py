import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent, Role
from notifications.models import SmsMessage, SmsTemplate
from tests.core.factories import UserFactory
from tests.notifications.factories import SmsMessageFactory, SmsTemplateFactory


@pytest.fixture
def admin_site(client, tenants):
    superuser = UserFactory(
        username="root", tenant=tenants["pb"], is_staff=True, is_superuser=True, roles=[(Role.SUPERUSER, "pb")]
    )
    client.force_login(superuser)
    client.user = superuser
    return client


def failed_message(**fields):
    return SmsMessageFactory(
        status=SmsMessage.Status.FAILED,
        failed_at=timezone.now(),
        next_attempt_at=None,
        attempts=6,
        last_error="gave up after 6 attempts; last error: HTTP 503",
        **fields,
    )


def test_the_outbox_lists_messages_with_masked_numbers(admin_site):
    SmsMessageFactory(to="9876543210")

    response = admin_site.get(reverse("admin:notifications_smsmessage_changelist"), {"status__exact": "QUEUED"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "******3210" in page
    assert "9876543210" not in page


def test_the_outbox_filters_by_status(admin_site):
    SmsMessageFactory(event_key="kept:queued")
    failed_message(event_key="kept:failed")

    response = admin_site.get(reverse("admin:notifications_smsmessage_changelist"), {"status__exact": "FAILED"})

    assert response.status_code == 200
    assert [m.event_key for m in response.context["cl"].result_list] == ["kept:failed"]


def test_a_message_page_shows_it_read_only(admin_site):
    message = failed_message()

    response = admin_site.get(reverse("admin:notifications_smsmessage_change", args=[message.pk]))

    assert response.status_code == 200
    assert b"gave up after 6 attempts" in response.content
    assert b'name="_save"' not in response.content


def test_resend_queues_a_failed_message_again_and_sends_it(admin_site, django_capture_on_commit_callbacks):
    # given
    message = failed_message()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_site.post(
            reverse("admin:notifications_smsmessage_changelist"),
            {"action": "resend", "_selected_action": [message.pk]},
            follow=True,
        )

    # then
    message.refresh_from_db()
    assert response.status_code == 200
    assert "1 message queued again." in response.content.decode()
    assert message.status == SmsMessage.Status.SENT
    assert message.attempts == 1
    audit = AuditEvent.objects.get(entity_id=str(message.pk), action="SMS_RESEND")
    assert (audit.from_state, audit.to_state, audit.actor_id) == ("FAILED", "QUEUED", admin_site.user.pk)


def test_resend_leaves_a_sent_message_alone_and_says_so(admin_site, django_capture_on_commit_callbacks):
    message = SmsMessageFactory(status=SmsMessage.Status.SENT, sent_at=timezone.now(), next_attempt_at=None, attempts=1)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = admin_site.post(
            reverse("admin:notifications_smsmessage_changelist"),
            {"action": "resend", "_selected_action": [message.pk]},
            follow=True,
        )

    message.refresh_from_db()
    assert f"SMS {message.pk} not resent: SENT, not FAILED." in response.content.decode()
    assert message.attempts == 1
    assert callbacks == []


def test_resend_leaves_a_message_to_an_invalid_number_failed(admin_site):
    message = failed_message(to="12345")

    admin_site.post(
        reverse("admin:notifications_smsmessage_changelist"), {"action": "resend", "_selected_action": [message.pk]}
    )

    message.refresh_from_db()
    assert message.status == SmsMessage.Status.FAILED


def test_the_outbox_cannot_be_edited_or_deleted(admin_site):
    message = SmsMessageFactory()

    delete = admin_site.get(reverse("admin:notifications_smsmessage_delete", args=[message.pk]))
    add = admin_site.get(reverse("admin:notifications_smsmessage_add"))

    assert delete.status_code == 403
    assert add.status_code == 403


def test_a_template_text_must_use_only_what_its_senders_supply(admin_site):
    template = SmsTemplateFactory(code="JIT_PAYMENT_FAILED", text="Rs. {amount} failed, {UTRNO}.")

    response = admin_site.post(
        reverse("admin:notifications_smstemplate_change", args=[template.pk]),
        {"code": "JIT_PAYMENT_FAILED", "locale": "en_IN", "tenant": "", "text": "Rs. {amount} to {name} failed"},
    )

    template.refresh_from_db()
    assert response.status_code == 200
    assert "{name} is not supplied for JIT_PAYMENT_FAILED" in response.content.decode()
    assert template.text == "Rs. {amount} failed, {UTRNO}."


def test_a_city_may_get_its_own_text(admin_site, tenants):
    SmsTemplateFactory(code="JIT_PAYMENT_FAILED", text="Rs. {amount} failed, {UTRNO}.")

    response = admin_site.post(
        reverse("admin:notifications_smstemplate_add"),
        {
            "code": "JIT_PAYMENT_FAILED",
            "locale": "or_IN",
            "tenant": "od.angul",
            "text": "ଅନୁଗୁଳ: Rs. {amount} ବିଫଳ ({UTRNO})",
            "dlt_template_id": "1107160000000054321",
            "is_active": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert SmsTemplate.objects.get(tenant_id="od.angul").dlt_template_id == "1107160000000054321"


def test_a_second_default_for_one_code_and_language_is_refused(admin_site):
    SmsTemplateFactory(code="JIT_PAYMENT_FAILED", text="Rs. {amount} failed, {UTRNO}.")

    response = admin_site.post(
        reverse("admin:notifications_smstemplate_add"),
        {"code": "JIT_PAYMENT_FAILED", "locale": "en_IN", "tenant": "", "text": "Again {amount} {UTRNO}"},
    )

    assert response.status_code == 200
    assert SmsTemplate.objects.filter(code="JIT_PAYMENT_FAILED").count() == 1
