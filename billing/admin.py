from django import forms
from django.contrib import admin

from billing.models import (
    Bill,
    BillAccountDetail,
    BillDetail,
    BusinessService,
    CollectionMode,
    Demand,
    DemandDetail,
    TaxHead,
    TaxPeriod,
)
from core.admin import ReadOnlyAdminMixin
from core.models import Tenant

# --- Masters (editable) ---------------------------------------------------------------------


class BusinessServiceAdminForm(forms.ModelForm):
    collection_modes_not_allowed = forms.MultipleChoiceField(
        choices=CollectionMode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Modes a collector may not take for this service.",
    )

    class Meta:
        model = BusinessService
        fields = (
            "tenant",
            "code",
            "name",
            "is_active",
            "part_payment_allowed",
            "is_advance_allowed",
            "min_amount_payable",
            "collection_modes_not_allowed",
            "receipt_approval_required",
            "receipt_id_format",
            "bill_expiry_days",
            "is_whole_rupee",
            "display_penalty",
            "display_advance",
            "time_penalty_percent",
            "time_penalty_grace_days",
            "is_voucher_creation_enabled",
            "fund_code",
            "function_code",
            "department_code",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "tenant" in self.fields:
            self.fields["tenant"].queryset = Tenant.objects.filter(state__isnull=True)

    def clean_collection_modes_not_allowed(self):
        chosen = set(self.cleaned_data["collection_modes_not_allowed"])
        return [mode for mode in CollectionMode.values if mode in chosen]


class TaxHeadInline(admin.TabularInline):
    model = TaxHead
    extra = 0
    fields = ("code", "name", "category", "order", "is_debit", "is_actual_demand", "is_required", "gl_code")


@admin.register(BusinessService)
class BusinessServiceAdmin(admin.ModelAdmin):
    form = BusinessServiceAdminForm
    list_display = ("code", "name", "tenant", "part_payment_allowed", "is_advance_allowed", "bill_expiry_days")
    list_filter = ("tenant", "is_active")
    search_fields = ("code", "name")
    inlines = [TaxHeadInline]
    fieldsets = (
        (None, {"fields": ("tenant", "code", "name", "is_active")}),
        (
            "Collection",
            {
                "fields": (
                    "part_payment_allowed",
                    "is_advance_allowed",
                    "min_amount_payable",
                    "collection_modes_not_allowed",
                    "receipt_approval_required",
                    "receipt_id_format",
                )
            },
        ),
        ("Bills", {"fields": ("bill_expiry_days", "is_whole_rupee", "display_penalty", "display_advance")}),
        ("Time penalty", {"fields": ("time_penalty_percent", "time_penalty_grace_days")}),
        (
            "Accounts",
            {"fields": ("is_voucher_creation_enabled", "fund_code", "function_code", "department_code")},
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        # Demands and bills point at the service by its row; its state and code stay put.
        return ("tenant", "code") if obj is not None else ()


@admin.register(TaxHead)
class TaxHeadAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "service", "category", "order", "is_debit", "is_actual_demand", "gl_code")
    list_filter = ("service__tenant", "service__code", "category")
    list_select_related = ("service",)
    search_fields = ("code", "name", "gl_code")

    def get_readonly_fields(self, request, obj=None):
        return ("service", "code") if obj is not None else ()


@admin.register(TaxPeriod)
class TaxPeriodAdmin(admin.ModelAdmin):
    list_display = ("code", "service", "from_date", "to_date", "period_cycle", "financial_year")
    list_filter = ("service__tenant", "service__code", "period_cycle", "financial_year")
    list_select_related = ("service",)
    search_fields = ("code",)


# --- Demands and bills (read-only) ----------------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DemandDetailInline(ReadOnlyInline):
    model = DemandDetail
    fields = ("tax_head", "tax_amount", "collection_amount", "additional_details", "modified_at")
    readonly_fields = fields


@admin.register(Demand)
class DemandAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "consumer_code",
        "business_service",
        "tenant",
        "tax_period_from",
        "tax_period_to",
        "status",
        "is_payment_completed",
    )
    list_filter = ("tenant", "business_service__code", "status", "is_payment_completed")
    list_select_related = ("business_service",)
    search_fields = ("consumer_code", "payer_name", "payer_mobile_number")
    inlines = [DemandDetailInline]


class BillDetailInline(ReadOnlyInline):
    model = BillDetail
    fields = ("demand", "from_period", "to_period", "amount", "amount_paid", "expiry_date")
    readonly_fields = fields
    show_change_link = True


@admin.register(Bill)
class BillAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("bill_number", "consumer_code", "business_service", "tenant", "total_amount", "status", "bill_date")
    list_filter = ("tenant", "business_service__code", "status", "source")
    list_select_related = ("business_service",)
    search_fields = ("bill_number", "consumer_code", "mobile_number", "payer_name")
    inlines = [BillDetailInline]


class BillAccountDetailInline(ReadOnlyInline):
    model = BillAccountDetail
    fields = ("order", "tax_head_code", "gl_code", "purpose", "amount", "adjusted_amount", "description")
    readonly_fields = fields


@admin.register(BillDetail)
class BillDetailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("bill", "from_period", "to_period", "amount", "expiry_date")
    list_select_related = ("bill",)
    search_fields = ("bill__bill_number", "bill__consumer_code")
    inlines = [BillAccountDetailInline]
