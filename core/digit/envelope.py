"""The DIGIT request/response envelope: `{"RequestInfo": …}` in, `{"ResponseInfo": …, "<Entities>": […]}` out."""

import uuid
from datetime import UTC, datetime, timedelta

from django.utils import timezone
from rest_framework.exceptions import ValidationError

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def epoch_millis(moment: datetime | None) -> int | None:
    """A moment as DIGIT writes it: whole milliseconds since the epoch."""
    return None if moment is None else (moment - EPOCH) // timedelta(milliseconds=1)


def request_info_of(request) -> dict:
    """The caller's RequestInfo, or {} when the body has none. Anything but a JSON object is refused."""
    data = request.data
    if not isinstance(data, dict):
        if hasattr(data, "getlist"):  # a form post carries no RequestInfo
            return {}
        raise ValidationError({"body": ["must be a JSON object"]})
    info = data.get("RequestInfo")
    if info is None:
        return {}
    if not isinstance(info, dict):
        raise ValidationError({"RequestInfo": ["must be a JSON object"]})
    token = info.get("authToken")
    if token is not None and not isinstance(token, str):
        raise ValidationError({"RequestInfo.authToken": ["must be a string"]})
    return info


def response_info(request_info: dict | None, *, status: str = "successful") -> dict:
    """ResponseInfo echoing the caller's apiId, ver and msgId, as DIGIT services do."""
    info = request_info or {}
    return {
        "apiId": _text(info.get("apiId")),
        "ver": _text(info.get("ver")),
        "ts": epoch_millis(timezone.now()),
        "resMsgId": str(uuid.uuid4()),
        "msgId": _text(info.get("msgId")),
        "status": status,
    }


def _text(value) -> str | None:
    return None if value is None else str(value)
