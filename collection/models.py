"""Collection rows: a Payment (one payer transaction), one PaymentDetail (receipt) per bill it pays, and the
amounts each receipt applied to the bill's heads. Fields and enums follow DIGIT collection-services."""

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from billing.models import Bill, BillAccountDetail, BusinessService, DemandDetail
from core.models import Tenant, User
from core.money import AmountField
from ledger.models import Voucher


class PaymentMode(models.TextChoices):
    CASH = "CASH", "Cash"
    CHEQUE = "CHEQUE", "Cheque"
    DD = "DD", "Demand draft"
    ONLINE = "ONLINE", "Online"
    CARD = "CARD", "Card"
    OFFLINE_NEFT = "OFFLINE_NEFT", "NEFT (offline)"
    OFFLINE_RTGS = "OFFLINE_RTGS", "RTGS (offline)"
    ONLINE_NEFT = "ONLINE_NEFT", "NEFT (online)"
    ONLINE_RTGS = "ONLINE_RTGS", "RTGS (online)"
    POSTAL_ORDER = "POSTAL_ORDER", "Postal order"


# Money that reaches the bank through a gateway or card network: deposited on receipt, never remitted by hand.
ONLINE_MODES = (PaymentMode.ONLINE, PaymentMode.CARD, PaymentMode.ONLINE_NEFT, PaymentMode.ONLINE_RTGS)
# Paper instruments and bank transfers name an instrument number and date.
INSTRUMENT_MODES = (
    PaymentMode.CHEQUE,
    PaymentMode.DD,
    PaymentMode.OFFLINE_NEFT,
    PaymentMode.OFFLINE_RTGS,
    PaymentMode.POSTAL_ORDER,
)


class PaymentStatus(models.TextChoices):
    NEW = "NEW", "New"
    DEPOSITED = "DEPOSITED", "Deposited"
    CANCELLED = "CANCELLED", "Cancelled"
    DISHONOURED = "DISHONOURED", "Dishonoured"
    RECONCILED = "RECONCILED", "Reconciled"


class InstrumentStatus(models.TextChoices):
    APPROVED = "APPROVED", "Approved"
    APPROVAL_PENDING = "APPROVAL_PENDING", "Approval pending"
    TO_BE_SUBMITTED = "TO_BE_SUBMITTED", "To be submitted"
    REMITTED = "REMITTED", "Remitted"
    REJECTED = "REJECTED", "Rejected"
    CANCELLED = "CANCELLED", "Cancelled"
    DISHONOURED = "DISHONOURED", "Dishonoured"


# A live receipt holds its bill's money; a closed one gave it back.
LIVE_INSTRUMENT_STATUSES = (
    InstrumentStatus.APPROVED,
    InstrumentStatus.APPROVAL_PENDING,
    InstrumentStatus.TO_BE_SUBMITTED,
    InstrumentStatus.REMITTED,
)


class Remittance(models.Model):
    """Cash and cheques taken at the counters, deposited in a ULB bank account: one contra voucher moves them from
    cash and cheques in hand to the bank."""

    class Status(models.TextChoices):
        NEW = "NEW", "New"
        APPROVED = "APPROVED", "Approved"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="remittances")
    reference_number = models.CharField(max_length=100)
    reference_date = models.DateField()
    bank_account = models.CharField(max_length=34)
    bank_gl_code = models.CharField(max_length=30)
    total_amount = AmountField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.APPROVED)
    remarks = models.CharField(max_length=500, blank=True)
    reason_for_delay = models.CharField(max_length=500, blank=True)
    voucher = models.OneToOneField(Voucher, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reference_date", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "reference_number"], name="remittance_reference_unique"),
            models.CheckConstraint(name="remittance_amount_positive", condition=Q(total_amount__gt=0)),
        ]

    def __str__(self):
        return self.reference_number


class Payment(models.Model):
    """One payer transaction over one or more bills of a city."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="payments")
    total_due = AmountField()
    total_amount_paid = AmountField()
    payment_mode = models.CharField(max_length=20, choices=PaymentMode.choices)
    transaction_number = models.CharField(max_length=100, blank=True)
    transaction_date = models.DateTimeField()
    instrument_date = models.DateTimeField(null=True, blank=True)
    instrument_number = models.CharField(max_length=100, blank=True)
    instrument_status = models.CharField(max_length=20, choices=InstrumentStatus.choices)
    ifsc_code = models.CharField(max_length=11, blank=True)
    payment_status = models.CharField(max_length=20, choices=PaymentStatus.choices)
    paid_by = models.CharField(max_length=200)
    payer_name = models.CharField(max_length=200, blank=True)
    mobile_number = models.CharField(max_length=10, blank=True)
    payer_address = models.CharField(max_length=500, blank=True)
    payer_email = models.EmailField(blank=True)
    payer_id = models.CharField(max_length=64, blank=True)
    remittance = models.ForeignKey(Remittance, null=True, blank=True, on_delete=models.PROTECT, related_name="payments")
    # Why the receipt was cancelled, dishonoured or rejected.
    workflow_reason = models.CharField(max_length=500, blank=True)
    additional_details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    modified_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-transaction_date"]
        constraints = [
            # A gateway's transaction pays once: a replayed callback finds the first payment.
            models.UniqueConstraint(
                fields=["tenant", "transaction_number"],
                condition=Q(payment_mode__in=[mode.value for mode in ONLINE_MODES]),
                name="payment_online_transaction_unique",
            ),
            models.CheckConstraint(name="payment_amount_positive", condition=Q(total_amount_paid__gt=0)),
        ]
        indexes = [
            models.Index(fields=["tenant", "transaction_date"], name="payment_tenant_date_idx"),
            models.Index(fields=["tenant", "mobile_number"], name="payment_mobile_idx"),
        ]

    def __str__(self):
        return f"{self.payment_mode} {self.total_amount_paid} ({self.tenant_id})"


class PaymentDetail(models.Model):
    """The receipt for one bill. A bill is paid by one receipt only, ever: once its payment is cancelled the
    consumer fetches a new bill, as in DIGIT."""

    class ReceiptType(models.TextChoices):
        BILLBASED = "BILLBASED", "Bill based"
        ADHOC = "ADHOC", "Ad hoc"
        CHALLAN = "CHALLAN", "Challan"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="details")
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    bill = models.OneToOneField(Bill, on_delete=models.PROTECT, related_name="payment_detail")
    business_service = models.ForeignKey(BusinessService, on_delete=models.PROTECT, related_name="+")
    total_due = AmountField()
    total_amount_paid = AmountField()
    receipt_number = models.CharField(max_length=100)
    receipt_date = models.DateTimeField()
    receipt_type = models.CharField(max_length=10, choices=ReceiptType.choices, default=ReceiptType.BILLBASED)
    manual_receipt_number = models.CharField(max_length=100, blank=True)
    manual_receipt_date = models.DateTimeField(null=True, blank=True)
    voucher = models.OneToOneField(Voucher, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    additional_details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["payment_id", "receipt_number"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "receipt_number"], name="payment_detail_receipt_unique"),
            models.CheckConstraint(name="payment_detail_amount_positive", condition=Q(total_amount_paid__gt=0)),
        ]

    def __str__(self):
        return self.receipt_number


class PaymentAllocation(models.Model):
    """What one receipt applied to one head: the bill account detail and the demand detail it collected
    (advance: the advance head's demand detail, negative). Cancelling undoes exactly these rows."""

    payment_detail = models.ForeignKey(PaymentDetail, on_delete=models.PROTECT, related_name="allocations")
    bill_account_detail = models.ForeignKey(
        BillAccountDetail, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    demand_detail = models.ForeignKey(DemandDetail, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    tax_head_code = models.CharField(max_length=64, blank=True)
    gl_code = models.CharField(max_length=30)
    amount = AmountField()
    is_advance = models.BooleanField(default=False)

    class Meta:
        ordering = ["payment_detail_id", "id"]

    def __str__(self):
        return f"{self.tax_head_code or self.gl_code} {self.amount}"


class PgTransaction(models.Model):
    """One online payment attempt through a payment gateway, as DIGIT's pg-service keeps it: PENDING until the
    gateway's own status says SUCCESS (one payment, mode ONLINE, transaction number = txnId) or FAILURE."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        SUCCESS = "SUCCESS", "Success"
        FAILURE = "FAILURE", "Failure"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="pg_transactions")
    # The order id the gateway knows; also the payment's transaction and instrument number.
    txn_id = models.CharField(max_length=64, unique=True)
    txn_amount = AmountField()
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="pg_transactions")
    business_service = models.ForeignKey(BusinessService, on_delete=models.PROTECT, related_name="+")
    consumer_code = models.CharField(max_length=128)
    module = models.CharField(max_length=64, blank=True)
    # [{"billId", "amountPaid"}] as the caller sent them; amounts as strings.
    tax_and_payments = models.JSONField(default=list, encoder=DjangoJSONEncoder)
    product_info = models.CharField(max_length=512, blank=True)
    gateway = models.CharField(max_length=32)
    # Where the payer's browser goes once Kosh has the result (`eg_pg_txnid` added), and the gateway's pay page.
    callback_url = models.URLField(max_length=1000, blank=True)
    redirect_url = models.URLField(max_length=2000, blank=True)
    payer_name = models.CharField(max_length=200)
    payer_mobile = models.CharField(max_length=10, blank=True)
    payer_email = models.EmailField(blank=True)
    payer_uuid = models.CharField(max_length=64, blank=True)
    txn_status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    txn_status_msg = models.CharField(max_length=500, blank=True)
    gateway_txn_id = models.CharField(max_length=100, blank=True)
    gateway_payment_mode = models.CharField(max_length=50, blank=True)
    gateway_status_code = models.CharField(max_length=50, blank=True)
    gateway_status_msg = models.CharField(max_length=500, blank=True)
    payment = models.OneToOneField(
        Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="pg_transaction"
    )
    additional_details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # A reconciliation run owns the transaction until then, so two runs never ask the gateway twice.
    reconcile_claimed_until = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # DIGIT's TXN_ABRUPTLY_DISCARDED: a bill has at most one transaction waiting for its gateway.
            models.UniqueConstraint(
                fields=["bill"], condition=Q(txn_status="PENDING"), name="pg_transaction_one_pending_per_bill"
            ),
            models.CheckConstraint(name="pg_transaction_amount_positive", condition=Q(txn_amount__gt=0)),
            models.CheckConstraint(
                name="pg_transaction_success_has_payment",
                condition=~Q(txn_status="SUCCESS") | Q(payment__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["txn_status", "created_at"], name="pg_transaction_status_idx"),
            models.Index(fields=["tenant", "created_at"], name="pg_transaction_tenant_idx"),
        ]

    def __str__(self):
        return f"{self.txn_id} {self.txn_status}"
