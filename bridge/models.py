"""G2P disbursement bridge: who may call it, benefit programs, envelopes and their disbursements, the pipeline's
stages and bank batches, statements and what reconciliation made of them.

Amounts are positive NUMERIC(14,2); totals (sums of many amounts, and statement balances, which may be negative)
are NUMERIC(18,2). A disbursement's lifecycle is its `status`; the pipeline's progress lives in EnvelopeStage rows
and BankBatch rows, each with attempts, the next attempt and the last error."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from core.models import Tenant
from core.money import AmountField


class TotalField(models.DecimalField):
    """NUMERIC(18,2): envelope and batch totals and statement balances."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)


def masked(account_number: str) -> str:
    """An account number as the UI and logs show it: its last four characters."""
    return f"••••{account_number[-4:]}" if account_number else ""


class BridgeClient(models.Model):
    """A system that calls the G2P Bridge API with a client token: a benefits system (PBMS), or a sponsor bank
    posting statements. It acts in exactly one tenant. Only the token's SHA-256 is stored."""

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="bridge_clients")
    name = models.CharField(max_length=100)
    token_digest = models.CharField(max_length=64, unique=True)
    token_hint = models.CharField(max_length=8, help_text="The token's last characters, to tell tokens apart.")
    # CIDR networks the calls must come from; empty means any address.
    allowed_networks = models.JSONField(default=list, blank=True)
    # PEM public key; when set, every call must carry a valid detached JWS in the `Signature` header.
    signature_public_key = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["tenant_id", "name"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="bridge_client_name_unique")]

    def __str__(self):
        return f"{self.name} ({self.tenant_id})"


class BenefitProgram(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="benefit_programs")
    mnemonic = models.CharField(max_length=50)
    name = models.CharField(max_length=200)
    funding_org_code = models.CharField(max_length=50, blank=True)
    funding_org_name = models.CharField(max_length=200, blank=True)
    sponsor_bank_code = models.CharField(max_length=30)
    # A statement's :25: names this account, so it identifies the program everywhere.
    sponsor_bank_account_number = models.CharField(max_length=34, unique=True)
    sponsor_bank_branch_code = models.CharField(max_length=30, blank=True)
    currency = models.CharField(max_length=3, default="INR")
    id_mapper_resolution_required = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tenant_id", "mnemonic"]
        constraints = [models.UniqueConstraint(fields=["tenant", "mnemonic"], name="bridge_program_mnemonic_unique")]

    def __str__(self):
        return f"{self.mnemonic} ({self.tenant_id})"

    @property
    def account_masked(self) -> str:
        return masked(self.sponsor_bank_account_number)


class Envelope(models.Model):
    """One disbursement cycle of a program, with the counts and total the PBMS declares up front."""

    class Frequency(models.TextChoices):
        DAILY = "Daily"
        WEEKLY = "Weekly"
        FORTNIGHTLY = "Fortnightly"
        MONTHLY = "Monthly"
        BIMONTHLY = "BiMonthly"
        QUARTERLY = "Quarterly"
        SEMIANNUALLY = "SemiAnnually"
        ANNUALLY = "Annually"
        ONDEMAND = "OnDemand"

    class Cancellation(models.TextChoices):
        NOT_CANCELLED = "Not_Cancelled", "Not cancelled"
        CANCELLED = "Cancelled", "Cancelled"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="envelopes")
    program = models.ForeignKey(BenefitProgram, on_delete=models.PROTECT, related_name="envelopes")
    envelope_id = models.CharField(max_length=64)
    frequency = models.CharField(max_length=20, choices=Frequency.choices)
    cycle_code_mnemonic = models.CharField(max_length=50)
    number_of_beneficiaries = models.PositiveIntegerField()
    number_of_disbursements = models.PositiveIntegerField()
    total_disbursement_amount = TotalField()
    currency = models.CharField(max_length=3)
    schedule_date = models.DateField()
    received_at = models.DateTimeField(auto_now_add=True)
    cancellation_status = models.CharField(
        max_length=15, choices=Cancellation.choices, default=Cancellation.NOT_CANCELLED
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(BridgeClient, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Every disbursement received (cancelled ones too), moved only with F() by the update that locks the row, so a
    # call of a thousand checks the declared limits in one statement; the database refuses going past them.
    received_count = models.PositiveIntegerField(default=0)
    received_amount = TotalField(default=Decimal("0.00"))

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "envelope_id"], name="bridge_envelope_id_unique"),
            models.CheckConstraint(name="bridge_envelope_counts_positive", condition=Q(number_of_disbursements__gte=1)),
            models.CheckConstraint(
                name="bridge_envelope_beneficiaries_positive", condition=Q(number_of_beneficiaries__gte=1)
            ),
            models.CheckConstraint(
                name="bridge_envelope_total_not_negative", condition=Q(total_disbursement_amount__gte=0)
            ),
            models.CheckConstraint(
                name="bridge_envelope_received_within_declared",
                condition=Q(received_count__lte=F("number_of_disbursements"))
                & Q(received_amount__lte=F("total_disbursement_amount")),
            ),
        ]

    def __str__(self):
        return f"{self.envelope_id} ({self.program.mnemonic})"

    @property
    def is_cancelled(self) -> bool:
        return self.cancellation_status == self.Cancellation.CANCELLED


class EnvelopeStage(models.Model):
    """One pipeline stage of one envelope. A worker claims a due row (SKIP LOCKED) for a lease, works, and ends
    it DONE, PENDING again with a later next attempt, or ERROR with the reason once attempts run out."""

    class Stage(models.TextChoices):
        RESOLVE = "RESOLVE", "Resolve accounts"
        FUNDS_CHECK = "FUNDS_CHECK", "Check funds"
        FUNDS_BLOCK = "FUNDS_BLOCK", "Block funds"
        DISPATCH = "DISPATCH", "Disburse"
        RECONCILE = "RECONCILE", "Reconcile"
        RELEASE = "RELEASE", "Release funds"

    class Status(models.TextChoices):
        WAITING = "WAITING", "Waiting"
        PENDING = "PENDING", "Pending"
        RUNNING = "RUNNING", "Running"
        DONE = "DONE", "Done"
        ERROR = "ERROR", "Error"
        SKIPPED = "SKIPPED", "Not needed"

    envelope = models.ForeignKey(Envelope, on_delete=models.PROTECT, related_name="stages")
    stage = models.CharField(max_length=20, choices=Stage.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error_code = models.CharField(max_length=60, blank=True)
    last_error = models.TextField(blank=True)
    # FUNDS_BLOCK: the bank's block reference; the amount checked, blocked or released.
    reference = models.CharField(max_length=64, blank=True)
    amount = TotalField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["envelope_id", "id"]
        constraints = [models.UniqueConstraint(fields=["envelope", "stage"], name="bridge_stage_unique")]
        indexes = [models.Index(fields=["stage", "status", "next_attempt_at"], name="bridge_stage_due_idx")]

    def __str__(self):
        return f"{self.envelope_id}:{self.stage}={self.status}"


class FinancialAddress(models.Model):
    """The local account mapper: where a beneficiary's money goes. Kept by the tenant (admin or import)."""

    class Type(models.TextChoices):
        BANK_ACCOUNT = "BANK_ACCOUNT", "Bank account"
        MOBILE_WALLET = "MOBILE_WALLET", "Mobile wallet"
        EMAIL_WALLET = "EMAIL_WALLET", "Email wallet"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="financial_addresses")
    beneficiary_id = models.CharField(max_length=100)
    fa_type = models.CharField(max_length=15, choices=Type.choices, default=Type.BANK_ACCOUNT)
    account_number = models.CharField(max_length=34, blank=True)
    bank_code = models.CharField(max_length=20, blank=True)
    branch_code = models.CharField(max_length=20, blank=True)
    account_holder_name = models.CharField(max_length=140, blank=True)
    mobile_number = models.CharField(max_length=15, blank=True)
    wallet_provider = models.CharField(max_length=50, blank=True)
    email_address = models.CharField(max_length=254, blank=True)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tenant_id", "beneficiary_id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "beneficiary_id"], name="bridge_financial_address_unique")
        ]

    def __str__(self):
        return f"{self.beneficiary_id} → {self.fa_type} {masked(self.account_number)}"


class BankBatch(models.Model):
    """One initiate_payment call. Its idempotency key is recorded here before the call, so a batch resent after
    a crash carries the same key and the bank books it once."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"
        SENDING = "SENDING", "Sending"
        SENT = "SENT", "Accepted by the bank"
        ERROR = "ERROR", "Error"
        CANCELLED = "CANCELLED", "Cancelled"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="bank_batches")
    envelope = models.ForeignKey(Envelope, on_delete=models.PROTECT, related_name="batches")
    sequence = models.PositiveIntegerField()
    idempotency_key = models.CharField(max_length=100, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    item_count = models.PositiveIntegerField()
    total_amount = TotalField()
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error_code = models.CharField(max_length=60, blank=True)
    last_error = models.TextField(blank=True)
    bank_reference = models.CharField(max_length=40, blank=True)
    accepted_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["envelope_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["envelope", "sequence"], name="bridge_batch_sequence_unique"),
            models.CheckConstraint(name="bridge_batch_total_positive", condition=Q(total_amount__gt=0)),
            models.CheckConstraint(name="bridge_batch_items_positive", condition=Q(item_count__gte=1)),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="bridge_batch_due_idx")]

    def __str__(self):
        return f"{self.envelope_id}#{self.sequence} {self.status}"


class Disbursement(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "RECEIVED", "Received"
        RESOLVED = "RESOLVED", "Account resolved"
        SHIPPED = "SHIPPED", "Sent to the bank"
        PAID = "PAID", "Paid"
        REVERSED = "REVERSED", "Reversed by the bank"
        FAILED = "FAILED", "Failed"
        CANCELLED = "CANCELLED", "Cancelled"

    # Indexed by the UNIQUE (tenant, disbursement_id) constraint; a separate index would only slow bulk inserts.
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="disbursements", db_index=False)
    envelope = models.ForeignKey(Envelope, on_delete=models.PROTECT, related_name="disbursements")
    disbursement_id = models.CharField(max_length=64)
    mis_reference_number = models.CharField(max_length=64, blank=True)
    beneficiary_id = models.CharField(max_length=100)
    beneficiary_name = models.CharField(max_length=140)
    amount = AmountField()
    narrative = models.CharField(max_length=140, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    # Why it failed or was reversed: a code (ACCOUNT_NOT_RESOLVED, ACCOUNT_CLOSED, …) and its text.
    failure_code = models.CharField(max_length=60, blank=True)
    failure_reason = models.CharField(max_length=255, blank=True)
    bank_batch = models.ForeignKey(
        BankBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="disbursements"
    )
    received_at = models.DateTimeField()
    status_changed_at = models.DateTimeField()

    class Meta:
        ordering = ["envelope_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "disbursement_id"], name="bridge_disbursement_id_unique"),
            models.CheckConstraint(name="bridge_disbursement_amount_positive", condition=Q(amount__gt=0)),
        ]

    def __str__(self):
        return f"{self.disbursement_id} {self.amount} {self.status}"


class DisbursementAccount(models.Model):
    """Where one disbursement is paid, as resolved when its envelope started: a snapshot, so a later change in
    the mapper never changes a payment already planned."""

    disbursement = models.OneToOneField(
        Disbursement, primary_key=True, on_delete=models.PROTECT, related_name="account"
    )
    fa_type = models.CharField(max_length=15, choices=FinancialAddress.Type.choices)
    account_number = models.CharField(max_length=34, blank=True)
    bank_code = models.CharField(max_length=20, blank=True)
    branch_code = models.CharField(max_length=20, blank=True)
    account_holder_name = models.CharField(max_length=140, blank=True)
    mobile_number = models.CharField(max_length=15, blank=True)
    wallet_provider = models.CharField(max_length=50, blank=True)
    email_address = models.CharField(max_length=254, blank=True)
    resolved_at = models.DateTimeField()

    def __str__(self):
        return f"{self.disbursement_id} → {masked(self.account_number)}"


class Statement(models.Model):
    """An uploaded MT940 file. The same bytes twice are refused (sha256); processing is idempotent."""

    class Status(models.TextChoices):
        PENDING = "PENDING", "Waiting to be processed"
        RUNNING = "RUNNING", "Processing"
        PROCESSED = "PROCESSED", "Processed"
        ERROR = "ERROR", "Error"

    statement_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="bridge_statements")
    uploaded_by_client = models.ForeignKey(
        BridgeClient, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    requested_encoding = models.CharField(max_length=20, blank=True)
    encoding = models.CharField(max_length=20, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    last_error_code = models.CharField(max_length=60, blank=True)
    last_error = models.TextField(blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    block_count = models.PositiveIntegerField(default=0)
    entry_count = models.PositiveIntegerField(default=0)
    remittance_count = models.PositiveIntegerField(default=0)
    reversal_count = models.PositiveIntegerField(default=0)
    review_count = models.PositiveIntegerField(default=0)
    unreadable_count = models.PositiveIntegerField(default=0)
    unbalanced_block_count = models.PositiveIntegerField(default=0)
    repeated_block_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "sha256"], name="bridge_statement_file_unique")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="bridge_statement_due_idx")]

    def __str__(self):
        return f"{self.filename} ({self.statement_id})"


class StatementFile(models.Model):
    """The uploaded bytes, apart from the statement row so listing statements never loads them."""

    statement = models.OneToOneField(Statement, primary_key=True, on_delete=models.PROTECT, related_name="file")
    content = models.BinaryField()

    def __str__(self):
        return f"file of {self.statement_id}"


class StatementBlock(models.Model):
    """One `:20:` block of a statement file, with its balance proof."""

    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="blocks")
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    program = models.ForeignKey(BenefitProgram, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    transaction_reference = models.CharField(max_length=35, blank=True)
    account_identification = models.CharField(max_length=50, blank=True)
    statement_number = models.CharField(max_length=10, blank=True)
    sequence_number = models.CharField(max_length=10, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    opening_balance = TotalField(null=True, blank=True)
    closing_balance = TotalField(null=True, blank=True)
    entries_total = TotalField(default=Decimal("0.00"))
    entry_count = models.PositiveIntegerField(default=0)
    balance_ok = models.BooleanField(null=True)
    error = models.TextField(blank=True)
    # The earlier block with the same :25:, :20: and :28C:; a repeated block's entries are not processed again.
    repeat_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["statement_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "position"], name="bridge_block_position_unique"),
            models.UniqueConstraint(
                fields=[
                    "tenant",
                    "account_identification",
                    "transaction_reference",
                    "statement_number",
                    "sequence_number",
                ],
                condition=Q(repeat_of__isnull=True) & ~Q(account_identification="") & Q(error=""),
                name="bridge_block_first_seen_unique",
            ),
        ]

    def __str__(self):
        return f"{self.statement_id}/{self.position} :20:{self.transaction_reference}"


class DisbursementRecon(models.Model):
    """What the statements say happened to one disbursement: its remittance (a D line) and, when the bank
    returned it, the reversal (an RD line). Columns as the anchor's disbursement_recons."""

    # UNIQUE in the database, not checked as a foreign key: reconciliation makes these rows from disbursements it
    # read in the same transaction (disbursements are never deleted), and a statement writes 100,000 of them.
    disbursement = models.OneToOneField(
        Disbursement, on_delete=models.PROTECT, related_name="recon", db_constraint=False
    )
    # Copies of the disbursement's envelope and batch, as the anchor keeps them. Neither checked nor indexed by the
    # database: a statement writes 100,000 of these rows, and each checked key costs a probe per row at commit.
    envelope = models.ForeignKey(
        Envelope, on_delete=models.PROTECT, related_name="recons", db_constraint=False, db_index=False
    )
    bank_batch = models.ForeignKey(
        BankBatch,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    beneficiary_name_from_bank = models.CharField(max_length=140, blank=True)
    remittance_reference_number = models.CharField(max_length=35, blank=True)
    # The statement rows are written by the same transaction that writes these, and statements are never deleted,
    # so the database need not check them row by row at commit (100,000 probes for one statement).
    remittance_statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="+", db_constraint=False)
    remittance_statement_number = models.CharField(max_length=10, blank=True)
    remittance_statement_sequence = models.CharField(max_length=10, blank=True)
    remittance_entry_sequence = models.PositiveIntegerField()
    remittance_entry_date = models.DateField(null=True, blank=True)
    remittance_value_date = models.DateField()
    remittance_amount = AmountField()
    reversal_found = models.BooleanField(default=False)
    reversal_statement = models.ForeignKey(
        Statement, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    reversal_statement_number = models.CharField(max_length=10, blank=True)
    reversal_statement_sequence = models.CharField(max_length=10, blank=True)
    reversal_entry_sequence = models.PositiveIntegerField(null=True, blank=True)
    reversal_entry_date = models.DateField(null=True, blank=True)
    reversal_value_date = models.DateField(null=True, blank=True)
    reversal_reason = models.CharField(max_length=255, blank=True)
    reversal_amount = AmountField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="bridge_recon_reversal_complete",
                condition=Q(reversal_found=False) | Q(reversal_statement__isnull=False, reversal_amount__gt=0),
            ),
            models.CheckConstraint(name="bridge_recon_remittance_positive", condition=Q(remittance_amount__gt=0)),
        ]

    def __str__(self):
        return f"recon of {self.disbursement_id}"


class ReviewItem(models.Model):
    """A statement line (or block) reconciliation could not settle on its own, for an operator to resolve or
    ignore. Processing a statement again adds none twice (UNIQUE statement, block, entry, reason)."""

    class Reason(models.TextChoices):
        INVALID_DISBURSEMENT_ID = "INVALID_DISBURSEMENT_ID", "No such disbursement"
        DUPLICATE_DISBURSEMENT = "DUPLICATE_DISBURSEMENT", "Paid twice on the statements"
        AMOUNT_MISMATCH = "AMOUNT_MISMATCH", "Amount differs from the disbursement"
        CURRENCY_MISMATCH = "CURRENCY_MISMATCH", "Currency differs from the program"
        INVALID_REVERSAL = "INVALID_REVERSAL", "Reversal of a payment never seen"
        DUPLICATE_REVERSAL = "DUPLICATE_REVERSAL", "Reversed twice on the statements"
        NOT_SHIPPED = "NOT_SHIPPED", "Paid but never sent to the bank"
        UNEXPECTED_CREDIT = "UNEXPECTED_CREDIT", "Credit (C/RC) on the funding account"
        UNREADABLE_ENTRY = "UNREADABLE_ENTRY", "Line could not be read"
        UNREADABLE_BLOCK = "UNREADABLE_BLOCK", "Block could not be read"
        BALANCE_MISMATCH = "BALANCE_MISMATCH", "Opening balance + entries ≠ closing balance"
        REPEATED_STATEMENT = "REPEATED_STATEMENT", "Block already received in another file"
        INVALID_ACCOUNT_NUMBER = "INVALID_ACCOUNT_NUMBER", "Account (:25:) of no program"

    class Status(models.TextChoices):
        OPEN = "OPEN", "Open"
        RESOLVED = "RESOLVED", "Resolved"
        IGNORED = "IGNORED", "Ignored"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="bridge_review_items")
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="review_items")
    block = models.ForeignKey(StatementBlock, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    block_position = models.PositiveIntegerField()
    # The :61: line's position in the file; 0 for a problem of the whole block.
    entry_sequence = models.PositiveIntegerField()
    reason = models.CharField(max_length=30, choices=Reason.choices)
    mark = models.CharField(max_length=2, blank=True)
    amount = TotalField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    value_date = models.DateField(null=True, blank=True)
    customer_reference = models.CharField(max_length=40, blank=True)
    bank_reference = models.CharField(max_length=40, blank=True)
    reference = models.CharField(max_length=64, blank=True, help_text="The disbursement id the line names.")
    narrative = models.TextField(blank=True)
    disbursement = models.ForeignKey(
        Disbursement, null=True, blank=True, on_delete=models.PROTECT, related_name="review_items"
    )
    detail = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "block_position", "entry_sequence", "reason"], name="bridge_review_unique"
            ),
            models.CheckConstraint(
                name="bridge_review_resolution_recorded",
                condition=Q(status="OPEN") | Q(resolved_at__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["tenant", "status"], name="bridge_review_queue_idx")]

    def __str__(self):
        return f"{self.reason} {self.statement_id}:{self.entry_sequence}"


# The statuses a disbursement reaches once sent to the bank.
SHIPPED_STATUSES = (Disbursement.Status.SHIPPED, Disbursement.Status.PAID, Disbursement.Status.REVERSED)
RECONCILED_STATUSES = (Disbursement.Status.PAID, Disbursement.Status.REVERSED)
ENVELOPE_STAGES = (
    EnvelopeStage.Stage.RESOLVE,
    EnvelopeStage.Stage.FUNDS_CHECK,
    EnvelopeStage.Stage.FUNDS_BLOCK,
    EnvelopeStage.Stage.DISPATCH,
    EnvelopeStage.Stage.RECONCILE,
)
