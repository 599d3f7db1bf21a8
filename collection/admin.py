"""Payments, receipts and remittances are written only by services: the admin reads them, and its workflow actions
call the same service as the API (a reason is typed next to the action)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm

from collection.models import Payment, PaymentAllocation, PaymentDetail, PgTransaction, Remittance
from collection.services.workflow import WorkflowAction, WorkflowItem, payment_workflow
from core.admin import ReadOnlyAdminMixin
from core.errors import ApplicationError


class WorkflowActionForm(ActionForm):
    reason = forms.CharField(required=False, max_length=500, help_text="Required to cancel, reject or dishonour.")


class PaymentDetailInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PaymentDetail
    fields = ("receipt_number", "receipt_date", "business_service", "bill", "total_due", "total_amount_paid", "voucher")
    readonly_fields = fields
    extra = 0


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "transaction_date",
        "tenant",
        "payment_mode",
        "total_amount_paid",
        "instrument_status",
        "payment_status",
        "paid_by",
        "remittance",
    )
    list_filter = ("tenant", "payment_mode", "instrument_status", "payment_status")
    list_select_related = ("tenant", "remittance")
    search_fields = ("details__receipt_number", "transaction_number", "instrument_number", "mobile_number", "paid_by")
    date_hierarchy = "transaction_date"
    inlines = [PaymentDetailInline]
    action_form = WorkflowActionForm
    actions = ["approve", "reject", "cancel", "dishonour"]

    @admin.action(description="Approve the selected receipts")
    def approve(self, request, queryset):
        self._act(request, queryset, WorkflowAction.APPROVE)

    @admin.action(description="Reject the selected receipts (reason required)")
    def reject(self, request, queryset):
        self._act(request, queryset, WorkflowAction.REJECT)

    @admin.action(description="Cancel the selected receipts (reason required)")
    def cancel(self, request, queryset):
        self._act(request, queryset, WorkflowAction.CANCEL)

    @admin.action(description="Dishonour the selected cheques or drafts (reason required)")
    def dishonour(self, request, queryset):
        self._act(request, queryset, WorkflowAction.DISHONOUR)

    def _act(self, request, queryset, action: str) -> None:
        reason = request.POST.get("reason", "")
        for payment in queryset.prefetch_related("details__business_service"):
            receipt = payment.details.all()[0]
            try:
                payment_workflow(
                    tenant_id=payment.tenant_id,
                    module=receipt.business_service.code,
                    action=action,
                    items=[WorkflowItem(payment_id=str(payment.pk), reason=reason)],
                    actor=request.user,
                )
            except ApplicationError as exc:
                self.message_user(request, f"{receipt.receipt_number}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{receipt.receipt_number}: {action} done")


class PaymentAllocationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PaymentAllocation
    fields = ("tax_head_code", "gl_code", "amount", "is_advance", "demand_detail")
    readonly_fields = fields
    extra = 0


@admin.register(PaymentDetail)
class ReceiptAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("receipt_number", "receipt_date", "tenant", "business_service", "total_amount_paid", "bill")
    list_filter = ("tenant", "business_service")
    list_select_related = ("tenant", "business_service", "bill")
    search_fields = ("receipt_number", "bill__bill_number", "bill__consumer_code")
    date_hierarchy = "receipt_date"
    inlines = [PaymentAllocationInline]


@admin.register(Remittance)
class RemittanceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("reference_number", "reference_date", "tenant", "bank_account", "total_amount", "voucher")
    list_filter = ("tenant",)
    list_select_related = ("tenant", "voucher")
    search_fields = ("reference_number", "bank_account")
    date_hierarchy = "reference_date"


@admin.register(PgTransaction)
class PgTransactionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Online transactions as the gateway left them; a FAILURE with a gateway SUCCESS status is money to refund."""

    list_display = (
        "created_at",
        "txn_id",
        "tenant",
        "consumer_code",
        "txn_amount",
        "txn_status",
        "gateway",
        "gateway_status_code",
        "payment",
    )
    list_filter = ("tenant", "txn_status", "gateway", "gateway_status_code")
    list_select_related = ("tenant", "payment")
    search_fields = ("txn_id", "gateway_txn_id", "consumer_code", "payer_mobile")
    date_hierarchy = "created_at"
