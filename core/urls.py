from django.contrib.auth import views as auth_views
from django.urls import path

from core import views
from core.forms import LoginForm

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="core/login.html", authentication_form=LoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tenant/", views.tenant_switch, name="tenant-switch"),
]
