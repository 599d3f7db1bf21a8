from django.urls import path

from billing.api.views import (
    BillCancelApi,
    BillCollectImportApi,
    BillFetchApi,
    BillGenerateApi,
    BillSearchApi,
    BusinessServiceSearchApi,
    DemandCreateApi,
    DemandSearchApi,
    DemandUpdateApi,
    TaxHeadSearchApi,
    TaxPeriodSearchApi,
)

urlpatterns = [
    path("billing-service/demand/_create", DemandCreateApi.as_view(), name="billing-demand-create"),
    path("billing-service/demand/_update", DemandUpdateApi.as_view(), name="billing-demand-update"),
    path("billing-service/demand/_search", DemandSearchApi.as_view(), name="billing-demand-search"),
    path("billing-service/bill/v2/_fetchbill", BillFetchApi.as_view(), name="billing-bill-fetch"),
    path("billing-service/bill/v2/_generate", BillGenerateApi.as_view(), name="billing-bill-generate"),
    path("billing-service/bill/v2/_search", BillSearchApi.as_view(), name="billing-bill-search"),
    path("billing-service/bill/v2/_cancelbill", BillCancelApi.as_view(), name="billing-bill-cancel"),
    path("billing-service/taxheads/_search", TaxHeadSearchApi.as_view(), name="billing-taxhead-search"),
    path("billing-service/taxperiods/_search", TaxPeriodSearchApi.as_view(), name="billing-taxperiod-search"),
    path(
        "billing-service/businessservices/_search",
        BusinessServiceSearchApi.as_view(),
        name="billing-businessservice-search",
    ),
    path("billing-service/bill-collect/_import", BillCollectImportApi.as_view(), name="billing-bill-collect-import"),
]
