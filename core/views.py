from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.cards import home_cards_for
from core.digit.errors import digit_error, error_body
from core.forms import TenantSwitchForm
from core.selectors import tenants_list, user_role_tenant_ids

SESSION_TENANT_KEY = "kosh_tenant_id"


def switchable_tenants(request):
    """The tenants the signed-in employee holds a role in, for the header's switcher."""
    if not hasattr(request, "_kosh_tenants"):
        request._kosh_tenants = list(tenants_list(codes=user_role_tenant_ids(user=request.user)))
    return request._kosh_tenants


def current_tenant_id(request) -> str | None:
    """The tenant chosen in the switcher, else the first the employee works in."""
    codes = [tenant.code for tenant in switchable_tenants(request)]
    chosen = request.session.get(SESSION_TENANT_KEY)
    if chosen in codes:
        return chosen
    cities = [code for code in codes if "." in code]
    return (cities or codes or [None])[0]


@login_required
def home(request):
    cards = home_cards_for(user=request.user, tenant_id=current_tenant_id(request))
    return render(request, "core/home.html", {"cards": cards})


@login_required
@require_POST
def tenant_switch(request):
    form = TenantSwitchForm(request.POST)
    codes = {tenant.code for tenant in switchable_tenants(request)}
    if form.is_valid() and form.cleaned_data["tenant"] in codes:
        request.session[SESSION_TENANT_KEY] = form.cleaned_data["tenant"]
    else:
        messages.error(request, "You hold no role in that tenant.")
    return redirect("core:home")


def not_found(request, exception=None):
    """404 for a path Kosh does not serve: JSON for API callers, a page for people."""
    if "text/html" not in request.headers.get("Accept", ""):
        return JsonResponse(error_body([digit_error("NOT_FOUND", f"No endpoint at {request.path}")]), status=404)
    return render(request, "404.html", status=404)
