"""Approved expense bills coming in from the works system, and corrections to payees' bank accounts."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction

from core.errors import ApplicationError
from core.models import MOBILE_NUMBER_VALIDATOR, User
from core.money import to_amount
from core.selectors import tenant_get
from core.services.audit import audit_record
from payments.models import (
    ACCOUNT_NUMBER_VALIDATOR,
    IFSC_VALIDATOR,
    ExpenseBill,
    ExpenseLineItem,
    ExpensePayment,
    Payee,
    PayeeBankAccount,
    account_mask,
)
from payments.services.numbers import PAYMENT_NUMBER, payments_number_next


@dataclass(frozen=True)
class BankAccountInput:
    account_number: str
    ifsc: str
    account_holder_name: str
    account_type: str = PayeeBankAccount.AccountType.SAVINGS


@dataclass(frozen=True)
class PayeeInput:
    payee_type: str
    identifier: str
    name: str
    bank_account: BankAccountInput
    mobile_number: str = ""
    address: str = ""


@dataclass(frozen=True)
class LineItemInput:
    payee: PayeeInput
    head_code: str
    amount: Decimal
    # Where the amount came from, to name it when it is refused (an API path); by default its position.
    field: str = ""


def expense_bill_create(
    *,
    tenant_id: str,
    bill_number: str,
    bill_type: str,
    bill_date: date,
    reference_id: str,
    line_items: list[LineItemInput],
    actor: User | None,
    push: bool = True,
) -> ExpenseBill:
    """Take an approved bill with its payees and bank accounts; create its expense payment; and, after commit,
    send its Payment Instruction to JIT-FS. Refuses bad input naming the field, writing nothing."""
    tenant = tenant_get(code=tenant_id)
    if tenant.is_state:
        raise ApplicationError("INVALID_TENANT_ID", "tenantId: bills belong to a city, not a state", field="tenantId")
    if not bill_number or len(bill_number) > 64:
        raise ApplicationError("INVALID_BILL_NUMBER", "billNumber: 1 to 64 characters", field="billNumber")
    if bill_type not in ExpenseBill.Type.values:
        raise ApplicationError(
            "INVALID_BUSINESS_SERVICE",
            f"businessService: one of {', '.join(ExpenseBill.Type.values)}",
            field="businessService",
        )
    if not line_items:
        raise ApplicationError("NO_LINE_ITEMS", "billDetails: a bill pays at least one payee", field="billDetails")
    amounts = [
        to_amount(item.amount, field=item.field or f"billDetails[{index}].amount", allow_zero=False)
        for index, item in enumerate(line_items)
    ]
    _payees_validate([item.payee for item in line_items])

    with transaction.atomic():
        if ExpenseBill.objects.filter(tenant=tenant, bill_number=bill_number).exists():
            raise ApplicationError(
                "DUPLICATE_BILL", f"billNumber: bill {bill_number} was already received", field="billNumber"
            )
        bill = ExpenseBill.objects.create(
            tenant=tenant,
            bill_number=bill_number,
            bill_type=bill_type,
            bill_date=bill_date,
            reference_id=reference_id,
            net_payable=sum(amounts, Decimal("0.00")),
            created_by=actor if actor is not None and actor.is_authenticated else None,
        )
        payees: dict[tuple[str, str], Payee] = {}
        for item, amount in zip(line_items, amounts, strict=True):
            key = (item.payee.payee_type, item.payee.identifier)
            if key not in payees:
                payees[key] = _payee_upsert(tenant_id=tenant.code, data=item.payee, actor=actor)
            ExpenseLineItem.objects.create(bill=bill, payee=payees[key], head_code=item.head_code, amount=amount)
        payment = ExpensePayment.objects.create(
            tenant=tenant,
            bill=bill,
            payment_number=payments_number_next(tenant_id=tenant.code, name=PAYMENT_NUMBER),
            amount=bill.net_payable,
        )
        audit_record(actor=actor, entity=bill, action="EXPENSE_BILL_RECEIVE", to_state="APPROVED")
        if push:
            from payments.tasks import pi_create_task

            transaction.on_commit(partial(pi_create_task.delay, payment_id=payment.pk))
    return bill


def payee_bank_account_check(*, payee: Payee, account: BankAccountInput) -> None:
    """Refuse an account that is malformed or already another payee's (JIT refuses one account twice)."""
    _bank_account_validate(account, field="bankAccount")
    clash = (
        PayeeBankAccount.objects.filter(
            payee__tenant_id=payee.tenant_id, is_active=True, account_number=account.account_number, ifsc=account.ifsc
        )
        .exclude(payee=payee)
        .exists()
    )
    if clash:
        raise ApplicationError(
            "DUPLICATE_BANK_ACCOUNT",
            f"bankAccount: {account_mask(account.account_number)} / {account.ifsc} belongs to another payee",
            field="bankAccount.accountNumber",
        )


def payee_bank_account_change(*, payee: Payee, account: BankAccountInput, actor: User | None) -> PayeeBankAccount:
    """A corrected bank account: the old one is kept inactive, the next PI (or revised PI) uses the new one."""
    with transaction.atomic():
        payee = Payee.objects.select_for_update().get(pk=payee.pk)
        payee_bank_account_check(payee=payee, account=account)
        current = payee.bank_accounts.filter(is_active=True).first()
        if current and (current.account_number, current.ifsc) == (account.account_number, account.ifsc):
            return current
        if current:
            current.is_active = False
            current.save(update_fields=["is_active"])
        created = PayeeBankAccount.objects.create(
            payee=payee,
            account_number=account.account_number,
            ifsc=account.ifsc,
            account_holder_name=account.account_holder_name,
            account_type=account.account_type,
        )
        audit_record(
            actor=actor,
            entity=payee,
            action="BANK_ACCOUNT_CHANGE",
            from_state=str(current) if current else "",
            to_state=str(created),
            tenant_id=payee.tenant_id,
        )
        return created


def _payees_validate(payees: list[PayeeInput]) -> None:
    accounts: dict[tuple[str, str], tuple[str, str]] = {}
    seen: dict[tuple[str, str], PayeeInput] = {}
    for index, payee in enumerate(payees):
        field = f"billDetails[{index}].payee"
        if payee.payee_type not in Payee.Type.values:
            raise ApplicationError(
                "INVALID_PAYEE_TYPE", f"{field}.type: one of {', '.join(Payee.Type.values)}", field=f"{field}.type"
            )
        if not payee.identifier or len(payee.identifier) > 100:
            raise ApplicationError(
                "INVALID_PAYEE", f"{field}.identifier: 1 to 100 characters", field=f"{field}.identifier"
            )
        if not payee.name.strip():
            raise ApplicationError("INVALID_PAYEE", f"{field}.name: required", field=f"{field}.name")
        if payee.mobile_number:
            try:
                MOBILE_NUMBER_VALIDATOR(payee.mobile_number)
            except ValidationError:
                raise ApplicationError(
                    "INVALID_MOBILE_NUMBER",
                    f"{field}.mobileNumber: 10 digits starting 6-9",
                    field=f"{field}.mobileNumber",
                ) from None
        _bank_account_validate(payee.bank_account, field=f"{field}.bankAccount")
        key = (payee.payee_type, payee.identifier)
        pair = (payee.bank_account.account_number, payee.bank_account.ifsc)
        if key in seen and (seen[key].bank_account.account_number, seen[key].bank_account.ifsc) != pair:
            raise ApplicationError(
                "CONFLICTING_BANK_ACCOUNTS",
                f"{field}.bankAccount: payee {payee.identifier} appears with two bank accounts",
                field=f"{field}.bankAccount",
            )
        seen[key] = payee
        # JIT-FS refuses a bill that pays one account and IFSC twice under different beneficiaries.
        if pair in accounts and accounts[pair] != key:
            raise ApplicationError(
                "DUPLICATE_BANK_ACCOUNT",
                f"{field}.bankAccount: account {account_mask(pair[0])} / {pair[1]} is also given for payee "
                f"{accounts[pair][1]}",
                field=f"{field}.bankAccount.accountNumber",
            )
        accounts[pair] = key


def _bank_account_validate(account: BankAccountInput, *, field: str) -> None:
    for name, validator, value in (
        ("accountNumber", ACCOUNT_NUMBER_VALIDATOR, account.account_number),
        ("ifsc", IFSC_VALIDATOR, account.ifsc),
    ):
        try:
            validator(value)
        except ValidationError as exc:
            raise ApplicationError(
                "INVALID_BANK_ACCOUNT", f"{field}.{name}: {exc.messages[0]}", field=f"{field}.{name}"
            ) from None
    if not account.account_holder_name.strip():
        raise ApplicationError(
            "INVALID_BANK_ACCOUNT", f"{field}.accountHolderName: required", field=f"{field}.accountHolderName"
        )
    if account.account_type not in PayeeBankAccount.AccountType.values:
        raise ApplicationError(
            "INVALID_BANK_ACCOUNT",
            f"{field}.accountType: one of {', '.join(PayeeBankAccount.AccountType.values)}",
            field=f"{field}.accountType",
        )


def _payee_upsert(*, tenant_id: str, data: PayeeInput, actor: User | None) -> Payee:
    payee, created = Payee.objects.get_or_create(
        tenant_id=tenant_id,
        payee_type=data.payee_type,
        identifier=data.identifier,
        defaults={"name": data.name, "mobile_number": data.mobile_number, "address": data.address},
    )
    if not created and (payee.name, payee.mobile_number, payee.address) != (
        data.name,
        data.mobile_number,
        data.address,
    ):
        payee.name, payee.mobile_number, payee.address = data.name, data.mobile_number, data.address
        payee.save(update_fields=["name", "mobile_number", "address"])
    payee_bank_account_change(payee=payee, account=data.bank_account, actor=actor)
    return payee
