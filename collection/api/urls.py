from django.urls import path

from collection.api.views import (
    PaymentCreateApi,
    PaymentModuleSearchApi,
    PaymentSearchApi,
    PaymentValidateApi,
    PaymentWorkflowApi,
    PgTransactionCreateApi,
    PgTransactionSearchApi,
    PgTransactionUpdateApi,
    RemittanceCreateApi,
    RemittanceSearchApi,
)
from collection.views.online import pg_transaction_return

urlpatterns = [
    path("collection-services/payments/_create", PaymentCreateApi.as_view(), name="collection-payment-create"),
    path("collection-services/payments/_validate", PaymentValidateApi.as_view(), name="collection-payment-validate"),
    path("collection-services/payments/_search", PaymentSearchApi.as_view(), name="collection-payment-search"),
    path(
        "collection-services/payments/<str:module>/_search",
        PaymentModuleSearchApi.as_view(),
        name="collection-payment-module-search",
    ),
    path(
        "collection-services/payments/<str:module>/_workflow",
        PaymentWorkflowApi.as_view(),
        name="collection-payment-workflow",
    ),
    path("collection-services/remittances/_create", RemittanceCreateApi.as_view(), name="collection-remittance-create"),
    path("collection-services/remittances/_search", RemittanceSearchApi.as_view(), name="collection-remittance-search"),
    path(
        "pg-service/transaction/v1/_create", PgTransactionCreateApi.as_view(), name="collection-pg-transaction-create"
    ),
    path(
        "pg-service/transaction/v1/_update", PgTransactionUpdateApi.as_view(), name="collection-pg-transaction-update"
    ),
    path(
        "pg-service/transaction/v1/_search", PgTransactionSearchApi.as_view(), name="collection-pg-transaction-search"
    ),
    # Where the gateway sends the payer's browser back: a page, not an API.
    path(
        "pg-service/transaction/v1/_redirect/<str:gateway>",
        pg_transaction_return,
        name="collection-pg-transaction-return",
    ),
]
