import re

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils import timezone

from core.errors import ApplicationError
from core.http import client_ip
from core.models import AccessToken, ApiClient, AuditEvent, IdFormat, IdSequence, RoleAssignment, Tenant, User
from core.services.auth import token_revoke
from core.services.directory import api_client_networks_clean, api_client_save, role_grant, role_revoke
from core.services.idgen import id_format_validate

admin.site.site_header = "Kosh administration"
admin.site.site_title = "Kosh administration"
admin.site.index_title = "Tenants, people, access and masters"

ADMIN_CHANGE_REASON = "changed in the administration site"


class ReadOnlyAdminMixin:
    """Rows written only by services (audit trail, counters, tokens): administrators read them, never edit them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Tenants ------------------------------------------------------------------------------------


class TenantAdminForm(forms.ModelForm):
    class Meta:
        model = Tenant
        fields = ("code", "name", "state", "city_code", "financial_year_start_month", "is_active")

    def clean(self):
        """Say which field is wrong before the database's city-has-state check refuses the row."""
        cleaned = super().clean()
        code, state = cleaned.get("code"), cleaned.get("state")
        if not code:
            return cleaned
        if "." in code:
            state_code = code.split(".", 1)[0]
            if state is None or state.code != state_code:
                self.add_error("state", f"A city's state is the tenant its id starts with: '{state_code}'.")
        elif state is not None:
            self.add_error("state", "A state has no state above it: leave this empty.")
        return cleaned


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    form = TenantAdminForm
    list_display = ("code", "name", "state", "city_code", "financial_year_start_month", "is_active")
    list_filter = ("state", "is_active")
    list_select_related = ("state",)
    search_fields = ("code", "name")

    def get_readonly_fields(self, request, obj=None):
        # Every row of every domain carries the tenant id: it and the state it implies never change.
        return ("code", "state", "created_at") if obj is not None else ("created_at",)


# --- Employees and roles ------------------------------------------------------------------------


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    autocomplete_fields = ("tenant",)
    readonly_fields = ("granted_at",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "name", "user_type", "tenant", "api_client", "is_active", "is_staff")
    list_filter = ("user_type", "tenant", "is_active", "is_staff")
    list_select_related = ("tenant", "api_client")
    search_fields = ("username", "name", "mobile_number", "email")
    ordering = ("username",)
    inlines = [RoleAssignmentInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("name", "mobile_number", "email", "user_type", "tenant", "api_client")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "name", "tenant", "usable_password", "password1", "password2"),
            },
        ),
    )

    def save_formset(self, request, form, formset, change):
        """Role changes go through the directory services, so each grant and revocation is audited."""
        if formset.model is not RoleAssignment:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        user = form.instance
        for assignment in formset.deleted_objects:
            role_revoke(assignment=assignment, revoked_by=request.user, reason=ADMIN_CHANGE_REASON)
        for assignment, _fields in formset.changed_objects:
            # An assignment is its (tenant, role): changing either is revoking the old one and granting the new.
            role_revoke(
                assignment=RoleAssignment.objects.get(pk=assignment.pk),
                revoked_by=request.user,
                reason=ADMIN_CHANGE_REASON,
            )
        for assignment in [*formset.new_objects, *(changed for changed, _fields in formset.changed_objects)]:
            role_grant(
                user=user,
                tenant_id=assignment.tenant_id,
                role=assignment.role,
                granted_by=request.user,
                reason=ADMIN_CHANGE_REASON,
            )


# --- API clients and tokens ---------------------------------------------------------------------


class ApiClientAdminForm(forms.ModelForm):
    new_secret = forms.CharField(
        label="New secret",
        required=False,
        strip=False,
        min_length=16,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=(
            "At least 16 characters. Stored only as a hash and never shown again. Leave empty to keep the current "
            "secret; a new client left without one is public, like DIGIT's egov-user-client."
        ),
    )
    allowed_networks = forms.CharField(
        label="Allowed networks",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 40}),
        help_text="One network per line, e.g. 10.1.2.0/24 or 203.0.113.7/32. Empty means calls from any address.",
    )

    class Meta:
        model = ApiClient
        fields = ("client_id", "name", "new_secret", "allowed_networks", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["allowed_networks"] = "\n".join(self.instance.allowed_networks or [])

    def clean_allowed_networks(self) -> list[str]:
        entries = [entry for entry in re.split(r"[\s,]+", self.cleaned_data["allowed_networks"]) if entry]
        try:
            return api_client_networks_clean(networks=entries)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientAdminForm
    list_display = ("client_id", "name", "has_secret", "allowed_networks", "is_active")
    list_filter = ("is_active",)
    search_fields = ("client_id", "name")
    readonly_fields = ("secret_state", "created_at")
    fields = ("client_id", "name", "secret_state", "new_secret", "allowed_networks", "is_active", "created_at")

    def save_model(self, request, obj, form, change):
        api_client_save(
            client=obj,
            secret=form.cleaned_data["new_secret"] or None,
            allowed_networks=form.cleaned_data["allowed_networks"],
            saved_by=request.user,
        )

    @admin.display(boolean=True, description="Secret")
    def has_secret(self, client: ApiClient) -> bool:
        return bool(client.secret_hash)

    @admin.display(description="Current secret")
    def secret_state(self, client: ApiClient) -> str:
        return "Set (only its hash is stored)" if client.secret_hash else "None: a public client"


@admin.register(AccessToken)
class AccessTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("user", "client", "tenant", "created_at", "expires_at", "state", "revoked_at", "revoke_reason")
    list_filter = ("client", "revoke_reason", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("user", "client", "tenant")
    search_fields = ("user__username",)
    exclude = ("access_digest", "refresh_digest")
    actions = ["revoke_selected"]

    @admin.display(description="State")
    def state(self, token: AccessToken) -> str:
        if token.revoked_at is not None:
            return "Revoked"
        return "Expired" if token.expires_at <= timezone.now() else "Active"

    @admin.action(description="Revoke the selected tokens", permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        ip = client_ip(request)
        revoked = 0
        for token in queryset:
            if token.revoked_at is None:
                token_revoke(token=token, ip=ip, revoked_by=request.user, reason=AccessToken.RevokeReason.ADMIN)
                revoked += 1
        self.message_user(request, f"Revoked {revoked} token(s); the others were revoked already.", messages.SUCCESS)

    def has_revoke_permission(self, request) -> bool:
        # The change permission stands for "may revoke": the rows themselves are never edited.
        return request.user.has_perm("core.change_accesstoken")


# --- Ids and the audit trail --------------------------------------------------------------------


class IdFormatAdminForm(forms.ModelForm):
    class Meta:
        model = IdFormat
        fields = ("tenant", "name", "format", "reset")

    def clean_format(self) -> str:
        text = self.cleaned_data["format"]
        try:
            id_format_validate(text=text)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        return text


@admin.register(IdFormat)
class IdFormatAdmin(admin.ModelAdmin):
    form = IdFormatAdminForm
    list_display = ("name", "tenant", "format", "reset")
    list_filter = ("tenant", "reset")
    list_select_related = ("tenant",)
    search_fields = ("name", "format")
    autocomplete_fields = ("tenant",)


@admin.register(IdSequence)
class IdSequenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "tenant", "period", "last_value")
    list_filter = ("tenant",)
    list_select_related = ("tenant",)
    search_fields = ("name",)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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
    list_select_related = ("tenant",)
    search_fields = ("entity_id", "actor_name", "reason")
    date_hierarchy = "occurred_at"
