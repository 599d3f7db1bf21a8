"""Expense bills in, Payment Instructions (PIs) out to the treasury's JIT-FS, and the funds they draw on.

Statuses and the JIT services follow the MUKTASoft ifms-adapter; the transition table lives in the services."""

from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q

from core.models import MOBILE_NUMBER_VALIDATOR, Tenant, User
from core.money import AmountField

IFSC_VALIDATOR = RegexValidator(r"^[A-Z]{4}0[A-Z0-9]{6}$", "An IFSC is 4 letters, a zero and 6 letters or digits.")
ACCOUNT_NUMBER_VALIDATOR = RegexValidator(r"^[0-9]{6,20}$", "A bank account number is 6 to 20 digits.")


def account_mask(number: str) -> str:
    """An account number as the UI and logs show it: the last four digits only."""
    if not number:
        return ""
    return "X" * max(len(number) - 4, 0) + number[-4:]


class JitService(models.TextChoices):
    VA = "VA", "Virtual allotment"
    PI = "PI", "Payment instruction"
    PIS = "PIS", "Payment instruction status"
    PAG = "PAG", "Payment advice generation"
    PD = "PD", "Payment details"
    FD = "FD", "Failed payment details"
    COR = "COR", "Revised payment instruction"
    FTPS = "FTPS", "Revised PI payment details"
    FTFPS = "FTFPS", "Revised PI failed payment details"


class JitOutcome(models.TextChoices):
    SUCCESS = "SUCCESS", "Response received"
    ERROR = "ERROR", "Error"
    NO_RESPONSE = "NO_RESPONSE", "No response"


# --- Masters --------------------------------------------------------------------------------


class HeadOfAccount(models.Model):
    """A budget head (MDMS `ifms.HeadOfAccounts`), kept at state level. Lower `sequence` is drawn on first."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="heads_of_account")
    code = models.CharField(max_length=60)
    name = models.CharField(max_length=200)
    sequence = models.PositiveSmallIntegerField(default=1)
    scheme_code = models.CharField(max_length=20)
    is_active = models.BooleanField(default=True)
    # The first VA asks for allotments from this moment on.
    effective_from = models.DateTimeField()

    class Meta:
        ordering = ["tenant_id", "sequence", "code"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="hoa_tenant_code_unique")]

    def __str__(self):
        return f"{self.code} ({self.name})"


class SpendingUnit(models.Model):
    """A city's sub-spending unit at the treasury (MDMS `ifms.SSUDetails`)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="spending_units")
    ssu_id = models.CharField("SSU id (ssuIaId)", max_length=30)
    ssu_code = models.CharField(max_length=30)
    ddo_code = models.CharField("DDO code", max_length=30)
    grantee_ag_code = models.CharField(max_length=30)
    grantee_name = models.CharField(max_length=200, blank=True)
    ssu_office = models.CharField(max_length=200, blank=True)
    program_code = models.CharField(max_length=30, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["tenant_id", "ssu_id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "ssu_id"], name="ssu_tenant_id_unique")]

    def __str__(self):
        return f"{self.ssu_id} ({self.tenant_id}, DDO {self.ddo_code})"


# --- Funds: sanctions, allotments, the register ---------------------------------------------


class Sanction(models.Model):
    """Money sanctioned to a city under one head of account, keyed by the treasury's master allotment id."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="sanctions")
    spending_unit = models.ForeignKey(SpendingUnit, on_delete=models.PROTECT, related_name="sanctions")
    hoa_code = models.CharField(max_length=60)
    ddo_code = models.CharField(max_length=30)
    master_allotment_id = models.CharField(max_length=40)
    sanctioned_amount = AmountField()
    # Indian financial year of the first allotment, e.g. 2026-27.
    financial_year = models.CharField(max_length=9)
    program_code = models.CharField(max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tenant_id", "financial_year", "hoa_code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "master_allotment_id"], name="sanction_master_allotment_unique"),
            models.CheckConstraint(name="sanction_amount_non_negative", condition=Q(sanctioned_amount__gte=0)),
        ]

    def __str__(self):
        return f"{self.master_allotment_id} {self.hoa_code} ({self.financial_year})"


class Allotment(models.Model):
    """One VA transaction: an initial or additional allotment, or a withdrawal. Append-only."""

    class Type(models.TextChoices):
        INITIAL = "Initial Allotment", "Initial Allotment"
        ADDITIONAL = "Additional allotment", "Additional Allotment"
        WITHDRAWAL = "Allotment withdrawal", "Withdrawal"

    sanction = models.ForeignKey(Sanction, on_delete=models.PROTECT, related_name="allotments")
    serial_number = models.CharField("allotmentTxnSlNo", max_length=40)
    ssu_allotment_id = models.CharField(max_length=40)
    amount = AmountField()
    transaction_type = models.CharField(max_length=30, choices=Type.choices)
    # availableBalance as the treasury reported it with this allotment.
    sanction_balance = AmountField()
    allotment_date = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["allotment_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["sanction", "serial_number"], name="allotment_serial_unique"),
            models.CheckConstraint(name="allotment_amount_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self):
        return f"{self.transaction_type} {self.amount} ({self.serial_number})"


class FundsSummary(models.Model):
    """Allotted and available money of a sanction. Recomputed from its allotments and fund transactions
    under this row's lock; never adjusted by read-modify-write."""

    sanction = models.OneToOneField(Sanction, on_delete=models.PROTECT, related_name="funds_summary")
    allotted_amount = AmountField()
    available_amount = AmountField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "funds summaries"
        constraints = [
            models.CheckConstraint(name="funds_allotted_non_negative", condition=Q(allotted_amount__gte=0)),
            models.CheckConstraint(name="funds_available_non_negative", condition=Q(available_amount__gte=0)),
            models.CheckConstraint(
                name="funds_available_within_allotted", condition=Q(available_amount__lte=F("allotted_amount"))
            ),
        ]

    def __str__(self):
        return f"{self.sanction}: {self.available_amount} of {self.allotted_amount} available"


class VaWatermark(models.Model):
    """When VA last ran for a tenant × head × DDO × grantee: the next run asks from here."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="va_watermarks")
    hoa_code = models.CharField(max_length=60)
    ddo_code = models.CharField(max_length=30)
    grantee_code = models.CharField(max_length=30)
    last_executed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "hoa_code", "ddo_code", "grantee_code"], name="va_watermark_unique"
            )
        ]

    def __str__(self):
        return f"VA {self.tenant_id} {self.hoa_code} {self.ddo_code}: {self.last_executed_at:%Y-%m-%d %H:%M}"


# --- Expense bills --------------------------------------------------------------------------


class Payee(models.Model):
    """Someone an expense bill pays: a wage seeker (IND), an organisation (ORG) or a deduction head (DEPT)."""

    class Type(models.TextChoices):
        INDIVIDUAL = "IND", "Individual"
        ORGANISATION = "ORG", "Organisation"
        DEPARTMENT = "DEPT", "Department (deduction)"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="payees")
    payee_type = models.CharField(max_length=4, choices=Type.choices)
    identifier = models.CharField(max_length=100)
    name = models.CharField(max_length=200)
    mobile_number = models.CharField(max_length=10, blank=True, validators=[MOBILE_NUMBER_VALIDATOR])
    address = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tenant_id", "identifier"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "payee_type", "identifier"], name="payee_identifier_unique")
        ]

    def __str__(self):
        return f"{self.name} ({self.payee_type} {self.identifier})"


class PayeeBankAccount(models.Model):
    """A payee's bank account. A correction adds a new active row; the old one stays for the record."""

    class AccountType(models.TextChoices):
        SAVINGS = "SAVINGS", "Savings"
        CURRENT = "CURRENT", "Current"

    payee = models.ForeignKey(Payee, on_delete=models.PROTECT, related_name="bank_accounts")
    account_number = models.CharField(max_length=20, validators=[ACCOUNT_NUMBER_VALIDATOR])
    ifsc = models.CharField("IFSC", max_length=11, validators=[IFSC_VALIDATOR])
    account_holder_name = models.CharField(max_length=200)
    account_type = models.CharField(max_length=10, choices=AccountType.choices, default=AccountType.SAVINGS)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["payee_id", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["payee"], condition=Q(is_active=True), name="payee_one_active_bank_account"
            ),
        ]

    def __str__(self):
        return f"{account_mask(self.account_number)} / {self.ifsc}"


class ExpenseBill(models.Model):
    """An approved wage, purchase or supervision bill, as the works system hands it over for payment."""

    class Type(models.TextChoices):
        WAGE = "EXPENSE.WAGES", "Wage bill"
        PURCHASE = "EXPENSE.PURCHASE", "Purchase bill"
        SUPERVISION = "EXPENSE.SUPERVISION", "Supervision bill"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="expense_bills")
    bill_number = models.CharField(max_length=64)
    bill_type = models.CharField(max_length=30, choices=Type.choices)
    bill_date = models.DateField()
    # The contract or muster roll the bill pays for.
    reference_id = models.CharField(max_length=64, blank=True)
    net_payable = AmountField()
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "bill_number"], name="expense_bill_number_unique"),
            models.CheckConstraint(name="expense_bill_net_positive", condition=Q(net_payable__gt=0)),
        ]

    def __str__(self):
        return self.bill_number


class ExpenseLineItem(models.Model):
    """A payable line of a bill: what one payee gets under one head."""

    bill = models.ForeignKey(ExpenseBill, on_delete=models.PROTECT, related_name="line_items")
    payee = models.ForeignKey(Payee, on_delete=models.PROTECT, related_name="line_items")
    head_code = models.CharField(max_length=40)
    amount = AmountField()

    class Meta:
        ordering = ["bill_id", "id"]
        constraints = [models.CheckConstraint(name="expense_line_amount_positive", condition=Q(amount__gt=0))]

    def __str__(self):
        return f"{self.head_code} {self.amount} → {self.payee_id}"


class ExpensePayment(models.Model):
    """The one payment of a bill (`muktaReferenceId`); it goes to JIT-FS as one or more PIs over time."""

    class Status(models.TextChoices):
        INITIATED = "INITIATED", "Initiated"
        SUCCESSFUL = "SUCCESSFUL", "Successful"
        PARTIAL = "PARTIAL", "Partial"
        FAILED = "FAILED", "Failed"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="expense_payments")
    bill = models.OneToOneField(ExpenseBill, on_delete=models.PROTECT, related_name="payment")
    payment_number = models.CharField(max_length=64, unique=True)
    amount = AmountField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.INITIATED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(name="expense_payment_amount_positive", condition=Q(amount__gt=0))]

    def __str__(self):
        return self.payment_number


# --- Payment Instructions -------------------------------------------------------------------


class PaymentInstruction(models.Model):
    """A PI sent to JIT-FS: the original for a payment, or a revised one (COR) for its failed beneficiaries."""

    class Type(models.TextChoices):
        ORIGINAL = "ORIGINAL", "Original"
        REVISED = "REVISED", "Revised"

    class Status(models.TextChoices):
        # Stored, not yet accepted by JIT-FS (no answer yet): pushed again by the 21:00 run or Refresh.
        PENDING = "PENDING", "Pending"
        INITIATED = "INITIATED", "Initiated"
        APPROVED = "APPROVED", "Approved"
        IN_PROCESS = "IN PROCESS", "In Process"
        SUCCESSFUL = "SUCCESSFUL", "Successful"
        PARTIAL = "PARTIAL", "Partial"
        COMPLETED = "COMPLETED", "Completed"
        FAILED = "FAILED", "Failed"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="payment_instructions")
    payment = models.ForeignKey(ExpensePayment, on_delete=models.PROTECT, related_name="payment_instructions")
    pi_number = models.CharField("PI id (jitBillNo)", max_length=64, unique=True)
    pi_type = models.CharField(max_length=10, choices=Type.choices)
    # For a revised PI: the original it revises (the root, so the chain is flat).
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisions",
        limit_choices_to={"parent": None},
    )
    # The PI whose failed beneficiaries this one pays again: for a revised PI the original or the previous
    # revision; for a fresh original (made once the revision window has passed) the PARTIAL PI it replaces.
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    is_active = models.BooleanField(default=True)
    pi_date = models.DateTimeField("PI date (jitBillDate)")
    gross_amount = AmountField()
    net_amount = AmountField()
    beneficiary_count = models.PositiveIntegerField()
    spending_unit = models.ForeignKey(SpendingUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    sanction = models.ForeignKey(Sanction, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    hoa_code = models.CharField("head of account", max_length=60, blank=True)
    master_allotment_id = models.CharField(max_length=40, blank=True)
    success_code = models.CharField(max_length=20, blank=True)
    success_description = models.CharField(max_length=300, blank=True)
    approved_id = models.CharField("pmtInstId", max_length=40, blank=True)
    approval_date = models.DateField(null=True, blank=True)
    # JIT's errorMsg(s), or a Kosh code such as PAYMENT_INSUFFICIENT_FUNDS.
    error_text = models.TextField(blank=True)
    # When the PI's beneficiaries were paid (PD/FTPS): bounds how long failures are looked for.
    paid_at = models.DateTimeField(null=True, blank=True)
    # A scheduled run's claim: nobody else polls the PI until the lease ends or the poll finishes.
    poll_lease_until = models.DateTimeField(null=True, blank=True)
    polled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "pi_type"], name="pi_status_type_idx")]
        constraints = [
            models.CheckConstraint(name="pi_gross_positive", condition=Q(gross_amount__gt=0)),
            models.CheckConstraint(name="pi_net_equals_gross", condition=Q(net_amount=F("gross_amount"))),
            models.CheckConstraint(name="pi_has_beneficiaries", condition=Q(beneficiary_count__gt=0)),
            models.CheckConstraint(
                name="pi_type_matches_parent",
                condition=(Q(pi_type="ORIGINAL", parent__isnull=True))
                | (Q(pi_type="REVISED", parent__isnull=False, replaces__isnull=False)),
            ),
            # The duplicate-PI guards, race-proof: one first original per payment unless it failed, one
            # revision at a time in flight per original, and one live replacement per failed PI.
            models.UniqueConstraint(
                fields=["payment"],
                condition=Q(pi_type="ORIGINAL", replaces__isnull=True) & ~Q(status="FAILED"),
                name="pi_one_live_original_per_payment",
            ),
            models.UniqueConstraint(
                fields=["parent"],
                condition=Q(pi_type="REVISED", status__in=["PENDING", "INITIATED", "SUCCESSFUL"]),
                name="pi_one_live_revision_per_original",
            ),
            models.UniqueConstraint(fields=["replaces"], condition=~Q(status="FAILED"), name="pi_one_live_replacement"),
        ]

    def __str__(self):
        return self.pi_number

    @property
    def root(self) -> "PaymentInstruction":
        return self.parent if self.parent_id else self


class PaymentAdvice(models.Model):
    """The treasury's payment advice for a PI (PAG; the bill reference and token of FTPS for a revised PI)."""

    pi = models.OneToOneField(PaymentInstruction, on_delete=models.PROTECT, related_name="advice")
    bill_ref_number = models.CharField("online bill ref no", max_length=40, blank=True)
    fin_year = models.CharField(max_length=9, blank=True)
    advice_id = models.CharField(max_length=40, blank=True)
    advice_date = models.DateField(null=True, blank=True)
    token_number = models.CharField(max_length=40, blank=True)
    token_date = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"PA {self.advice_id or '—'} of {self.pi_id}"


class PIBeneficiary(models.Model):
    """One payee on one PI. Bank details are snapshotted per PI; `beneficiary_number` (benfId) is kept across
    revisions, so it follows one payment through its retries."""

    class Status(models.TextChoices):
        PENDING = "Payment Pending", "Payment Pending"
        INITIATED = "Payment Initiated", "Payment Initiated"
        IN_PROCESS = "Payment In Process", "Payment In Process"
        SUCCESSFUL = "Payment Successful", "Payment Successful"
        FAILED = "Payment Failed", "Payment Failed"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    pi = models.ForeignKey(PaymentInstruction, on_delete=models.PROTECT, related_name="beneficiaries")
    payee = models.ForeignKey(Payee, on_delete=models.PROTECT, related_name="pi_beneficiaries")
    beneficiary_number = models.CharField("payment id (benfId)", max_length=40)
    beneficiary_type = models.CharField(max_length=4, choices=Payee.Type.choices)
    line_items = models.ManyToManyField(ExpenseLineItem, related_name="pi_beneficiaries")
    account_number = models.CharField(max_length=20, validators=[ACCOUNT_NUMBER_VALIDATOR])
    ifsc = models.CharField("IFSC", max_length=11, validators=[IFSC_VALIDATOR])
    account_holder_name = models.CharField(max_length=200)
    account_type = models.CharField(max_length=10, choices=PayeeBankAccount.AccountType.choices)
    mobile_number = models.CharField(max_length=10, blank=True)
    amount = AmountField()
    payment_status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    # The bank's status text on success, the failed reason on failure.
    status_message = models.CharField(max_length=300, blank=True)
    voucher_number = models.CharField(max_length=40, blank=True)
    voucher_date = models.DateField(null=True, blank=True)
    utr_number = models.CharField("UTR", max_length=40, blank=True)
    utr_date = models.DateField(null=True, blank=True)
    end_to_end_id = models.CharField(max_length=60, blank=True)
    challan_number = models.CharField(max_length=40, blank=True)
    challan_date = models.DateField(null=True, blank=True)
    failed_reason = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pi_id", "id"]
        verbose_name_plural = "PI beneficiaries"
        constraints = [
            models.UniqueConstraint(fields=["pi", "beneficiary_number"], name="pi_beneficiary_number_unique"),
            # JIT-FS refuses two beneficiaries with one account and IFSC on a bill.
            models.UniqueConstraint(fields=["pi", "account_number", "ifsc"], name="pi_beneficiary_account_unique"),
            models.CheckConstraint(name="pi_beneficiary_amount_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self):
        return f"{self.beneficiary_number} on {self.pi_id}"

    @property
    def account_masked(self) -> str:
        return account_mask(self.account_number)


# --- Funds moved by PIs ---------------------------------------------------------------------


class FundTransaction(models.Model):
    """Money a PI took from a sanction (DEBIT) or gave back (REVERSAL). Append-only."""

    class Type(models.TextChoices):
        DEBIT = "DEBIT", "Expense"
        REVERSAL = "REVERSAL", "Expense (Reversed)"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    sanction = models.ForeignKey(Sanction, on_delete=models.PROTECT, related_name="fund_transactions")
    pi = models.ForeignKey(PaymentInstruction, on_delete=models.PROTECT, related_name="fund_transactions")
    transaction_type = models.CharField(max_length=10, choices=Type.choices)
    amount = AmountField()
    transaction_at = models.DateTimeField()

    class Meta:
        ordering = ["transaction_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pi", "transaction_type"], name="fund_transaction_once_per_pi"),
            models.CheckConstraint(name="fund_transaction_amount_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self):
        return f"{self.transaction_type} {self.amount} for {self.pi_id}"


# --- What JIT-FS was asked and answered -----------------------------------------------------


class JitCall(models.Model):
    """Every call to JIT-FS: the request with secrets and account numbers masked, the decrypted answer,
    the outcome and how long it took. Append-only; the latest per PI and service is what the UI shows."""

    tenant = models.ForeignKey(Tenant, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    pi = models.ForeignKey(
        PaymentInstruction, null=True, blank=True, on_delete=models.PROTECT, related_name="jit_calls"
    )
    service = models.CharField(max_length=6, choices=JitService.choices)
    request = models.JSONField(encoder=DjangoJSONEncoder)
    response = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    outcome = models.CharField(max_length=12, choices=JitOutcome.choices)
    # JIT's error message, or what went wrong on the way ("timed out after 30 s").
    message = models.TextField(blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    attempt = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "JIT call"
        indexes = [models.Index(fields=["pi", "service", "-created_at"], name="jit_call_pi_service_idx")]

    def __str__(self):
        return f"{self.service} {self.outcome} ({self.pi_id or 'bulk'})"


class PIStatusLog(models.Model):
    """What each JIT call meant for one PI (`STATUS_LOG_<SVC>_<RESULT>`), with the message View PI shows."""

    pi = models.ForeignKey(PaymentInstruction, on_delete=models.PROTECT, related_name="status_logs")
    service = models.CharField(max_length=6, choices=JitService.choices)
    # e.g. PIS_SUCCESS, PIS_REJECTED, PI_NO_FUNDS, FTFPS_NO_RESPONSE.
    status = models.CharField(max_length=30)
    outcome = models.CharField(max_length=12, choices=JitOutcome.choices)
    message = models.TextField()
    jit_call = models.ForeignKey(JitCall, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "PI status log"
        indexes = [models.Index(fields=["pi", "service", "-created_at"], name="pi_status_log_latest_idx")]

    def __str__(self):
        return f"{self.pi_id} {self.status}"
