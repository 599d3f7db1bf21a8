from django.contrib import admin

from core.admin import ReadOnlyAdminMixin
from ledger.models import GLCode, Voucher, VoucherLine


@admin.register(GLCode)
class GLCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "type", "tenant", "is_active")
    list_filter = ("tenant", "type", "is_active")
    list_select_related = ("tenant",)
    search_fields = ("code", "name")
    autocomplete_fields = ("tenant",)

    def get_readonly_fields(self, request, obj=None):
        # Postings point at the row: renaming its code or moving it to another tenant would rewrite the books.
        return ("tenant", "code") if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        # A code no longer used is made inactive; deleting it would orphan tax heads that name it.
        return False


class VoucherLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = VoucherLine
    fields = ("gl_code", "debit", "credit")
    readonly_fields = fields
    extra = 0


@admin.register(Voucher)
class VoucherAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("number", "tenant", "type", "voucher_date", "source_type", "source_id", "reversal_of", "posted_at")
    list_filter = ("type", "tenant")
    list_select_related = ("tenant", "reversal_of")
    search_fields = ("number", "source_id", "narration")
    date_hierarchy = "voucher_date"
    inlines = [VoucherLineInline]
