from django.urls import path

from payments import views

app_name = "payments"

urlpatterns = [
    path("pi/", views.pi_search_view, name="pi-search"),
    path("pi/<int:pk>/", views.pi_view, name="pi-view"),
    path("pi/<int:pk>/<slug:action>/", views.pi_action, name="pi-action"),
    path("funds/", views.fund_register_view, name="fund-register"),
    path("funds/register.csv", views.fund_register_view, {"export": "csv"}, name="fund-register-csv"),
    path("funds/register.pdf", views.fund_register_view, {"export": "pdf"}, name="fund-register-pdf"),
]
