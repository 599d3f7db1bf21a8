"""Sponsor-bank connectors, chosen by the program's sponsor_bank_code."""

from django.conf import settings
from django.utils.module_loading import import_string

from bridge.connectors.base import BankRejected, SponsorBankConnector


def connector_for(bank_code: str) -> SponsorBankConnector:
    path = settings.BRIDGE_BANK_CONNECTORS.get(bank_code)
    if not path:
        raise BankRejected("UNKNOWN_SPONSOR_BANK", f"No connector for sponsor bank '{bank_code}'")
    return import_string(path)()


def bank_codes() -> list[str]:
    return sorted(settings.BRIDGE_BANK_CONNECTORS)
