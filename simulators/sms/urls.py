from django.urls import path

from simulators.sms import views

app_name = "simulators-sms"

urlpatterns = [
    path("send", views.send, name="send"),
    path("control", views.control, name="control"),
    path("messages", views.messages, name="messages"),
    path("messages/<str:message_id>/report", views.report, name="report"),
    path("reset", views.reset, name="reset"),
]
