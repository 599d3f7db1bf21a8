from django.urls import path

from notifications.api.views import SmsDeliveryReportApi

app_name = "notifications"

urlpatterns = [
    path(
        "notifications/sms/delivery-reports/<slug:provider>",
        SmsDeliveryReportApi.as_view(),
        name="sms-delivery-report",
    ),
]
