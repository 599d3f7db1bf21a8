from django.urls import path

from bridge.api import views

urlpatterns = [
    path(
        "create_benefit_program_configuration",
        views.CreateBenefitProgramConfigurationApi.as_view(),
        name="g2p-create-program",
    ),
    path("create_disbursement_envelope", views.CreateDisbursementEnvelopeApi.as_view(), name="g2p-create-envelope"),
    path("cancel_disbursement_envelope", views.CancelDisbursementEnvelopeApi.as_view(), name="g2p-cancel-envelope"),
    path("create_disbursements", views.CreateDisbursementsApi.as_view(), name="g2p-create-disbursements"),
    path("cancel_disbursements", views.CancelDisbursementsApi.as_view(), name="g2p-cancel-disbursements"),
    path(
        "get_disbursement_envelope_status",
        views.GetDisbursementEnvelopeStatusApi.as_view(),
        name="g2p-envelope-status",
    ),
    path("get_disbursement_status", views.GetDisbursementStatusApi.as_view(), name="g2p-disbursement-status"),
    path("upload_mt940", views.UploadMt940Api.as_view(), name="g2p-upload-mt940"),
]
