from django import forms
from django.contrib import admin, messages
from django.utils.translation import ngettext

from core.errors import ApplicationError
from notifications.models import SmsMessage, SmsTemplate
from notifications.phones import mobile_mask
from notifications.services import sms_resend, sms_template_text_check


class SmsTemplateAdminForm(forms.ModelForm):
    class Meta:
        model = SmsTemplate
        fields = ("code", "locale", "tenant", "text", "dlt_template_id", "is_active")
        widgets = {"text": forms.Textarea(attrs={"rows": 4, "cols": 90})}

    def clean(self):
        """Refuse a text its senders could not fill: the placeholders of a shipped code are fixed in code."""
        cleaned = super().clean()
        code, text = cleaned.get("code"), cleaned.get("text")
        if code and text:
            try:
                sms_template_text_check(code=code, text=text)
            except ApplicationError as exc:
                self.add_error("text", exc.message.removeprefix("text: "))
        return cleaned


@admin.register(SmsTemplate)
class SmsTemplateAdmin(admin.ModelAdmin):
    form = SmsTemplateAdminForm
    list_display = ("code", "locale", "tenant_shown", "dlt_template_id", "is_active", "updated_at")
    list_filter = ("code", "locale", "is_active", ("tenant", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("tenant",)
    search_fields = ("code", "text", "dlt_template_id")
    autocomplete_fields = ("tenant",)
    readonly_fields = ("created_at", "updated_at")

    @admin.display(description="tenant", ordering="tenant")
    def tenant_shown(self, obj):
        return obj.tenant_id or "default (every tenant)"

    def has_delete_permission(self, request, obj=None):
        # Sent messages point at their template; switch a template off instead.
        return False


@admin.register(SmsMessage)
class SmsMessageAdmin(admin.ModelAdmin):
    """The outbox: read-only; a FAILED message can be resent."""

    list_display = (
        "id",
        "created_at",
        "tenant_id",
        "template_code",
        "to_masked",
        "status",
        "attempts",
        "next_attempt_at",
        "provider",
        "provider_message_id",
        "error_short",
    )
    list_filter = ("status", "provider", "template__code", "locale", ("tenant", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("template",)
    search_fields = ("=event_key", "=provider_message_id", "=to")
    search_help_text = "Exact event key, gateway message id or 10-digit mobile number."
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ["resend"]
    fields = (
        "tenant",
        "event_key",
        "template",
        "locale",
        "dlt_template_id",
        "to",
        "text",
        "status",
        "attempts",
        "next_attempt_at",
        "provider",
        "provider_message_id",
        "last_error",
        "created_at",
        "sent_at",
        "delivered_at",
        "failed_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description="template", ordering="template__code")
    def template_code(self, obj):
        return obj.template.code

    @admin.display(description="to")
    def to_masked(self, obj):
        return mobile_mask(obj.to)

    @admin.display(description="last error")
    def error_short(self, obj):
        return obj.last_error if len(obj.last_error) <= 80 else obj.last_error[:79] + "…"

    @admin.action(description="Resend the selected FAILED messages", permissions=["resend"])
    def resend(self, request, queryset):
        result = sms_resend(
            message_ids=list(queryset.values_list("pk", flat=True)),
            actor=request.user,
            reason="resent from the administration site",
        )
        if result["queued"]:
            count = len(result["queued"])
            self.message_user(
                request,
                ngettext("%d message queued again.", "%d messages queued again.", count) % count,
                messages.SUCCESS,
            )
        for message_id, why in sorted(result["skipped"].items()):
            self.message_user(request, f"SMS {message_id} not resent: {why}.", messages.WARNING)

    def has_resend_permission(self, request):
        # Rows are never edited here; whoever may change outbox rows may put a failed one back in the queue.
        return request.user.has_perm("notifications.change_smsmessage")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
