from django.urls import path

from payments.api.views import (
    ExpenseBillCreateApi,
    ExpenseBillSearchApi,
    FundsSearchApi,
    PaymentInstructionCreateApi,
    PaymentInstructionSearchApi,
)

urlpatterns = [
    path("ifms-adapter/pi/v1/_create", PaymentInstructionCreateApi.as_view(), name="ifms-pi-create"),
    path("ifms-adapter/pi/v1/_search", PaymentInstructionSearchApi.as_view(), name="ifms-pi-search"),
    path("ifms-adapter/funds/v1/_search", FundsSearchApi.as_view(), name="ifms-funds-search"),
    path("expense/bill/v1/_create", ExpenseBillCreateApi.as_view(), name="expense-bill-create"),
    path("expense/bill/v1/_search", ExpenseBillSearchApi.as_view(), name="expense-bill-search"),
]
