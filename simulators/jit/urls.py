from django.urls import path

from simulators.jit import views

app_name = "jit-simulator"

urlpatterns = [
    path("webservices/jitfs/v1.0/authenticate", views.authenticate, name="authenticate"),
    path("webservices/jitfs/v1.0/get-jit-service-data", views.service_data, name="service-data"),
    path("scenarios", views.scenario_set, name="scenario-set"),
]
