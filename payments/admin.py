from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from core.admin import ReadOnlyAdminMixin
from core.errors import ApplicationError
from payments.forms import (
    ExpenseBillEntryForm,
    ExpenseLineFormSet,
    expense_bill_error_show,
    expense_lines_filled,
)
from payments.models import (
    Allotment,
    ExpenseBill,
    ExpenseLineItem,
    ExpensePayment,
    FundsSummary,
    FundTransaction,
    HeadOfAccount,
    JitCall,
    Payee,
    PayeeBankAccount,
    PaymentInstruction,
    PIBeneficiary,
    PIStatusLog,
    Sanction,
    SpendingUnit,
    VaWatermark,
)
from payments.services.bills import (
    BankAccountInput,
    expense_bill_create,
    payee_bank_account_change,
    payee_bank_account_check,
)
from payments.services.instructions import pi_create
from payments.services.polling import pi_refresh
from payments.services.revised import pi_revise

# --- Masters (editable) ---------------------------------------------------------------------


@admin.register(HeadOfAccount)
class HeadOfAccountAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "tenant", "sequence", "scheme_code", "is_active", "effective_from")
    list_filter = ("tenant", "is_active")
    search_fields = ("code", "name")


@admin.register(SpendingUnit)
class SpendingUnitAdmin(admin.ModelAdmin):
    list_display = ("ssu_id", "tenant", "ddo_code", "grantee_ag_code", "grantee_name", "is_active")
    list_filter = ("tenant", "is_active")
    search_fields = ("ssu_id", "ddo_code", "grantee_name")


class BankAccountInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PayeeBankAccount
    fields = ("masked_account", "ifsc", "account_holder_name", "account_type", "is_active", "created_at")
    readonly_fields = fields
    extra = 0

    @admin.display(description="account")
    def masked_account(self, obj):
        return str(obj).split(" / ")[0]


@admin.register(Payee)
class PayeeAdmin(admin.ModelAdmin):
    list_display = ("identifier", "name", "payee_type", "tenant", "mobile_number")
    list_filter = ("tenant", "payee_type")
    search_fields = ("identifier", "name")
    fields = ("tenant", "payee_type", "identifier", "name", "mobile_number", "address")
    inlines = [BankAccountInline]

    def get_readonly_fields(self, request, obj=None):
        return ("tenant", "payee_type", "identifier") if obj else ()


class BankAccountChangeForm(forms.ModelForm):
    class Meta:
        model = PayeeBankAccount
        fields = ("payee", "account_number", "ifsc", "account_holder_name", "account_type")

    def account(self) -> BankAccountInput:
        data = self.cleaned_data
        return BankAccountInput(
            account_number=data["account_number"],
            ifsc=data["ifsc"],
            account_holder_name=data["account_holder_name"],
            account_type=data["account_type"],
        )

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                payee_bank_account_check(payee=cleaned["payee"], account=self.account())
            except ApplicationError as exc:
                raise forms.ValidationError(exc.message) from None
        return cleaned


@admin.register(PayeeBankAccount)
class PayeeBankAccountAdmin(admin.ModelAdmin):
    """A correction is a new account (the old one is kept, inactive), made by the service that checks it."""

    form = BankAccountChangeForm
    list_display = ("payee", "__str__", "account_holder_name", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("payee__identifier", "payee__name", "ifsc")

    def has_change_permission(self, request, obj=None):
        return obj is None

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        created = payee_bank_account_change(
            payee=form.cleaned_data["payee"], account=form.account(), actor=request.user
        )
        obj.pk = created.pk


# --- Bills and payments (read-only) ---------------------------------------------------------


class LineItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ExpenseLineItem
    fields = ("payee", "head_code", "amount")
    readonly_fields = fields
    extra = 0


@admin.register(ExpenseBill)
class ExpenseBillAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Bills are read-only once received. A new one is entered on a form of its own, and taken by
    `expense_bill_create` exactly as the expense-bill API takes it (payment created, PI sent after commit)."""

    list_display = ("bill_number", "tenant", "bill_type", "bill_date", "net_payable", "created_at")
    list_filter = ("tenant", "bill_type")
    search_fields = ("bill_number", "reference_id")
    inlines = [LineItemInline]
    actions = ["send_payment_instruction"]

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("payments.add_expensebill")

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ExpenseBillEntryForm(request.POST or None)
        lines = ExpenseLineFormSet(request.POST or None, prefix="lines")
        if request.method == "POST" and form.is_valid() and lines.is_valid():
            filled = expense_lines_filled(lines)
            data = form.cleaned_data
            try:
                bill = expense_bill_create(
                    tenant_id=data["tenant"].code,
                    bill_number=data["bill_number"],
                    bill_type=data["bill_type"],
                    bill_date=data["bill_date"],
                    reference_id=data["reference_id"],
                    line_items=[line.line_item(index) for index, line in enumerate(filled)],
                    actor=request.user,
                )
            except ApplicationError as exc:
                expense_bill_error_show(exc, form=form, filled=filled)
            else:
                self.message_user(
                    request,
                    f"Bill {bill.bill_number} received: payment {bill.payment.payment_number} for "
                    f"₹{bill.net_payable}; its payment instruction goes to JIT-FS now.",
                )
                return redirect(reverse("admin:payments_expensebill_change", args=[bill.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Enter an approved expense bill",
            "form": form,
            "lines": lines,
            "errors": form.non_field_errors(),
            **(extra_context or {}),
        }
        return TemplateResponse(request, "payments/admin/expense_bill_add.html", context)

    @admin.action(description="Send a payment instruction to JIT-FS")
    def send_payment_instruction(self, request, queryset):
        for bill in queryset.select_related("payment"):
            try:
                pi = pi_create(tenant_id=bill.tenant_id, reference_id=bill.payment.payment_number, actor=request.user)
                self.message_user(request, f"{bill.bill_number}: {pi.pi_number} {pi.get_status_display()}")
            except ApplicationError as exc:
                self.message_user(request, f"{bill.bill_number}: {exc.message}", messages.ERROR)


@admin.register(ExpensePayment)
class ExpensePaymentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("payment_number", "tenant", "bill", "amount", "status", "updated_at")
    list_filter = ("tenant", "status")
    search_fields = ("payment_number", "bill__bill_number")


# --- Payment instructions (read-only; actions call services) --------------------------------


class BeneficiaryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PIBeneficiary
    fields = (
        "beneficiary_number",
        "account_holder_name",
        "account_masked",
        "ifsc",
        "amount",
        "payment_status",
        "utr_number",
        "failed_reason",
    )
    readonly_fields = fields
    extra = 0


class StatusLogInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = PIStatusLog
    fields = ("created_at", "service", "status", "outcome", "message")
    readonly_fields = fields
    extra = 0


@admin.register(PaymentInstruction)
class PaymentInstructionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "pi_number",
        "tenant",
        "pi_type",
        "status",
        "is_active",
        "net_amount",
        "beneficiary_count",
        "created_at",
    )
    list_filter = ("tenant", "pi_type", "status", "is_active")
    search_fields = ("pi_number", "payment__payment_number", "payment__bill__bill_number")
    exclude = ("poll_lease_until",)
    inlines = [BeneficiaryInline, StatusLogInline]
    actions = ["refresh", "retry", "revise"]

    def _each(self, request, queryset, operation):
        for pi in queryset:
            try:
                self.message_user(request, f"{pi.pi_number}: {operation(pi)}")
            except ApplicationError as exc:
                self.message_user(request, f"{pi.pi_number}: {exc.message}", messages.ERROR)

    @admin.action(description="Refresh: ask JIT-FS now")
    def refresh(self, request, queryset):
        self._each(request, queryset, lambda pi: pi_refresh(pi=pi, actor=request.user).message)

    @admin.action(description="Retry PI (failed originals)")
    def retry(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda pi: pi_create(tenant_id=pi.tenant_id, reference_id=pi.payment.payment_number, actor=request.user),
        )

    @admin.action(description="Generate revised PI (partial PIs)")
    def revise(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda pi: pi_revise(tenant_id=pi.tenant_id, parent_pi_number=pi.root.pi_number, actor=request.user),
        )


@admin.register(JitCall)
class JitCallAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "service", "pi", "outcome", "message", "duration_ms", "attempt")
    list_filter = ("service", "outcome")
    search_fields = ("pi__pi_number", "message")
    date_hierarchy = "created_at"


@admin.register(PIStatusLog)
class PIStatusLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "pi", "service", "status", "message")
    list_filter = ("service", "outcome")
    search_fields = ("pi__pi_number",)


# --- Funds (read-only) ----------------------------------------------------------------------


class AllotmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Allotment
    fields = ("serial_number", "transaction_type", "amount", "sanction_balance", "allotment_date")
    readonly_fields = fields
    extra = 0


@admin.register(Sanction)
class SanctionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("master_allotment_id", "tenant", "hoa_code", "ddo_code", "financial_year", "sanctioned_amount")
    list_filter = ("tenant", "financial_year")
    inlines = [AllotmentInline]


@admin.register(FundsSummary)
class FundsSummaryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("sanction", "allotted_amount", "available_amount", "updated_at")


@admin.register(FundTransaction)
class FundTransactionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("transaction_at", "sanction", "pi", "transaction_type", "amount")
    list_filter = ("transaction_type",)


@admin.register(VaWatermark)
class VaWatermarkAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("tenant", "hoa_code", "ddo_code", "grantee_code", "last_executed_at")
