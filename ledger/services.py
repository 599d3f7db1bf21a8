"""Posting and reversing vouchers, and seeding the chart of accounts.

Idempotency: a source row (`source_type`, `source_id`) posts at most one voucher of each type (UNIQUE in the
database, reversals aside). Posting again for the same source and type returns the first voucher when the replay
carries the same city, date and lines, and is refused (DUPLICATE_VOUCHER) when it differs. A reversed source stays
reversed: a new posting needs a new source row. A reversal carries its original's source and is kept to one per
voucher by `reversal_of`."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.apps import apps as installed_apps
from django.apps.registry import Apps
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import ApplicationError
from core.models import AuditEvent, IdFormat, User
from core.money import MAX_AMOUNT, ZERO, to_amount
from core.selectors import tenant_get, tenant_lineage
from core.services.audit import audit_event, audit_record
from core.services.idgen import ID_TIME_ZONE, DeferredIds, IdPlan, id_plan, ids_take
from ledger.models import GLCode, Voucher, VoucherLine
from ledger.selectors import gl_codes_visible

VOUCHER_NUMBER_ID_NAME = "voucher.number"
VOUCHER_NUMBER_FORMAT = "[fy:yyyy-yy]/[cy:MM]/[SEQ_VOUCHER]"
POSTABLE_TYPES = (Voucher.Type.RECEIPT, Voucher.Type.CONTRA, Voucher.Type.JOURNAL)

# A line's place in the summed voucher: (GL code, True for the debit side).
LineKey = tuple[str, bool]


@dataclass(frozen=True)
class LineSpec:
    """One line a caller asks to post: a GL code and either a debit or a credit."""

    gl_code: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO


# --- Posting --------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoucherDraft:
    """A voucher checked and ready to post but for its number, which is taken when it is written."""

    tenant_id: str
    voucher_type: str
    voucher_date: date
    summed: dict[LineKey, Decimal]
    gl_codes: dict[str, GLCode]
    number_plan: IdPlan
    narration: str
    source_type: str
    source_id: str
    fund: str
    function: str
    department: str
    posted_by: User | None


def voucher_draft(
    *,
    tenant_id: str,
    voucher_type: str,
    voucher_date: date,
    lines: Sequence[LineSpec],
    narration: str,
    source_type: str,
    source_id: str | int,
    fund: str = "",
    function: str = "",
    department: str = "",
    posted_by: User | None,
) -> VoucherDraft:
    """Every check `voucher_post` makes, with the GL codes and the number's format read; writes nothing."""
    tenant = tenant_get(code=tenant_id)
    if tenant.is_state:
        raise ApplicationError("INVALID_TENANT_ID", "tenantId: vouchers are posted by a city", field="tenantId")
    if voucher_type not in POSTABLE_TYPES:
        raise ApplicationError(
            "INVALID_VOUCHER_TYPE",
            f"voucherType: one of {', '.join(POSTABLE_TYPES)} (reversals go through voucher_reverse)",
            field="voucherType",
        )
    _date_check(voucher_date, field="voucherDate")
    source_type = _text(source_type, field="sourceType", max_length=100, required=True)
    source_id = _text(str(source_id), field="sourceId", max_length=64, required=True)
    fund = _text(fund, field="fund", max_length=20)
    function = _text(function, field="function", max_length=20)
    department = _text(department, field="department", max_length=20)
    narration = _text(narration, field="narration")
    return VoucherDraft(
        tenant_id=tenant.code,
        voucher_type=voucher_type,
        voucher_date=voucher_date,
        summed=_lines_summed(lines),
        gl_codes=_gl_codes_resolve(tenant_id=tenant.code, lines=lines),
        number_plan=_voucher_number_plan(tenant_id=tenant.code, voucher_date=voucher_date),
        narration=narration,
        source_type=source_type,
        source_id=source_id,
        fund=fund,
        function=function,
        department=department,
        posted_by=posted_by,
    )


@transaction.atomic
def voucher_post(
    *,
    tenant_id: str,
    voucher_type: str,
    voucher_date: date,
    lines: Sequence[LineSpec],
    narration: str,
    source_type: str,
    source_id: str | int,
    fund: str = "",
    function: str = "",
    department: str = "",
    posted_by: User | None,
) -> Voucher:
    """Post a balanced voucher for a city, numbered by the `voucher.number` id format. Lines on the same GL code
    and side are summed into one. `posted_by=None` means scheduled work."""
    draft = voucher_draft(
        tenant_id=tenant_id,
        voucher_type=voucher_type,
        voucher_date=voucher_date,
        lines=lines,
        narration=narration,
        source_type=source_type,
        source_id=source_id,
        fund=fund,
        function=function,
        department=department,
        posted_by=posted_by,
    )
    existing = _voucher_of_source(draft)
    if existing is not None:
        return _replay(existing, draft=draft)
    try:
        # A savepoint: losing a race on the source's UNIQUE also gives the voucher number back.
        with transaction.atomic():
            [voucher] = _vouchers_write([draft], numbers=ids_take(plan=draft.number_plan))
    except IntegrityError:
        existing = _voucher_of_source(draft)
        if existing is None:
            raise
        return _replay(existing, draft=draft)
    _post_audit(draft, voucher).save(force_insert=True)
    return voucher


@transaction.atomic(savepoint=False)
def vouchers_post_drafted(
    *, drafts: Sequence[VoucherDraft], ids: DeferredIds, audit: Sequence[AuditEvent] = ()
) -> list[Voucher]:
    """Write drafted vouchers whose sources were made in the caller's transaction, so none has a voucher yet (the
    sources' UNIQUE stands behind that). Their numbers are placeholders of the caller's `ids`, numbered when the
    caller assigns them. The caller's own `audit` rows are stored in the same insert as the vouchers'. Answers
    the vouchers in the drafts' order."""
    vouchers = _vouchers_write(drafts, numbers=[ids.take(draft.number_plan) for draft in drafts])
    posted = [_post_audit(draft, voucher) for draft, voucher in zip(drafts, vouchers, strict=True)]
    AuditEvent.objects.bulk_create([*posted, *audit])
    ids.carried_by(vouchers, ["number"])
    ids.carried_by(posted, ["data"])
    return vouchers


def _voucher_of_source(draft: VoucherDraft) -> Voucher | None:
    return Voucher.objects.filter(
        source_type=draft.source_type, source_id=draft.source_id, type=draft.voucher_type
    ).first()


def _post_audit(draft: VoucherDraft, voucher: Voucher) -> AuditEvent:
    return audit_event(
        actor=draft.posted_by,
        entity=voucher,
        action="VOUCHER_POST",
        to_state="POSTED",
        data={
            "number": voucher.number,
            "type": voucher.type,
            "total": _side_total(draft.summed, debit=True),
            "sourceType": draft.source_type,
            "sourceId": draft.source_id,
        },
    )


def _lines_summed(lines: Sequence[LineSpec]) -> dict[LineKey, Decimal]:
    """The lines checked and summed per (GL code, side), in the order each first appears; refuses an unbalanced set."""
    if isinstance(lines, str | bytes) or len(lines) < 2:
        raise ApplicationError("VOUCHER_TOO_FEW_LINES", "lines: a voucher needs at least two lines", field="lines")
    summed: dict[LineKey, Decimal] = {}
    for index, line in enumerate(lines):
        if not isinstance(line, LineSpec):
            raise ApplicationError(
                "INVALID_VOUCHER_LINE", f"lines[{index}]: not a voucher line", field=f"lines[{index}]"
            )
        if not isinstance(line.gl_code, str) or not line.gl_code.strip():
            raise ApplicationError(
                "INVALID_VOUCHER_LINE", f"lines[{index}].glCode: a GL code is required", field=f"lines[{index}].glCode"
            )
        debit = to_amount(line.debit, field=f"lines[{index}].debit")
        credit = to_amount(line.credit, field=f"lines[{index}].credit")
        if (debit > 0) == (credit > 0):
            raise ApplicationError(
                "INVALID_VOUCHER_LINE",
                f"lines[{index}]: a line is either a debit or a credit of more than zero, not both or neither",
                field=f"lines[{index}]",
            )
        key = (line.gl_code.strip(), debit > 0)
        summed[key] = summed.get(key, ZERO) + (debit or credit)
    total_debit = _side_total(summed, debit=True)
    total_credit = _side_total(summed, debit=False)
    if total_debit != total_credit:
        raise ApplicationError(
            "VOUCHER_NOT_BALANCED",
            f"lines: debits {total_debit} and credits {total_credit} must be equal",
            field="lines",
        )
    if max(summed.values()) > MAX_AMOUNT:
        raise ApplicationError("INVALID_AMOUNT", f"lines: one GL code's total is more than {MAX_AMOUNT}", field="lines")
    return summed


def _side_total(summed: dict[LineKey, Decimal], *, debit: bool) -> Decimal:
    return sum((amount for (_code, is_debit), amount in summed.items() if is_debit == debit), ZERO)


def _gl_codes_resolve(*, tenant_id: str, lines: Sequence[LineSpec]) -> dict[str, GLCode]:
    """Each line's GL code as the city sees it (its own before its state's); refuses unknown and inactive codes."""
    first_line = {}
    for index, line in enumerate(lines):
        first_line.setdefault(line.gl_code.strip(), index)
    lineage = tenant_lineage(tenant_id=tenant_id)
    found: dict[str, GLCode] = {}
    for gl_code in sorted(
        gl_codes_visible(tenant_id=tenant_id).filter(code__in=first_line), key=lambda row: lineage.index(row.tenant_id)
    ):
        found.setdefault(gl_code.code, gl_code)
    for code, index in first_line.items():
        field = f"lines[{index}].glCode"
        if code not in found:
            raise ApplicationError("UNKNOWN_GL_CODE", f"{field}: no GL code '{code}' for '{tenant_id}'", field=field)
        if not found[code].is_active:
            raise ApplicationError("GL_CODE_INACTIVE", f"{field}: GL code '{code}' takes no new postings", field=field)
    return found


def _vouchers_write(drafts: Sequence[VoucherDraft], *, numbers: Sequence[str]) -> list[Voucher]:
    """The drafts written with their numbers, and their lines, in one insert each."""
    vouchers = Voucher.objects.bulk_create(
        Voucher(
            tenant_id=draft.tenant_id,
            type=draft.voucher_type,
            number=number,
            voucher_date=draft.voucher_date,
            narration=draft.narration,
            source_type=draft.source_type,
            source_id=draft.source_id,
            fund=draft.fund,
            function=draft.function,
            department=draft.department,
            posted_by=draft.posted_by,
        )
        for draft, number in zip(drafts, numbers, strict=True)
    )
    VoucherLine.objects.bulk_create(
        VoucherLine(
            voucher=voucher,
            gl_code=draft.gl_codes[code],
            debit=amount if is_debit else ZERO,
            credit=ZERO if is_debit else amount,
        )
        for draft, voucher in zip(drafts, vouchers, strict=True)
        for (code, is_debit), amount in draft.summed.items()
    )
    return vouchers


def _replay(existing: Voucher, *, draft: VoucherDraft) -> Voucher:
    """The first voucher when a replay asks for the same posting; a refusal naming the source when it differs."""
    posted = {(line.gl_code.code, line.debit > 0): line.debit or line.credit for line in existing.lines.all()}
    if existing.tenant_id != draft.tenant_id or existing.voucher_date != draft.voucher_date or posted != draft.summed:
        raise ApplicationError(
            "DUPLICATE_VOUCHER",
            f"sourceId: {existing.source_type} {existing.source_id} already posted {existing.type} voucher "
            f"{existing.number} with other lines",
            field="sourceId",
        )
    return existing


# --- Reversing ------------------------------------------------------------------------------


@transaction.atomic
def voucher_reverse(
    *, voucher: Voucher, reason: str, reversed_by: User | None, reversal_date: date | None = None
) -> Voucher:
    """Undo a posted voucher with a REVERSAL voucher that swaps each line's debit and credit. A voucher is reversed
    at most once; a reversal is not itself reversed (post the voucher again from a new source instead)."""
    reason = _text(reason, field="reason", required=True)
    # Locked, then checked: of two concurrent reversals the second sees the first's row once it may go on.
    original = Voucher.objects.select_for_update(of=("self",)).get(pk=voucher.pk)
    if original.type == Voucher.Type.REVERSAL:
        raise ApplicationError(
            "VOUCHER_NOT_REVERSIBLE", f"voucherId: {original.number} is itself a reversal", field="voucherId"
        )
    reversal = Voucher.objects.filter(reversal_of=original).first()
    if reversal is not None:
        raise ApplicationError(
            "VOUCHER_ALREADY_REVERSED",
            f"voucherId: {original.number} was reversed by {reversal.number}",
            field="voucherId",
        )
    reversal_date = reversal_date if reversal_date is not None else timezone.localdate(timezone=ID_TIME_ZONE)
    _date_check(reversal_date, field="reversalDate")
    if reversal_date < original.voucher_date:
        raise ApplicationError(
            "INVALID_REVERSAL_DATE",
            f"reversalDate: before the voucher's own date {original.voucher_date.isoformat()}",
            field="reversalDate",
        )
    reversal = Voucher.objects.create(
        tenant_id=original.tenant_id,
        type=Voucher.Type.REVERSAL,
        number=ids_take(plan=_voucher_number_plan(tenant_id=original.tenant_id, voucher_date=reversal_date))[0],
        voucher_date=reversal_date,
        fund=original.fund,
        function=original.function,
        department=original.department,
        narration=f"Reversal of {original.number}: {reason}",
        source_type=original.source_type,
        source_id=original.source_id,
        reversal_of=original,
        posted_by=reversed_by,
    )
    VoucherLine.objects.bulk_create(
        VoucherLine(voucher=reversal, gl_code_id=line.gl_code_id, debit=line.credit, credit=line.debit)
        for line in original.lines.all()
    )
    audit_record(
        actor=reversed_by,
        entity=reversal,
        action="VOUCHER_POST",
        to_state="POSTED",
        reason=reason,
        data={"number": reversal.number, "type": reversal.type, "reversalOf": original.number},
    )
    audit_record(
        actor=reversed_by,
        entity=original,
        action="VOUCHER_REVERSE",
        from_state="POSTED",
        to_state="REVERSED",
        reason=reason,
        data={"reversalNumber": reversal.number},
    )
    return reversal


# --- Helpers --------------------------------------------------------------------------------


def _voucher_number_plan(*, tenant_id: str, voucher_date: date) -> IdPlan:
    # Numbered by the voucher's own date, so a voucher dated 31 March carries the year it belongs to.
    return id_plan(
        tenant_id=tenant_id, name=VOUCHER_NUMBER_ID_NAME, at=datetime.combine(voucher_date, time(), ID_TIME_ZONE)
    )


def _date_check(value, *, field: str) -> None:
    # A datetime is a date too; a voucher is dated by the day only.
    if not isinstance(value, date) or isinstance(value, datetime):
        raise ApplicationError("INVALID_DATE", f"{field}: a date is required", field=field)


def _text(value, *, field: str, max_length: int | None = None, required: bool = False) -> str:
    if not isinstance(value, str):
        raise ApplicationError("INVALID_TEXT", f"{field}: text is required", field=field)
    value = value.strip()
    if required and not value:
        raise ApplicationError("REQUIRED", f"{field}: is required", field=field)
    if max_length is not None and len(value) > max_length:
        raise ApplicationError("INVALID_TEXT", f"{field}: at most {max_length} characters", field=field)
    return value


# --- Seed -----------------------------------------------------------------------------------

# The states whose books Kosh opens with the chart below.
SEEDED_STATE_CODES = ("pb", "od")
# A small municipal chart in the National Municipal Accounts Manual's style (major, minor, detailed head).
CHART_OF_ACCOUNTS = (
    ("1100101", "Property tax: general tax", GLCode.Type.INCOME),
    ("1401001", "Water charges", GLCode.Type.INCOME),
    ("1401202", "Permit fees: building plan approval", GLCode.Type.INCOME),
    ("1404001", "Other fees and user charges", GLCode.Type.INCOME),
    ("1710101", "Penalty and interest on late payment of taxes and charges", GLCode.Type.INCOME),
    ("1710201", "Cheque dishonour charges", GLCode.Type.INCOME),
    ("1809001", "Miscellaneous income: round-off differences", GLCode.Type.INCOME),
    ("2801001", "Rebates and remissions on taxes and charges", GLCode.Type.EXPENDITURE),
    ("3504001", "Advance collection of taxes and charges", GLCode.Type.LIABILITY),
    ("4319001", "Payment gateway receivable: online collections clearing", GLCode.Type.ASSET),
    ("4319002", "Card collections receivable: POS settlement clearing", GLCode.Type.ASSET),
    ("4501001", "Bank: ULB main collection account", GLCode.Type.ASSET),
    ("4502101", "Cash in hand: collection counters", GLCode.Type.ASSET),
    ("4502201", "Cheques and demand drafts in hand", GLCode.Type.ASSET),
)


@transaction.atomic
def ledger_seed(*, apps: Apps | None = None) -> None:
    """Open the books of the seeded states that exist: the chart of accounts and the voucher number format.
    Adds only what is missing, so it leaves administrators' edits alone and runs any number of times.
    A data migration passes its historical `apps`."""
    registry = apps or installed_apps
    tenants = registry.get_model("core", "Tenant")
    id_formats = registry.get_model("core", "IdFormat")
    gl_codes = registry.get_model("ledger", "GLCode")
    for state_code in tenants.objects.filter(code__in=SEEDED_STATE_CODES).values_list("code", flat=True):
        for code, name, gl_type in CHART_OF_ACCOUNTS:
            gl_codes.objects.get_or_create(tenant_id=state_code, code=code, defaults={"name": name, "type": gl_type})
        id_formats.objects.get_or_create(
            tenant_id=state_code,
            name=VOUCHER_NUMBER_ID_NAME,
            defaults={"format": VOUCHER_NUMBER_FORMAT, "reset": IdFormat.Reset.FINANCIAL_YEAR},
        )
