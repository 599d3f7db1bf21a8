"""Billing rows: the masters a state configures (business services, tax heads, tax periods), the demands raised on
consumers, and the bills built from them (or imported from a bill-collect document).

Masters live at state level and are seen by the state's cities. Demands and bills carry their city."""

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import StrIndex
from django.db.models.lookups import Exact, GreaterThan

from core.models import Tenant, User
from core.money import AmountField

# Where the tenant id has its dot: 0 for a state (`pb`), more for a city (`pb.amritsar`).
_TENANT_DOT = StrIndex(F("tenant_id"), Value("."))


class CollectionMode(models.TextChoices):
    CASH = "CASH", "Cash"
    CHEQUE = "CHEQUE", "Cheque"
    DD = "DD", "Demand draft"
    CARD = "CARD", "Card"
    ONLINE = "ONLINE", "Online"
    OFFLINE_NEFT = "OFFLINE_NEFT", "NEFT (offline)"
    OFFLINE_RTGS = "OFFLINE_RTGS", "RTGS (offline)"
    POSTAL_ORDER = "POSTAL_ORDER", "Postal order"


class BusinessService(models.Model):
    """A revenue stream of a state (`WS` water, `PT` property tax, `BPA` building permits) and how it is billed
    and collected. DIGIT's MDMS `BillingService.BusinessService`, plus the rules Kosh enforces itself."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="business_services")
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    part_payment_allowed = models.BooleanField(default=True)
    is_advance_allowed = models.BooleanField(default=False)
    min_amount_payable = AmountField(default=0)
    # A list of CollectionMode values the service refuses.
    collection_modes_not_allowed = models.JSONField(default=list, blank=True)
    # A bill stays payable to the end of the day this many days after it is made (0: the end of today),
    # unless the demand names its own expiry.
    bill_expiry_days = models.PositiveSmallIntegerField(default=0)
    # Totals must be whole rupees: demands carry a round-off head, penalties are rounded to the rupee.
    is_whole_rupee = models.BooleanField(default=True)
    # What the collect-payment screen shows: the time-penalty row and the advance row.
    display_penalty = models.BooleanField(default=False)
    display_advance = models.BooleanField(default=False)
    # Receipts of this service are submitted for approval before they count.
    receipt_approval_required = models.BooleanField(default=False)
    is_voucher_creation_enabled = models.BooleanField(default=False)
    # The IdFormat name receipts of this service are numbered with.
    receipt_id_format = models.CharField(max_length=100, default="receipt.id")
    # Time penalty (the water service's recalculation hook): a percentage of the latest demand's unpaid dues,
    # added once when the demand is unpaid this many days after it was raised. 0 means no penalty.
    time_penalty_percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    time_penalty_grace_days = models.PositiveSmallIntegerField(default=0)
    # Where its receipts are posted in the ledger (plain codes until the ledger app owns them).
    fund_code = models.CharField(max_length=20, blank=True)
    function_code = models.CharField(max_length=20, blank=True)
    department_code = models.CharField(max_length=20, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tenant_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="business_service_code_unique"),
            # Masters live at state level; a city id has a dot.
            models.CheckConstraint(name="business_service_at_state_level", condition=Exact(_TENANT_DOT, 0)),
            models.CheckConstraint(
                name="business_service_min_payable_non_negative", condition=Q(min_amount_payable__gte=0)
            ),
            models.CheckConstraint(
                name="business_service_penalty_percent_range",
                condition=Q(time_penalty_percent__gte=0, time_penalty_percent__lte=100),
            ),
        ]

    def __str__(self):
        return f"{self.code}@{self.tenant_id} ({self.name})"


class TaxHead(models.Model):
    """One kind of charge of a business service (`10101` water charges, `WS_TIME_PENALTY`, …).
    DIGIT's `TaxHeadMaster`; the state is the business service's."""

    class Category(models.TextChoices):
        TAX = "TAX", "Tax"
        FEE = "FEE", "Fee"
        CHARGES = "CHARGES", "Charges"
        REBATE = "REBATE", "Rebate"
        EXEMPTION = "EXEMPTION", "Exemption"
        ADVANCE_COLLECTION = "ADVANCE_COLLECTION", "Advance collection"
        PENALTY = "PENALTY", "Penalty"
        FINES = "FINES", "Fines"

    service = models.ForeignKey(BusinessService, on_delete=models.PROTECT, related_name="tax_heads")
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=Category.choices)
    # Apportioning priority: lower is paid first.
    order = models.SmallIntegerField(default=0)
    # A debit head reduces what is owed (rebates, exemptions): its amounts are never positive.
    is_debit = models.BooleanField(default=False)
    is_actual_demand = models.BooleanField(default=True)
    # Shown on the collect-payment screen even when zero (mGramSeva's flag).
    is_required = models.BooleanField(default=False)
    gl_code = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["service_id", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["service", "code"], name="tax_head_code_unique")]

    def __str__(self):
        return f"{self.code} ({self.service.code})"

    @property
    def is_reduction(self) -> bool:
        """Rebates, exemptions, advances and debit heads lower what is owed: their amounts are never positive."""
        return self.is_debit or self.category in (
            self.Category.ADVANCE_COLLECTION,
            self.Category.REBATE,
            self.Category.EXEMPTION,
        )


class TaxPeriod(models.Model):
    """A period a demand of the service may cover; a demand's period lies inside one of them."""

    class Cycle(models.TextChoices):
        MONTH = "MONTH", "Month"
        QUARTER = "QUARTER", "Quarter"
        HALFYEAR = "HALFYEAR", "Half year"
        ANNUAL = "ANNUAL", "Year"

    service = models.ForeignKey(BusinessService, on_delete=models.PROTECT, related_name="tax_periods")
    code = models.CharField(max_length=64)
    from_date = models.DateTimeField()
    to_date = models.DateTimeField()
    period_cycle = models.CharField(max_length=10, choices=Cycle.choices)
    financial_year = models.CharField(max_length=9)

    class Meta:
        ordering = ["service_id", "from_date"]
        constraints = [
            models.UniqueConstraint(fields=["service", "code"], name="tax_period_code_unique"),
            models.CheckConstraint(name="tax_period_dates_ordered", condition=Q(from_date__lt=F("to_date"))),
        ]

    def __str__(self):
        return f"{self.code} ({self.service.code})"


class Demand(models.Model):
    """What a consumer owes one service for one period, head by head. The payer is kept on the demand: Kosh has no
    citizen registry, and a payer is never an employee."""

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", "Active"
        CANCELLED = "CANCELLED", "Cancelled"
        ADJUSTED = "ADJUSTED", "Adjusted"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="demands")
    business_service = models.ForeignKey(BusinessService, on_delete=models.PROTECT, related_name="demands")
    consumer_code = models.CharField(max_length=64)
    consumer_type = models.CharField(max_length=64, blank=True)
    payer_name = models.CharField(max_length=200)
    payer_mobile_number = models.CharField(max_length=10, blank=True)
    payer_email = models.EmailField(blank=True)
    payer_address = models.CharField(max_length=500, blank=True)
    # The payer's id in the integrator's own system, kept as sent.
    payer_uuid = models.CharField(max_length=64, blank=True)
    tax_period_from = models.DateTimeField()
    tax_period_to = models.DateTimeField()
    # DIGIT's expiry controls: milliseconds a bill stays valid, or a fixed moment.
    bill_expiry_time = models.BigIntegerField(null=True, blank=True)
    fixed_bill_expiry_date = models.DateTimeField(null=True, blank=True)
    minimum_amount_payable = AmountField(default=0)
    is_payment_completed = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    additional_details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    # When the demand was raised; the water penalty's due date counts from it. Legacy imports keep their own.
    raised_at = models.DateTimeField()
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    modified_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tenant_id", "consumer_code", "tax_period_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "consumer_code", "business_service", "tax_period_from", "tax_period_to"],
                condition=Q(status="ACTIVE"),
                name="demand_one_active_per_period",
            ),
            models.CheckConstraint(name="demand_period_ordered", condition=Q(tax_period_from__lte=F("tax_period_to"))),
            models.CheckConstraint(name="demand_min_payable_non_negative", condition=Q(minimum_amount_payable__gte=0)),
            models.CheckConstraint(
                name="demand_bill_expiry_time_positive",
                condition=Q(bill_expiry_time__isnull=True) | Q(bill_expiry_time__gt=0),
            ),
            # Demands and bills belong to a city.
            models.CheckConstraint(name="demand_in_a_city", condition=GreaterThan(_TENANT_DOT, 0)),
        ]
        indexes = [
            models.Index(fields=["tenant", "business_service", "consumer_code", "status"], name="demand_consumer_idx"),
            models.Index(fields=["tenant", "payer_mobile_number"], name="demand_payer_mobile_idx"),
        ]

    def __str__(self):
        return f"{self.business_service.code}:{self.consumer_code} {self.tax_period_from:%Y-%m-%d}"


class DemandDetail(models.Model):
    """One head of a demand. Due = tax − collection. A positive head is collected up to its tax; a negative one
    (rebate, advance) is consumed down to its tax."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="details")
    tax_head = models.ForeignKey(TaxHead, on_delete=models.PROTECT, related_name="demand_details")
    tax_amount = AmountField()
    collection_amount = AmountField(default=0)
    additional_details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    modified_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["demand_id", "created_at"]
        constraints = [
            # One row per head keeps a replayed penalty or advance from landing twice.
            models.UniqueConstraint(fields=["demand", "tax_head"], name="demand_detail_one_per_head"),
            models.CheckConstraint(
                name="demand_detail_collection_within_tax",
                condition=Q(tax_amount__gte=0, collection_amount__gte=0, collection_amount__lte=F("tax_amount"))
                | Q(tax_amount__lt=0, collection_amount__lte=0, collection_amount__gte=F("tax_amount")),
            ),
        ]

    def __str__(self):
        return f"{self.tax_head.code} {self.tax_amount}/{self.collection_amount}"

    @property
    def due(self):
        return self.tax_amount - self.collection_amount


class Bill(models.Model):
    """What a consumer is asked to pay now: one per consumer code, built from its open demands (or imported from a
    bill-collect document), payable until its details expire. At most one ACTIVE bill per consumer."""

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", "Active"
        CANCELLED = "CANCELLED", "Cancelled"
        PAID = "PAID", "Paid"
        PARTIALLY_PAID = "PARTIALLY_PAID", "Partially paid"
        PAYMENT_CANCELLED = "PAYMENT_CANCELLED", "Payment cancelled"
        EXPIRED = "EXPIRED", "Expired"

    class Source(models.TextChoices):
        DEMANDS = "DEMANDS", "Built from demands"
        BILL_COLLECT = "BILL_COLLECT", "Imported bill-collect document"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="bills")
    business_service = models.ForeignKey(BusinessService, on_delete=models.PROTECT, related_name="bills")
    consumer_code = models.CharField(max_length=64)
    bill_number = models.CharField(max_length=100, unique=True)
    bill_date = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    total_amount = AmountField()
    minimum_amount_payable = AmountField(default=0)
    # The collection rules in force when the bill was made (from the service, or from the imported document).
    part_payment_allowed = models.BooleanField()
    is_advance_allowed = models.BooleanField()
    collection_modes_not_allowed = models.JSONField(default=list, blank=True)
    override_account_heads_allowed = models.BooleanField(default=False)
    payer_name = models.CharField(max_length=200, blank=True)
    payer_address = models.CharField(max_length=500, blank=True)
    payer_email = models.EmailField(blank=True)
    mobile_number = models.CharField(max_length=10, blank=True)
    # The earliest expiry of its details: after it the bill is no longer payable.
    expires_at = models.DateTimeField()
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.DEMANDS)
    # SHA-256 of an imported document, so importing the same document again returns the same bill.
    source_digest = models.CharField(max_length=64, blank=True)
    additional_details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    modified_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-bill_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "business_service", "consumer_code"],
                condition=Q(status="ACTIVE"),
                name="bill_one_active_per_consumer",
            ),
            # DIGIT silently skips a negative bill; Kosh never makes one.
            models.CheckConstraint(name="bill_total_non_negative", condition=Q(total_amount__gte=0)),
            models.CheckConstraint(
                name="bill_minimum_within_total",
                condition=Q(minimum_amount_payable__gte=0, minimum_amount_payable__lte=F("total_amount")),
            ),
            models.CheckConstraint(name="bill_in_a_city", condition=GreaterThan(_TENANT_DOT, 0)),
        ]
        indexes = [
            models.Index(fields=["tenant", "business_service", "consumer_code", "status"], name="bill_consumer_idx"),
            models.Index(fields=["tenant", "mobile_number"], name="bill_mobile_idx"),
        ]

    def __str__(self):
        return self.bill_number


class BillDetail(models.Model):
    """The part of a bill one demand contributes (or one bill of an imported document)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="details")
    demand = models.ForeignKey(Demand, null=True, blank=True, on_delete=models.PROTECT, related_name="bill_details")
    from_period = models.DateTimeField()
    to_period = models.DateTimeField()
    amount = AmountField()
    amount_paid = AmountField(null=True, blank=True)
    expiry_date = models.DateTimeField()
    additional_details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["bill_id", "from_period"]
        constraints = [
            models.CheckConstraint(
                name="bill_detail_amount_paid_non_negative",
                condition=Q(amount_paid__isnull=True) | Q(amount_paid__gte=0),
            ),
        ]

    def __str__(self):
        return f"{self.bill_id} {self.from_period:%Y-%m-%d} {self.amount}"


class BillAccountDetail(models.Model):
    """One head of a bill detail: what is due under it, in apportioning order, with its GL code."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    bill_detail = models.ForeignKey(BillDetail, on_delete=models.PROTECT, related_name="account_details")
    demand_detail = models.ForeignKey(
        DemandDetail, null=True, blank=True, on_delete=models.PROTECT, related_name="bill_account_details"
    )
    # Empty for an imported account, which names a GL code and a description instead of a tax head.
    tax_head_code = models.CharField(max_length=64, blank=True)
    order = models.SmallIntegerField()
    amount = AmountField()
    adjusted_amount = AmountField(default=0)
    gl_code = models.CharField(max_length=30, blank=True)
    purpose = models.CharField(max_length=40, blank=True)
    is_actual_demand = models.BooleanField(default=True)
    description = models.CharField(max_length=250, blank=True)
    additional_details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["bill_detail_id", "order", "tax_head_code"]

    def __str__(self):
        return f"{self.tax_head_code or self.gl_code} {self.amount}"
