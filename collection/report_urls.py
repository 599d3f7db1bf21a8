from django.urls import path

from collection.views import remittances, reports

urlpatterns = [
    path("reports/summary/", reports.summary_view, name="report-summary"),
    path("reports/summary.csv", reports.summary_view, {"export": "csv"}, name="report-summary-csv"),
    path("reports/receipts/", reports.register_view, name="report-register"),
    path("reports/receipts.csv", reports.register_view, {"export": "csv"}, name="report-register-csv"),
    path("reports/online/", reports.online_view, name="report-online"),
    path("reports/online.csv", reports.online_view, {"export": "csv"}, name="report-online-csv"),
    path("reports/remittances/", reports.remittances_view, name="report-remittances"),
    path("reports/remittances.csv", reports.remittances_view, {"export": "csv"}, name="report-remittances-csv"),
    path("remittances/new/", remittances.remittance_create_view, name="remittance-create"),
    path("remittances/<uuid:pk>/", remittances.remittance_view, name="remittance-view"),
]
