from django.contrib import admin

from simulators.pg.models import SimPgControl, SimPgOrder


@admin.register(SimPgOrder)
class SimPgOrderAdmin(admin.ModelAdmin):
    list_display = ("order_id", "gateway_txn_id", "amount", "paid_amount", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("order_id", "gateway_txn_id")


admin.site.register(SimPgControl)
