from django.urls import path

from bridge import views

app_name = "bridge"

urlpatterns = [
    path("", views.envelope_list, name="envelope-list"),
    path("envelopes/<int:pk>/", views.envelope_detail, name="envelope-detail"),
    path("envelopes/<int:pk>/stages/<str:stage>/retry", views.envelope_stage_retry, name="stage-retry"),
    path("statements/", views.statement_list, name="statement-list"),
    path("statements/<int:pk>/", views.statement_detail, name="statement-detail"),
    path("statements/<int:pk>/reprocess", views.statement_reprocess_view, name="statement-reprocess"),
    path("review/", views.review_queue, name="review-queue"),
    path("review/<int:pk>/close", views.review_item_close_view, name="review-close"),
]
