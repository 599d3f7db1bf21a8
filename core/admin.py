from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from core.models import AccessToken, ApiClient, AuditEvent, IdFormat, IdSequence, RoleAssignment, Tenant, User


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "state", "city_code", "financial_year_start_month", "is_active")
    list_filter = ("state", "is_active")
    search_fields = ("code", "name")


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    autocomplete_fields = ("tenant",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "name", "user_type", "tenant", "api_client", "is_active", "is_staff")
    list_filter = ("user_type", "tenant", "is_active", "is_staff")
    search_fields = ("username", "name", "mobile_number", "email")
    ordering = ("username",)
    inlines = [RoleAssignmentInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("name", "mobile_number", "email", "user_type", "tenant", "api_client")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "name", "tenant", "password1", "password2")}),
    )


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ("client_id", "name", "allowed_networks", "is_active")
    search_fields = ("client_id", "name")
    exclude = ("secret_hash",)


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "client", "tenant", "created_at", "expires_at", "revoked_at", "revoke_reason")
    list_filter = ("client", "revoke_reason")
    search_fields = ("user__username",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IdFormat)
class IdFormatAdmin(admin.ModelAdmin):
    list_display = ("name", "tenant", "format", "reset")
    list_filter = ("tenant", "reset")


@admin.register(IdSequence)
class IdSequenceAdmin(admin.ModelAdmin):
    list_display = ("name", "tenant", "period", "last_value")
    list_filter = ("tenant",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = (
        "occurred_at",
        "actor_name",
        "tenant",
        "entity_type",
        "entity_id",
        "action",
        "from_state",
        "to_state",
    )
    list_filter = ("entity_type", "action", "tenant")
    search_fields = ("entity_id", "actor_name", "reason")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
