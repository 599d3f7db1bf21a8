"""The simulated sponsor bank's books. Amounts are positive; an entry's mark says which way it moved the balance."""

from decimal import Decimal

from django.db import models
from django.db.models import F, Q

from core.money import AmountField


class TotalField(models.DecimalField):
    """NUMERIC(18,2): balances and batch totals, sums of many NUMERIC(14,2) amounts."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)


class SimAccount(models.Model):
    account_number = models.CharField(max_length=34, unique=True)
    holder_name = models.CharField(max_length=140)
    currency = models.CharField(max_length=3, default="INR")
    balance = TotalField(default=Decimal("0.00"))
    # Share (0 to 1) of payments from this account that the beneficiary's bank returns (an RD line).
    payment_failure_share = models.DecimalField(max_digits=4, decimal_places=3, default=Decimal("0.000"))
    statement_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account_number"]
        constraints = [
            models.CheckConstraint(
                name="sim_account_failure_share_range",
                condition=Q(payment_failure_share__gte=0, payment_failure_share__lte=1),
            ),
        ]

    def __str__(self):
        return f"••••{self.account_number[-4:]} ({self.currency})"


class SimFundBlock(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", "Active"
        RELEASED = "RELEASED", "Released"

    reference = models.CharField(max_length=36, unique=True)
    account = models.ForeignKey(SimAccount, on_delete=models.PROTECT, related_name="blocks")
    amount = TotalField()
    used_amount = TotalField(default=Decimal("0.00"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    idempotency_key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(name="sim_block_amount_positive", condition=Q(amount__gt=0)),
            models.CheckConstraint(
                name="sim_block_used_within_amount", condition=Q(used_amount__gte=0, used_amount__lte=F("amount"))
            ),
        ]

    def __str__(self):
        return self.reference


class SimPaymentBatch(models.Model):
    """One initiate_payment call. The UNIQUE key is what makes a repeated call book nothing."""

    idempotency_key = models.CharField(max_length=200, unique=True)
    request_digest = models.CharField(max_length=64)
    reference = models.CharField(max_length=16, unique=True)
    account = models.ForeignKey(SimAccount, on_delete=models.PROTECT, related_name="payment_batches")
    block = models.ForeignKey(SimFundBlock, on_delete=models.PROTECT, related_name="payment_batches")
    item_count = models.PositiveIntegerField()
    total_amount = TotalField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.reference


class SimStatement(models.Model):
    account = models.ForeignKey(SimAccount, on_delete=models.PROTECT, related_name="statements")
    reference = models.CharField(max_length=16, unique=True)
    number = models.PositiveIntegerField()
    opening_balance = TotalField()
    closing_balance = TotalField()
    entry_count = models.PositiveIntegerField()
    content = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivery_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["account", "number"], name="sim_statement_number_unique")]

    def __str__(self):
        return self.reference


class SimLedgerEntry(models.Model):
    class Mark(models.TextChoices):
        DEBIT = "D", "Debit"
        CREDIT = "C", "Credit"
        REVERSED_DEBIT = "RD", "Reversal of a debit"

    account = models.ForeignKey(SimAccount, on_delete=models.PROTECT, related_name="entries")
    mark = models.CharField(max_length=2, choices=Mark.choices)
    amount = AmountField()
    value_date = models.DateField()
    customer_reference = models.CharField(max_length=16)
    bank_reference = models.CharField(max_length=16)
    narratives = models.JSONField(default=list)
    disbursement_id = models.CharField(max_length=64, blank=True)
    batch = models.ForeignKey(SimPaymentBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    statement = models.ForeignKey(SimStatement, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(name="sim_entry_amount_positive", condition=Q(amount__gt=0))]
        indexes = [models.Index(fields=["account", "statement"], name="sim_entry_unreported_idx")]

    def __str__(self):
        return f"{self.mark} {self.amount} {self.customer_reference}"

    @property
    def signed_amount(self) -> Decimal:
        return -self.amount if self.mark == self.Mark.DEBIT else self.amount
