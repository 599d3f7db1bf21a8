"""Run a money-moving request once per idempotency key; a repeat gets the first answer back."""

import hashlib
import json
from collections.abc import Callable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from core.errors import ApplicationError
from core.models import IdempotencyRecord

KEY_MAX_LENGTH = IdempotencyRecord._meta.get_field("key").max_length


def request_digest(payload) -> str:
    """A stable fingerprint of a request body, so a key reused for a different request is caught."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotency_run(
    *, scope: str, key: str, digest: str, operation: Callable[[], tuple[int, dict]]
) -> tuple[int, dict, bool]:
    """Run `operation` (which answers `(status, body)`) at most once for `(scope, key)`.

    The key is claimed by inserting its row first, in the same transaction as the operation: a concurrent
    repeat waits on the UNIQUE index until the first commits, then reads its answer. If the operation
    raises, everything rolls back and the key is free again. Returns `(status, body, replayed)`; the body
    comes back as stored (Decimals as strings), so the first answer and every replay are the same."""
    # Printable only: a NUL would reach PostgreSQL as a 500 instead of a refusal.
    if not isinstance(key, str) or not key.strip() or len(key) > KEY_MAX_LENGTH or not key.isprintable():
        raise ApplicationError(
            "INVALID_IDEMPOTENCY_KEY",
            f"Idempotency-Key: 1 to {KEY_MAX_LENGTH} printable characters",
            field="Idempotency-Key",
        )
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    scope=scope, key=key, request_digest=digest, response_status=0, response_body={}
                )
        except IntegrityError:
            record = IdempotencyRecord.objects.get(scope=scope, key=key)
            if record.request_digest != digest:
                raise ApplicationError(
                    "IDEMPOTENCY_KEY_REUSED",
                    "Idempotency-Key: already used for a different request",
                    field="Idempotency-Key",
                    status=409,
                ) from None
            return record.response_status, record.response_body, True
        status, body = operation()
        # The JSON column's own encoder cannot write Decimal amounts.
        stored_body = json.loads(json.dumps(body, cls=DjangoJSONEncoder))
        record.response_status, record.response_body = status, stored_body
        record.save(update_fields=["response_status", "response_body"])
        return status, stored_body, False
