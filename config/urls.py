from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from core.api.health import HealthApi

urlpatterns = [
    path("", include("core.urls")),
    path("", include("core.api.urls")),
    path("", include("billing.api.urls")),
    path("", include("collection.api.urls")),
    path("collection/", include("collection.urls")),
    path("health/", HealthApi.as_view(), name="health"),
    path("", include("notifications.api.urls")),
    path("simulators/sms/", include("simulators.sms.urls")),
    path("", include("payments.api.urls")),
    path("payments/", include("payments.urls")),
    path("simulators/jit/", include("simulators.jit.urls")),
    path("", include("bridge.api.urls")),
    path("bridge/", include("bridge.urls")),
    path("simulators/bank/", include("simulators.bank.urls")),
    path("simulators/pg/", include("simulators.pg.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

handler404 = "core.views.not_found"
