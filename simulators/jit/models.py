"""The simulated treasury's books: sessions, bills (PIs and revised PIs) with their beneficiaries, allotments
for VA, and the scenario each service plays. Kept in the database so every server process sees one treasury."""

from django.db import models
from django.db.models import Q

from core.money import AmountField


class SimSession(models.Model):
    """An authenticated client: its token and session encryption key (SEK)."""

    token = models.CharField(max_length=64, unique=True)
    client_id = models.CharField(max_length=100)
    sek = models.BinaryField()
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"session of {self.client_id} until {self.expires_at:%H:%M:%S}"


class SimBill(models.Model):
    """A bill the treasury holds: an original PI (PI) or a revised one (COR)."""

    class Kind(models.TextChoices):
        PI = "PI", "Payment instruction"
        COR = "COR", "Revised payment instruction"

    kind = models.CharField(max_length=3, choices=Kind.choices)
    jit_bill_no = models.CharField(max_length=64, unique=True)
    jit_bill_date = models.CharField(max_length=19)
    ddo_code = models.CharField(max_length=30, blank=True)
    ssu_ia_id = models.CharField(max_length=30, blank=True)
    scheme_code = models.CharField(max_length=20, blank=True)
    gross_amount = AmountField()
    # For a COR: the original bill and the bill reference it was paid under.
    org_bill_no = models.CharField(max_length=64, blank=True)
    org_bill_ref_no = models.CharField(max_length=40, blank=True)
    pmt_inst_id = models.CharField(max_length=40, blank=True)
    pay_inst_date = models.CharField(max_length=10, blank=True)
    fin_year = models.CharField(max_length=9, blank=True)
    advice_id = models.CharField(max_length=40, blank=True)
    advice_date = models.CharField(max_length=10, blank=True)
    online_bill_ref_no = models.CharField(max_length=40, blank=True)
    token_number = models.CharField(max_length=40, blank=True)
    token_date = models.CharField(max_length=10, blank=True)
    voucher_no = models.CharField(max_length=40, blank=True)
    voucher_date = models.CharField(max_length=10, blank=True)
    # What the PI/COR call answered, returned again when the same bill is pushed twice.
    acknowledgement = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.kind} {self.jit_bill_no}"


class SimBeneficiary(models.Model):
    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        PAID = "PAID", "Paid"
        FAILED = "FAILED", "Failed"

    bill = models.ForeignKey(SimBill, on_delete=models.CASCADE, related_name="beneficiaries")
    benf_id = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    account_no = models.CharField(max_length=20)
    ifsc = models.CharField(max_length=11)
    amount = AmountField()
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.PENDING)
    utr_no = models.CharField(max_length=40, blank=True)
    utr_date = models.CharField(max_length=10, blank=True)
    end_to_end_id = models.CharField(max_length=60, blank=True)
    challan_no = models.CharField(max_length=40, blank=True)
    challan_date = models.CharField(max_length=10, blank=True)
    failed_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["bill_id", "id"]
        constraints = [models.UniqueConstraint(fields=["bill", "benf_id"], name="sim_jit_benf_unique")]

    def __str__(self):
        return f"{self.benf_id} ({self.status})"


class SimAllotment(models.Model):
    """An allotment the treasury will report to VA for a head of account and DDO."""

    hoa = models.CharField(max_length=60)
    ddo_code = models.CharField(max_length=30)
    grantee_code = models.CharField(max_length=30)
    ssu_id = models.CharField(max_length=30)
    mst_allotment_dist_id = models.CharField(max_length=40)
    ssu_allotment_id = models.CharField(max_length=40)
    allotment_txn_sl_no = models.CharField(max_length=40, unique=True)
    allotment_txn_type = models.CharField(max_length=30)
    allotment_amount = AmountField()
    available_balance = AmountField()
    allotment_date = models.DateTimeField()

    class Meta:
        ordering = ["allotment_date", "id"]

    def __str__(self):
        return f"{self.allotment_txn_type} {self.allotment_amount} ({self.allotment_txn_sl_no})"


class SimScenario(models.Model):
    """How one JIT service answers: normally, with an error, or not at all; and which beneficiaries fail or
    are not paid yet. `remaining_calls` limits the scenario to the next N calls (empty: until changed)."""

    class Mode(models.TextChoices):
        SUCCESS = "SUCCESS", "Answer normally"
        ERROR = "ERROR", "Answer with an error message"
        NO_RESPONSE = "NO_RESPONSE", "Answer nothing (gateway timeout)"

    service = models.CharField(max_length=6, unique=True)
    mode = models.CharField(max_length=12, choices=Mode.choices, default=Mode.SUCCESS)
    # May name the bill: "This Bill Number {jitBillNo} is rejected by SSU".
    error_message = models.CharField(max_length=300, blank=True)
    delay_seconds = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    # benfIds that fail after payment (FD, FTFPS), and benfIds the bank has not paid yet (PD, FTPS).
    fail_benf_ids = models.JSONField(default=list, blank=True)
    hold_benf_ids = models.JSONField(default=list, blank=True)
    failed_reason = models.CharField(max_length=300, default="Account does not exist")
    remaining_calls = models.PositiveIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["service"]
        constraints = [
            models.CheckConstraint(name="sim_jit_error_has_message", condition=~Q(mode="ERROR") | ~Q(error_message="")),
        ]

    def __str__(self):
        return f"{self.service}: {self.mode}"
