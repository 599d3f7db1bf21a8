from django.urls import path

from simulators.bank import views

app_name = "simulator-bank"

urlpatterns = [
    path("accounts", views.account_open_api, name="account-open"),
    path("accounts/<str:account_number>", views.account_detail_api, name="account-detail"),
    path("check_funds", views.check_funds_api, name="check-funds"),
    path("block_funds", views.block_funds_api, name="block-funds"),
    path("release_funds", views.release_funds_api, name="release-funds"),
    path("initiate_payment", views.initiate_payment_api, name="initiate-payment"),
    path("payment_status/<str:idempotency_key>", views.payment_status_api, name="payment-status"),
    path("generate_account_statement", views.generate_statement_api, name="generate-statement"),
    path("statements/<str:reference>", views.statement_download_api, name="statement-download"),
]
