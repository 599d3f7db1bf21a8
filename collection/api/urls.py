from django.urls import path

from collection.api.views import (
    PaymentCreateApi,
    PaymentModuleSearchApi,
    PaymentSearchApi,
    PaymentValidateApi,
    PaymentWorkflowApi,
    RemittanceCreateApi,
    RemittanceSearchApi,
)

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
]
