"""The simulated gateway's books: the orders merchants registered and how the gateway is told to misbehave. Kept in
the database so every server process sees one gateway."""

from decimal import Decimal

from django.db import models

from core.money import AmountField


class SimPgOrder(models.Model):
    """One merchant order: CREATED until the payer pays (SUCCESS), is declined (FAILURE) or cancels (ABANDONED)."""

    class Status(models.TextChoices):
        CREATED = "CREATED", "Created"
        SUCCESS = "SUCCESS", "Success"
        FAILURE = "FAILURE", "Failure"
        ABANDONED = "ABANDONED", "Abandoned"

    merchant_id = models.CharField(max_length=64)
    order_id = models.CharField(max_length=64)
    gateway_txn_id = models.CharField(max_length=40, unique=True)
    amount = AmountField()
    # What the payer paid, once paid.
    paid_amount = AmountField(null=True, blank=True)
    return_url = models.URLField(max_length=2000)
    product_info = models.CharField(max_length=512, blank=True)
    customer_name = models.CharField(max_length=200, blank=True)
    customer_mobile = models.CharField(max_length=20, blank=True)
    customer_email = models.CharField(max_length=254, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CREATED)
    payment_mode = models.CharField(max_length=20, blank=True)
    status_message = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [models.UniqueConstraint(fields=["merchant_id", "order_id"], name="sim_pg_order_unique")]

    def __str__(self):
        return f"{self.order_id} {self.status}"


class SimPgControl(models.Model):
    """How the gateway answers next: one row (pk 1)."""

    # Added to what the payer pays: a gateway that reports another amount than the order's.
    paid_amount_delta = AmountField(default=Decimal("0.00"))
    # The status API answers 503: the gateway is down.
    status_unavailable = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"PG simulator: delta={self.paid_amount_delta} status_unavailable={self.status_unavailable}"
