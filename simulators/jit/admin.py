from django.contrib import admin

from simulators.jit.models import SimAllotment, SimBeneficiary, SimBill, SimScenario


@admin.register(SimScenario)
class SimScenarioAdmin(admin.ModelAdmin):
    """How each simulated JIT service answers: edit to play no response, an error, or failed payments."""

    list_display = ("service", "mode", "error_message", "fail_benf_ids", "hold_benf_ids", "remaining_calls")


class SimBeneficiaryInline(admin.TabularInline):
    model = SimBeneficiary
    fields = ("benf_id", "name", "ifsc", "amount", "status", "utr_no", "failed_reason")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(SimBill)
class SimBillAdmin(admin.ModelAdmin):
    list_display = ("jit_bill_no", "kind", "gross_amount", "pmt_inst_id", "online_bill_ref_no", "voucher_no")
    list_filter = ("kind",)
    search_fields = ("jit_bill_no",)
    inlines = [SimBeneficiaryInline]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SimAllotment)
class SimAllotmentAdmin(admin.ModelAdmin):
    list_display = (
        "allotment_txn_sl_no",
        "hoa",
        "ddo_code",
        "allotment_txn_type",
        "allotment_amount",
        "allotment_date",
    )

    def has_change_permission(self, request, obj=None):
        return False
