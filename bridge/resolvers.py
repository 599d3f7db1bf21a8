"""Where a beneficiary's money goes. The pipeline asks an AccountResolver (settings.BRIDGE_ACCOUNT_RESOLVER) for
many beneficiaries at once; the default reads Kosh's own FinancialAddress table."""

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from bridge.models import FinancialAddress

# A financial address given inline as the beneficiary id when a program needs no resolution: account@bank_code.
_INLINE_ADDRESS = re.compile(r"^(?P<account>[A-Za-z0-9]{4,34})@(?P<bank>[A-Za-z0-9]{2,20})$")


class ResolverError(Exception):
    """The resolver could not answer now (its service is down); the stage tries again later."""


@dataclass(frozen=True)
class ResolvedAccount:
    fa_type: str
    account_number: str = ""
    bank_code: str = ""
    branch_code: str = ""
    account_holder_name: str = ""
    mobile_number: str = ""
    wallet_provider: str = ""
    email_address: str = ""


class AccountResolver(ABC):
    @abstractmethod
    def resolve(self, *, tenant_id: str, beneficiary_ids: list[str]) -> dict[str, ResolvedAccount]:
        """The accounts of those beneficiaries it knows; the others are left out."""


class LocalFinancialAddressResolver(AccountResolver):
    def resolve(self, *, tenant_id, beneficiary_ids):
        rows = FinancialAddress.objects.filter(
            tenant_id=tenant_id, beneficiary_id__in=beneficiary_ids, is_active=True
        ).values(
            "beneficiary_id",
            "fa_type",
            "account_number",
            "bank_code",
            "branch_code",
            "account_holder_name",
            "mobile_number",
            "wallet_provider",
            "email_address",
        )
        return {row.pop("beneficiary_id"): ResolvedAccount(**row) for row in rows}


def account_resolver() -> AccountResolver:
    return import_string(settings.BRIDGE_ACCOUNT_RESOLVER)()


def inline_account(beneficiary_id: str) -> ResolvedAccount | None:
    """The account a beneficiary id names directly (`account@bank_code`), for programs without resolution."""
    match = _INLINE_ADDRESS.match(beneficiary_id)
    if match is None:
        return None
    return ResolvedAccount(
        fa_type=FinancialAddress.Type.BANK_ACCOUNT, account_number=match["account"], bank_code=match["bank"]
    )
