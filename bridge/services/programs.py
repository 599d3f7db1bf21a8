"""Benefit programs: the sponsor account and bank a program pays from."""

from django.conf import settings
from django.db import IntegrityError, transaction

from bridge.connectors import bank_codes
from bridge.errors import BridgeRejection, ErrorCode
from bridge.models import BenefitProgram, BridgeClient
from core.services.audit import audit_record

_TEXT_LIMITS = {
    "benefit_program_mnemonic": 50,
    "benefit_program_name": 200,
    "funding_org_code": 50,
    "funding_org_name": 200,
    "sponsor_bank_code": 30,
    "sponsor_bank_account_number": 34,
    "sponsor_bank_branch_code": 30,
    "sponsor_bank_account_currency": 3,
}
_REQUIRED = ("benefit_program_mnemonic", "benefit_program_name", "sponsor_bank_code", "sponsor_bank_account_number")


def _configuration(payload) -> dict:
    if not isinstance(payload, dict):
        raise BridgeRejection(ErrorCode.INVALID_REQUEST, "message: a benefit program configuration object")
    values = {}
    for field, limit in _TEXT_LIMITS.items():
        value = payload.get(field, "")
        value = "" if value is None else value
        if not isinstance(value, str) or len(value.strip()) > limit:
            raise BridgeRejection(ErrorCode.INVALID_PROGRAM_CONFIGURATION, f"{field}: text of at most {limit}")
        values[field] = value.strip()
    for field in _REQUIRED:
        if not values[field]:
            code = ErrorCode.INVALID_PROGRAM_MNEMONIC if field == "benefit_program_mnemonic" else None
            raise BridgeRejection(code or ErrorCode.INVALID_PROGRAM_CONFIGURATION, f"{field}: required")
    if values["sponsor_bank_code"] not in bank_codes():
        raise BridgeRejection(
            ErrorCode.INVALID_PROGRAM_CONFIGURATION,
            f"sponsor_bank_code: Kosh has connectors for {', '.join(bank_codes())} only",
        )
    values["sponsor_bank_account_currency"] = values["sponsor_bank_account_currency"] or "INR"
    if values["sponsor_bank_account_currency"] not in settings.BRIDGE_CURRENCIES:
        raise BridgeRejection(
            ErrorCode.INVALID_DISBURSEMENT_CURRENCY_CODE,
            f"sponsor_bank_account_currency: one of {', '.join(settings.BRIDGE_CURRENCIES)}",
        )
    required = payload.get("id_mapper_resolution_required", True)
    if not isinstance(required, bool):
        raise BridgeRejection(ErrorCode.INVALID_PROGRAM_CONFIGURATION, "id_mapper_resolution_required: true or false")
    values["id_mapper_resolution_required"] = required
    return values


def _fields(values: dict) -> dict:
    return {
        "mnemonic": values["benefit_program_mnemonic"],
        "name": values["benefit_program_name"],
        "funding_org_code": values["funding_org_code"],
        "funding_org_name": values["funding_org_name"],
        "sponsor_bank_code": values["sponsor_bank_code"],
        "sponsor_bank_account_number": values["sponsor_bank_account_number"],
        "sponsor_bank_branch_code": values["sponsor_bank_branch_code"],
        "currency": values["sponsor_bank_account_currency"],
        "id_mapper_resolution_required": values["id_mapper_resolution_required"],
    }


def program_create(*, tenant_id: str, payload, client: BridgeClient | None = None, actor=None) -> BenefitProgram:
    """Create a program from the anchor's BenefitProgramConfigurationPayload. The same configuration again returns
    the program; a different one under a taken mnemonic or account is refused."""
    fields = _fields(_configuration(payload))
    existing = BenefitProgram.objects.filter(tenant_id=tenant_id, mnemonic=fields["mnemonic"]).first()
    if existing is None:
        try:
            with transaction.atomic():
                program = BenefitProgram.objects.create(tenant_id=tenant_id, **fields)
                audit_record(
                    actor=actor,
                    entity=program,
                    action="program_create",
                    to_state="ACTIVE",
                    data={"client": client.name if client else ""},
                )
                return program
        except IntegrityError:
            existing = BenefitProgram.objects.filter(tenant_id=tenant_id, mnemonic=fields["mnemonic"]).first()
            if existing is None:
                raise BridgeRejection(
                    ErrorCode.BENEFIT_PROGRAM_CONFIGURATION_ALREADY_EXISTS,
                    "sponsor_bank_account_number: already the account of another program",
                ) from None
    if all(getattr(existing, name) == value for name, value in fields.items()):
        return existing
    raise BridgeRejection(
        ErrorCode.BENEFIT_PROGRAM_CONFIGURATION_ALREADY_EXISTS,
        f"benefit_program_mnemonic: '{fields['mnemonic']}' exists with a different configuration",
    )


def program_payload(program: BenefitProgram) -> dict:
    return {
        "benefit_program_mnemonic": program.mnemonic,
        "benefit_program_name": program.name,
        "funding_org_code": program.funding_org_code,
        "funding_org_name": program.funding_org_name,
        "sponsor_bank_code": program.sponsor_bank_code,
        "sponsor_bank_account_number": program.sponsor_bank_account_number,
        "sponsor_bank_branch_code": program.sponsor_bank_branch_code,
        "sponsor_bank_account_currency": program.currency,
        "id_mapper_resolution_required": program.id_mapper_resolution_required,
    }
