from django.urls import path

from simulators.pg import views

app_name = "simulators-pg"

urlpatterns = [
    path("api/v1/orders", views.order_create, name="order-create"),
    path("api/v1/orders/<str:order_id>", views.order_status, name="order-status"),
    path("control", views.control, name="control"),
    path("reset", views.reset, name="reset"),
    path("pay/<str:gateway_txn_id>", views.pay, name="pay"),
]
