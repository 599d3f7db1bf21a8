from django.contrib import admin

from simulators.models import SmsGatewayMessage


@admin.register(SmsGatewayMessage)
class SmsGatewayMessageAdmin(admin.ModelAdmin):
    """What the SMS gateway simulator received: read-only."""

    list_display = ("message_id", "received_at", "to", "sender", "dlt_template_id", "reference", "status")
    list_filter = ("status",)
    search_fields = ("=reference", "=to", "=message_id")
    readonly_fields = ("message_id", "to", "text", "sender", "dlt_template_id", "reference", "status", "received_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
