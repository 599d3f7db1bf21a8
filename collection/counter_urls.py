from django.urls import path

from collection.views import counter, receipts

urlpatterns = [
    path("collect/", counter.collect_search, name="collect"),
    path("collect/consumer/", counter.collect_consumer, name="collect-consumer"),
    path("collect/bills/<uuid:bill_id>/", counter.collect_bill, name="collect-bill"),
    path("collect/payments/<uuid:payment_id>/", counter.collect_done, name="collect-done"),
    path("receipts/<uuid:receipt_id>/", receipts.receipt_view, name="receipt"),
    path("receipts/<uuid:receipt_id>/receipt.pdf", receipts.receipt_pdf_view, name="receipt-pdf"),
    path("receipts/<uuid:receipt_id>/mini/", receipts.mini_receipt_view, name="receipt-mini"),
    path("receipts/<uuid:receipt_id>/mini.bin", receipts.mini_receipt_escpos_view, name="receipt-mini-escpos"),
]
