from django.contrib import admin

from simulators.bank.models import SimAccount, SimFundBlock, SimPaymentBatch, SimStatement
from simulators.bank.services import account_masked


@admin.register(SimAccount)
class SimAccountAdmin(admin.ModelAdmin):
    list_display = ("account", "holder_name", "currency", "balance", "payment_failure_share")
    search_fields = ("account_number", "holder_name")

    @admin.display(description="Account")
    def account(self, account):
        return account_masked(account.account_number)


@admin.register(SimFundBlock)
class SimFundBlockAdmin(admin.ModelAdmin):
    list_display = ("reference", "account", "amount", "used_amount", "status", "created_at")
    list_filter = ("status",)
    readonly_fields = ("reference", "account", "amount", "used_amount", "idempotency_key", "released_at")


@admin.register(SimPaymentBatch)
class SimPaymentBatchAdmin(admin.ModelAdmin):
    list_display = ("reference", "account", "item_count", "total_amount", "created_at")
    readonly_fields = ("idempotency_key", "request_digest", "reference", "account", "block", "response")


@admin.register(SimStatement)
class SimStatementAdmin(admin.ModelAdmin):
    list_display = ("reference", "account", "number", "entry_count", "delivered_at", "delivery_error")
    readonly_fields = ("reference", "account", "number", "opening_balance", "closing_balance", "content")
