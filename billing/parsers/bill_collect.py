"""The eGov ERP `<bill-collect>` Bill XML: bytes in, dataclasses out, nothing else.

The document is refused before parsing when over the size cap or when it declares a DOCTYPE or entities (billion
laughs, external entities); lxml then parses it with entities, DTD loading and network access off, and it must be
valid against `bill_collect.xsd`. Every refusal is a `BillCollectError` naming where in the document it is."""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from lxml import etree

SCHEMA_PATH = Path(__file__).with_name("bill_collect.xsd")
DEFAULT_MAX_BYTES = 1024 * 1024
PAISA = Decimal("0.01")
# Anything that declares a document type or an entity: no bill-collect document needs one.
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_INDEX = re.compile(r"\[1\]")


class BillCollectError(ValueError):
    """The document is refused: `reason` says why, `path` says where (an XPath, or `body`)."""

    def __init__(self, reason: str, path: str = "body"):
        super().__init__(f"{path}: {reason}")
        self.reason = reason
        self.path = path


@dataclass(frozen=True)
class BillCollectAccount:
    gl_code: str
    order: int
    description: str
    is_actual_demand: bool
    purpose: str
    group_id: str
    cr_amount: Decimal
    dr_amount: Decimal
    function_code: str

    @property
    def amount(self) -> Decimal:
        """What the account asks the payer for: a credit to the head, less any debit (rebate, adjustment)."""
        return self.cr_amount - self.dr_amount


@dataclass(frozen=True)
class BillCollectBill:
    path: str
    ref_no: str
    bill_date: date
    consumer_code: str
    consumer_type: str
    boundary_num: str
    boundary_type: str
    description: str
    total_amount: Decimal
    minimum_amount: Decimal | None
    accounts: tuple[BillCollectAccount, ...]


@dataclass(frozen=True)
class BillCollectPayee:
    name: str
    address: str
    bills: tuple[BillCollectBill, ...]


@dataclass(frozen=True)
class BillCollectDocument:
    service_code: str
    fund_code: str
    functionary_code: str
    fund_source_code: str
    department_code: str
    display_message: str
    paid_by: str
    part_payment_allowed: bool
    callback_for_apportioning: bool
    override_account_heads_allowed: bool
    collection_type: str
    collection_modes_not_allowed: tuple[str, ...]
    payees: tuple[BillCollectPayee, ...]


def bill_collect_parse(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> BillCollectDocument:
    """Read one `<bill-collect>` document, or raise BillCollectError."""
    if not isinstance(data, bytes):
        raise BillCollectError("the document must be bytes")
    if len(data) > max_bytes:
        raise BillCollectError(f"the document is {len(data)} bytes; at most {max_bytes} are accepted")
    if not data.strip():
        raise BillCollectError("the document is empty")
    if _DECLARATION.search(data):
        raise BillCollectError("DOCTYPE and ENTITY declarations are not accepted")
    try:
        root = etree.fromstring(data, parser=_safe_parser())
    except etree.XMLSyntaxError as exc:
        raise BillCollectError(f"not well-formed XML ({exc})") from None
    tree = root.getroottree()
    # Caught here too when the declaration is in an encoding the byte check cannot read (UTF-16).
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise BillCollectError("DOCTYPE and ENTITY declarations are not accepted")
    schema = _schema()
    if not schema.validate(tree):
        error = schema.error_log.filter_from_errors()[0]
        raise BillCollectError(_schema_message(error.message), _tidy(error.path or "body"))
    return _document(root)


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), parser=_safe_parser()))


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
        remove_comments=True,
    )


def _schema_message(message: str) -> str:
    # libxml2 names the element as "Element 'crAmount': …"; the path already says where.
    return re.sub(r"^Element '[^']+'(, attribute '[^']+')?: ", "", message).strip()


def _tidy(path: str) -> str:
    return _INDEX.sub("", path).lstrip("/")


def _document(root) -> BillCollectDocument:
    return BillCollectDocument(
        service_code=_text(root, "serviceCode"),
        fund_code=_text(root, "fundCode"),
        functionary_code=_text(root, "functionaryCode"),
        fund_source_code=_text(root, "fundSourceCode"),
        department_code=_text(root, "departmentCode"),
        display_message=_text(root, "displayMessage"),
        paid_by=_text(root, "paidBy"),
        part_payment_allowed=_text(root, "partPaymentAllowed") == "1",
        callback_for_apportioning=_text(root, "callbackForApportioning") == "1",
        override_account_heads_allowed=_text(root, "overrideAccountHeadsAllowed") == "1",
        collection_type=_text(root, "collectionType"),
        collection_modes_not_allowed=tuple(
            (element.text or "").strip() for element in root.findall("collectionModeNotAllowed")
        ),
        payees=tuple(_payee(payee) for payee in root.findall("payees/payee")),
    )


def _payee(element) -> BillCollectPayee:
    return BillCollectPayee(
        name=_text(element, "payeeName"),
        address=_text(element, "payeeAddress"),
        bills=tuple(_bill(bill) for bill in element.findall("bills/bill")),
    )


def _bill(element) -> BillCollectBill:
    path = _tidy(element.getroottree().getpath(element))
    minimum = element.find("minimumAmount")
    return BillCollectBill(
        path=path,
        ref_no=element.get("refNo", "").strip(),
        bill_date=_date(element.get("billDate", ""), path=f"{path}/@billDate"),
        consumer_code=element.get("consumerCode", "").strip(),
        consumer_type=_text(element, "consumerType"),
        boundary_num=_text(element, "boundaryNum"),
        boundary_type=_text(element, "boundaryType"),
        description=_text(element, "description"),
        total_amount=_amount(element.find("totalAmount")),
        minimum_amount=_amount(minimum) if minimum is not None else None,
        accounts=tuple(_account(account) for account in element.findall("accounts/account")),
    )


def _account(element) -> BillCollectAccount:
    return BillCollectAccount(
        gl_code=element.get("glCode", "").strip(),
        order=int(element.get("order")),
        description=element.get("description", "").strip(),
        is_actual_demand=element.get("isActualDemand", "1") == "1",
        purpose=element.get("purpose", "OTHERS"),
        group_id=element.get("groupId", "").strip(),
        cr_amount=_amount(element.find("crAmount")),
        dr_amount=_amount(element.find("drAmount")),
        function_code=_text(element, "functionCode"),
    )


def _text(element, tag: str) -> str:
    child = element.find(tag)
    return (child.text or "").strip() if child is not None else ""


def _amount(element) -> Decimal:
    """The schema has checked the amount (a decimal, 0 or more, two places at most); this makes it a Decimal exactly."""
    path = _tidy(element.getroottree().getpath(element))
    try:
        amount = Decimal((element.text or "").strip())
    except InvalidOperation:
        raise BillCollectError("not an amount", path) from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(PAISA):
        raise BillCollectError("amounts are 0 or more with at most two decimal places", path)
    return amount.quantize(PAISA)


def _date(text: str, *, path: str) -> date:
    try:
        return datetime.strptime(text.strip(), "%d/%m/%Y").date()  # noqa: DTZ007 (a date, no time of day)
    except ValueError:
        raise BillCollectError(f"'{text}' is not a date (dd/MM/yyyy)", path) from None
