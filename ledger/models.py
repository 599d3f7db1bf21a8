"""Double-entry books of a city: the chart of accounts (GL codes) and vouchers whose lines debit and credit them.

A voucher balances (Σdebit = Σcredit) and is never changed or deleted once posted: a mistake is undone by a
REVERSAL voucher that swaps every line. On PostgreSQL the database itself refuses an unbalanced voucher at
COMMIT and any change to a posted row (migration 0002)."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from core.models import Tenant
from core.money import ZERO, AmountField

GL_CODE_VALIDATOR = RegexValidator(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,19}$", "A GL code is up to 20 letters and digits.")


class GLCode(models.Model):
    """One account of the chart, e.g. `1100101` Property tax. Kept at state level and seen by its cities."""

    class Type(models.TextChoices):
        ASSET = "ASSET", "Asset"
        LIABILITY = "LIABILITY", "Liability"
        INCOME = "INCOME", "Income"
        EXPENDITURE = "EXPENDITURE", "Expenditure"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="gl_codes")
    code = models.CharField(max_length=20, validators=[GL_CODE_VALIDATOR])
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=12, choices=Type.choices)
    # An inactive code takes no new postings; its vouchers can still be reversed.
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["tenant_id", "code"]
        verbose_name = "GL code"
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="gl_code_unique_per_tenant")]

    def __str__(self):
        return f"{self.code} {self.name}"


class Voucher(models.Model):
    """One balanced posting of a city, numbered per city, caused by one source row (a receipt, a remittance…)."""

    class Type(models.TextChoices):
        RECEIPT = "RECEIPT", "Receipt"
        CONTRA = "CONTRA", "Contra"
        JOURNAL = "JOURNAL", "Journal"
        REVERSAL = "REVERSAL", "Reversal"

    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="vouchers")
    type = models.CharField(max_length=10, choices=Type.choices)
    number = models.CharField(max_length=64)
    voucher_date = models.DateField()
    # From the business service's finance mapping; plain codes, as the ERP reads them.
    fund = models.CharField(max_length=20, blank=True)
    function = models.CharField(max_length=20, blank=True)
    department = models.CharField(max_length=20, blank=True)
    narration = models.TextField(blank=True)
    # What caused the voucher, e.g. ("collection.paymentdetail", "42"); a reversal keeps its original's source.
    source_type = models.CharField(max_length=100)
    source_id = models.CharField(max_length=64)
    # One-to-one: a voucher is reversed at most once.
    reversal_of = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversal")
    # None for scheduled work.
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="vouchers_posted"
    )
    posted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-voucher_date", "-id"]
        indexes = [models.Index(fields=["tenant", "voucher_date"], name="voucher_tenant_date_idx")]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="voucher_number_unique_per_tenant"),
            # A source posts at most one voucher of each type, so a replayed receipt cannot post twice.
            # Reversals are kept to one per voucher by reversal_of instead.
            models.UniqueConstraint(
                fields=["source_type", "source_id", "type"],
                condition=~Q(type="REVERSAL"),
                name="voucher_source_type_unique",
            ),
            models.CheckConstraint(
                name="voucher_reversal_links_its_original",
                condition=Q(type="REVERSAL", reversal_of__isnull=False)
                | (~Q(type="REVERSAL") & Q(reversal_of__isnull=True)),
            ),
            models.CheckConstraint(name="voucher_has_source", condition=~Q(source_type="") & ~Q(source_id="")),
        ]

    def __str__(self):
        return f"{self.type} {self.number}@{self.tenant_id}"


class VoucherLine(models.Model):
    """A debit or a credit of one GL code: exactly one side is positive, the other zero."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="lines")
    gl_code = models.ForeignKey(GLCode, on_delete=models.PROTECT, related_name="voucher_lines")
    debit = AmountField(default=ZERO)
    credit = AmountField(default=ZERO)

    class Meta:
        ordering = ["voucher_id", "id"]
        constraints = [
            models.CheckConstraint(
                name="voucher_line_one_side_positive",
                condition=Q(debit__gt=0, credit=0) | Q(credit__gt=0, debit=0),
            ),
        ]

    def __str__(self):
        side = f"Dr {self.debit}" if self.debit else f"Cr {self.credit}"
        return f"{self.gl_code_id} {side}"
