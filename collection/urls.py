from django.urls import include, path

app_name = "collection"

urlpatterns = [
    path("", include("collection.counter_urls")),
    path("", include("collection.report_urls")),
]
