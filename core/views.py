from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.cards import home_cards_for
from core.digit.errors import digit_error, error_body
from core.forms import LoginForm, TenantSwitchForm
from core.models import Tenant
from core.selectors import tenants_list, user_role_tenant_ids, user_roles_in_tenant

SESSION_TENANT_KEY = "kosh_tenant_id"


def switchable_tenants(request) -> list[Tenant]:
    """The tenants the signed-in employee holds a role in, for the header's switcher. Read once per request."""
    if not hasattr(request, "_kosh_tenants"):
        request._kosh_tenants = list(tenants_list(codes=user_role_tenant_ids(user=request.user)))
    return request._kosh_tenants


def current_tenant(request) -> Tenant | None:
    """Where the employee is working: the tenant chosen in the switcher, else their own tenant, else the first
    city they work in (a state when they work in no city); always one they still hold a role in, or None."""
    tenants = {tenant.code: tenant for tenant in switchable_tenants(request)}
    for code in (request.session.get(SESSION_TENANT_KEY), getattr(request.user, "tenant_id", None)):
        if code in tenants:
            return tenants[code]
    cities = [tenant for tenant in tenants.values() if not tenant.is_state]
    return (cities or list(tenants.values()) or [None])[0]


def current_tenant_id(request) -> str | None:
    """The id of `current_tenant`: what other apps' views pass to their tenant-scoped selectors."""
    tenant = current_tenant(request)
    return tenant.code if tenant is not None else None


class LoginView(auth_views.LoginView):
    """Sign-in with a Django session. Wrong passwords count towards the account's lockout (django-axes)."""

    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Sign-out (POST only, so a link elsewhere cannot end the session) back to the sign-in page."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You have signed out.")
        return response


@login_required
def home(request):
    tenant = current_tenant(request)
    tenant_id = tenant.code if tenant is not None else None
    return render(
        request,
        "core/home.html",
        {
            "cards": home_cards_for(user=request.user, tenant_id=tenant_id),
            "roles_here": user_roles_in_tenant(user=request.user, tenant_id=tenant_id) if tenant_id else [],
        },
    )


@login_required
@require_POST
def tenant_switch(request):
    form = TenantSwitchForm(request.POST, tenants=switchable_tenants(request))
    if form.is_valid():
        tenant = form.cleaned_data["tenant"]
        request.session[SESSION_TENANT_KEY] = tenant.code
        messages.success(request, f"You are now working in {tenant.name} ({tenant.code}).")
    else:
        messages.error(request, " ".join(form.errors.get("tenant", ["Choose a tenant."])))
    return redirect("core:home")


def not_found(request, exception=None):
    """404 for a path Kosh does not serve: JSON for API callers, a page for people."""
    if "text/html" not in request.headers.get("Accept", ""):
        return JsonResponse(error_body([digit_error("NOT_FOUND", f"No endpoint at {request.path}")]), status=404)
    return render(request, "404.html", status=404)
