"""Programs, clients and the account mapper are edited here; money rows are read-only."""

from django.contrib import admin, messages

from bridge.models import (
    BankBatch,
    BenefitProgram,
    BridgeClient,
    Disbursement,
    Envelope,
    EnvelopeStage,
    FinancialAddress,
    ReviewItem,
    Statement,
    masked,
)
from bridge.services.clients import bridge_client_rotate_token


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written only by the bridge's services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BenefitProgram)
class BenefitProgramAdmin(admin.ModelAdmin):
    list_display = ("mnemonic", "name", "tenant", "sponsor_bank_code", "account", "currency", "is_active")
    list_filter = ("tenant", "sponsor_bank_code", "is_active")
    search_fields = ("mnemonic", "name")

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Sponsor account")
    def account(self, program):
        return program.account_masked


@admin.register(BridgeClient)
class BridgeClientAdmin(admin.ModelAdmin):
    list_display = ("name", "tenant", "token_ending", "is_active", "last_used_at")
    list_filter = ("tenant", "is_active")
    fields = ("tenant", "name", "allowed_networks", "signature_public_key", "is_active", "token_hint", "last_used_at")
    readonly_fields = ("tenant", "name", "token_hint", "last_used_at")
    actions = ["rotate_token"]

    def has_add_permission(self, request):
        # Clients are made with `manage.py bridge_client_create`, which shows the token once.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Token ends")
    def token_ending(self, client):
        return f"…{client.token_hint}"

    @admin.action(description="Issue a new token (the old one stops working)")
    def rotate_token(self, request, queryset):
        for client in queryset:
            token = bridge_client_rotate_token(client=client, rotated_by=request.user)
            messages.warning(request, f"New token for {client.name}: {token} (shown once; give it to the client).")


@admin.register(FinancialAddress)
class FinancialAddressAdmin(admin.ModelAdmin):
    list_display = ("beneficiary_id", "tenant", "fa_type", "account", "bank_code", "is_active")
    list_filter = ("tenant", "fa_type", "is_active")
    search_fields = ("beneficiary_id",)

    @admin.display(description="Account")
    def account(self, address):
        return masked(address.account_number)


class EnvelopeStageInline(admin.TabularInline):
    model = EnvelopeStage
    fields = ("stage", "status", "attempts", "next_attempt_at", "last_error_code", "last_error", "reference", "amount")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Envelope)
class EnvelopeAdmin(ReadOnlyAdmin):
    list_display = (
        "envelope_id",
        "program",
        "tenant",
        "number_of_disbursements",
        "total_disbursement_amount",
        "schedule_date",
        "cancellation_status",
    )
    list_filter = ("tenant", "cancellation_status")
    search_fields = ("envelope_id",)
    inlines = [EnvelopeStageInline]


@admin.register(Disbursement)
class DisbursementAdmin(ReadOnlyAdmin):
    list_display = ("disbursement_id", "envelope", "beneficiary_id", "amount", "status", "failure_code")
    list_filter = ("status",)
    search_fields = ("disbursement_id", "beneficiary_id")
    list_select_related = ("envelope", "envelope__program")


@admin.register(BankBatch)
class BankBatchAdmin(ReadOnlyAdmin):
    list_display = ("envelope", "sequence", "status", "item_count", "total_amount", "attempts", "last_error_code")
    list_filter = ("status",)


@admin.register(Statement)
class StatementAdmin(ReadOnlyAdmin):
    list_display = (
        "filename",
        "tenant",
        "status",
        "entry_count",
        "remittance_count",
        "reversal_count",
        "review_count",
        "uploaded_at",
    )
    list_filter = ("tenant", "status")
    exclude = ("sha256",)


@admin.register(ReviewItem)
class ReviewItemAdmin(ReadOnlyAdmin):
    list_display = ("statement", "entry_sequence", "reason", "amount", "reference", "status")
    list_filter = ("reason", "status")
