"""A generic HTTP SMS gateway, described entirely by settings, so an Indian gateway is configured without code.

The request is built from templates: query parameters, a JSON or form body and headers, each a JSON object
whose string values may use the placeholders in `PLACEHOLDERS`. Values are placed into the structure (and
encoded by `requests`), never pasted into a URL or JSON text, so a message cannot break out of its field.
Success is a 2xx answer whose body matches `SUCCESS_REGEX` (when set); the gateway's message id is the first
group of `MESSAGE_ID_REGEX`. 5xx, 408, 425 and 429 answers, timeouts and connection failures may succeed on a
later attempt; any other refusal will not. Secrets and numbers never reach error texts or logs."""

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError, ProtocolError, ProxyError, SSLError

from core.errors import ApplicationError
from notifications.phones import mobile_mask
from notifications.providers.base import (
    DeliveryReport,
    OutgoingSms,
    SmsAccepted,
    SmsConfigurationError,
    SmsSendError,
)
from notifications.templating import placeholders_of, text_render

# What a request template may name.
PLACEHOLDERS = frozenset(
    {
        "to",  # 9876543210
        "to_91",  # 919876543210
        "to_e164",  # +919876543210
        "text",
        "unicode",  # "1" when the text needs UCS-2 (any Indian script), else "0"
        "dlt_template_id",
        "dlt_entity_id",
        "sender",
        "reference",  # Kosh's id for the message
        "username",
        "password",
        "token",
    }
)
METHODS = ("GET", "POST")
BODY_ENCODINGS = ("json", "form")
AUTH_KINDS = ("none", "basic", "bearer", "header")
RETRYABLE_STATUSES = frozenset({408, 425, 429})
DELIVERED = "DELIVERED"
FAILED = "FAILED"
_ERROR_SNIPPET = 300


@dataclass(frozen=True)
class HttpGatewayConfig:
    url: str
    method: str = "POST"
    params_template: Mapping = field(default_factory=dict)
    body_template: Mapping = field(default_factory=dict)
    body_encoding: str = "json"
    headers: Mapping = field(default_factory=dict)
    auth: str = "none"
    username: str = ""
    password: str = ""
    token: str = ""
    auth_header: str = "Authorization"
    success_regex: str = ""
    message_id_regex: str = ""
    timeout_seconds: float = 10.0
    sender: str = ""
    dlt_entity_id: str = ""
    dlr_token: str = ""
    dlr_message_id_field: str = "messageId"
    dlr_status_field: str = "status"
    dlr_error_field: str = "error"
    dlr_delivered_values: tuple[str, ...] = ("DELIVERED", "DELIVRD")
    dlr_failed_values: tuple[str, ...] = ("FAILED", "UNDELIV", "UNDELIVERED", "EXPIRED", "REJECTED", "REJECTD")

    @classmethod
    def from_settings(cls, values: Mapping, *, sender: str = "", dlt_entity_id: str = "") -> "HttpGatewayConfig":
        """From a settings dict such as KOSH_SMS_HTTP (upper-case keys, as in config/settings/base.py)."""
        return cls(
            url=values.get("URL", ""),
            method=str(values.get("METHOD", "POST")).upper(),
            params_template=values.get("PARAMS_TEMPLATE") or {},
            body_template=values.get("BODY_TEMPLATE") or {},
            body_encoding=str(values.get("BODY_ENCODING", "json")).lower(),
            headers=values.get("HEADERS") or {},
            auth=str(values.get("AUTH", "none")).lower(),
            username=values.get("USERNAME", ""),
            password=values.get("PASSWORD", ""),
            token=values.get("TOKEN", ""),
            auth_header=values.get("AUTH_HEADER", "Authorization"),
            success_regex=values.get("SUCCESS_REGEX", ""),
            message_id_regex=values.get("MESSAGE_ID_REGEX", ""),
            timeout_seconds=float(values.get("TIMEOUT_SECONDS", 10.0)),
            sender=sender,
            dlt_entity_id=dlt_entity_id,
            dlr_token=values.get("DLR_TOKEN", ""),
            dlr_message_id_field=values.get("DLR_MESSAGE_ID_FIELD", "messageId"),
            dlr_status_field=values.get("DLR_STATUS_FIELD", "status"),
            dlr_error_field=values.get("DLR_ERROR_FIELD", "error"),
            dlr_delivered_values=tuple(v.upper() for v in values.get("DLR_DELIVERED_VALUES", cls.dlr_delivered_values)),
            dlr_failed_values=tuple(v.upper() for v in values.get("DLR_FAILED_VALUES", cls.dlr_failed_values)),
        )

    def problems(self) -> list[str]:
        """What keeps this configuration from sending, one sentence each; empty when it can send."""
        found = []
        if not self.url.startswith(("http://", "https://")):
            found.append("URL must be an http:// or https:// address")
        if self.method not in METHODS:
            found.append(f"METHOD must be one of {', '.join(METHODS)}")
        if self.body_encoding not in BODY_ENCODINGS:
            found.append(f"BODY_ENCODING must be one of {', '.join(BODY_ENCODINGS)}")
        if self.body_template and self.method == "GET":
            found.append("BODY_TEMPLATE needs METHOD POST")
        if self.auth not in AUTH_KINDS:
            found.append(f"AUTH must be one of {', '.join(AUTH_KINDS)}")
        if self.auth == "basic" and not self.username:
            found.append("AUTH basic needs USERNAME and PASSWORD")
        if self.auth in ("bearer", "header") and not self.token:
            found.append(f"AUTH {self.auth} needs TOKEN")
        if self.timeout_seconds <= 0:
            found.append("TIMEOUT_SECONDS must be more than 0")
        for label, template in (
            ("PARAMS_TEMPLATE", self.params_template),
            ("BODY_TEMPLATE", self.body_template),
            ("HEADERS", self.headers),
        ):
            if not isinstance(template, Mapping):
                found.append(f"{label} must be a JSON object")
                continue
            try:
                unknown = sorted(set(_template_placeholders(template)) - PLACEHOLDERS)
            except ApplicationError as exc:
                found.append(f"{label}: {exc.message}")
                continue
            if unknown:
                found.append(f"{label} names unknown placeholders: {', '.join(unknown)}")
        for label, pattern in (("SUCCESS_REGEX", self.success_regex), ("MESSAGE_ID_REGEX", self.message_id_regex)):
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                found.append(f"{label} is not a regular expression: {exc}")
                continue
            if label == "MESSAGE_ID_REGEX" and pattern and compiled.groups < 1:
                found.append("MESSAGE_ID_REGEX needs a group around the id")
        return found


class HttpGatewayProvider:
    """Sends through the gateway `config` describes."""

    def __init__(self, *, name: str, config: HttpGatewayConfig):
        self.name = name
        self.config = config

    def problems(self) -> list[str]:
        return list(self._problems)

    @cached_property
    def _problems(self) -> tuple[str, ...]:
        # Asked before each attempt and again by `send`; the configuration is frozen, so worked out once.
        return tuple(f"SMS gateway '{self.name}': {problem}" for problem in self.config.problems())

    def send(self, sms: OutgoingSms) -> SmsAccepted:
        config = self.config
        problems = self.problems()
        if problems:
            raise SmsConfigurationError("; ".join(problems))
        context = self._context(sms)
        headers = {str(key): str(value) for key, value in _render(config.headers, context).items()}
        params = _render(config.params_template, context) or None
        body = _render(config.body_template, context) if config.body_template else None
        auth = None
        if config.auth == "basic":
            auth = (config.username, config.password)
        elif config.auth == "bearer":
            headers["Authorization"] = f"Bearer {config.token}"
        elif config.auth == "header":
            headers[config.auth_header] = config.token

        try:
            status, body_text = _exchange(
                config.url,
                requests.Request(
                    config.method,
                    config.url,
                    params=params,
                    headers=headers,
                    auth=auth,
                    json=body if config.body_encoding == "json" else None,
                    data=body if config.body_encoding == "form" else None,
                ).prepare(),
                # Connecting should be quick; a slow gateway gets the full allowance to answer.
                timeout=urllib3.Timeout(connect=min(5.0, config.timeout_seconds), read=config.timeout_seconds),
            )
        except (NewConnectionError, ProtocolError, ProxyError, SSLError):
            # The exception's own text carries the URL with its query: credentials and the number.
            raise SmsSendError("the gateway could not be reached (connection failed)", retryable=True) from None
        except urllib3.exceptions.TimeoutError:
            raise SmsSendError(
                f"the gateway did not answer within {config.timeout_seconds:g} s", retryable=True
            ) from None
        except (urllib3.exceptions.HTTPError, requests.RequestException) as exc:
            raise SmsSendError(f"the gateway request failed ({type(exc).__name__})", retryable=True) from None

        if not 200 <= status < 300:
            retryable = status >= 500 or status in RETRYABLE_STATUSES
            raise SmsSendError(f"HTTP {status} from the gateway: {self._snippet(body_text, sms)}", retryable=retryable)
        if config.success_regex and not re.search(config.success_regex, body_text):
            # A refusal in a 200 answer: the gateway did not take the message, so trying again cannot duplicate it.
            raise SmsSendError(
                f"HTTP {status} without the success mark: {self._snippet(body_text, sms)}",
                retryable=True,
            )
        message_id = ""
        if config.message_id_regex:
            match = re.search(config.message_id_regex, body_text)
            message_id = match.group(1).strip()[:100] if match else ""
        return SmsAccepted(provider_message_id=message_id)

    def delivery_report_token(self) -> str:
        return self.config.dlr_token

    def delivery_report_parse(self, data: dict[str, str]) -> DeliveryReport:
        config = self.config
        message_id = str(data.get(config.dlr_message_id_field) or "").strip()
        if not message_id:
            raise ValueError(f"{config.dlr_message_id_field}: the gateway's message id is required")
        raw_status = str(data.get(config.dlr_status_field) or "").strip()
        if not raw_status:
            raise ValueError(f"{config.dlr_status_field}: the delivery status is required")
        upper = raw_status.upper()
        status = (
            DELIVERED if upper in config.dlr_delivered_values else FAILED if upper in config.dlr_failed_values else None
        )
        error = str(data.get(config.dlr_error_field) or "").strip()[:500]
        return DeliveryReport(
            provider_message_id=message_id[:100], status=status, error=error, raw_status=raw_status[:50]
        )

    def _context(self, sms: OutgoingSms) -> dict[str, str]:
        config = self.config
        return {
            "to": sms.to,
            "to_91": f"91{sms.to}",
            "to_e164": f"+91{sms.to}",
            "text": sms.text,
            "unicode": "0" if sms.text.isascii() else "1",
            "dlt_template_id": sms.dlt_template_id,
            "dlt_entity_id": config.dlt_entity_id,
            "sender": config.sender,
            "reference": sms.reference,
            "username": config.username,
            "password": config.password,
            "token": config.token,
        }

    def _snippet(self, body: str, sms: OutgoingSms) -> str:
        """The start of a gateway's answer, fit for the outbox and the log: secrets, the text and the number hidden."""
        text = " ".join(body.split())[:_ERROR_SNIPPET]
        for secret in (self.config.password, self.config.token):
            if secret:
                text = text.replace(secret, "***")
        if len(sms.text) >= 8:
            # The text may be logged at DEBUG only; a gateway that echoes it is cut short here.
            text = text.replace(" ".join(sms.text.split())[:_ERROR_SNIPPET], "(the message text)")
        for spelling in (f"+91{sms.to}", f"91{sms.to}", sms.to):
            text = text.replace(spelling, mobile_mask(sms.to))
        return text or "(empty answer)"


_local = threading.local()
_adapters: list[HTTPAdapter] = []
_adapters_lock = threading.Lock()
_environments: dict[str, dict] = {}


def _exchange(url: str, request: requests.PreparedRequest, *, timeout: urllib3.Timeout) -> tuple[int, str]:
    """Send one request to the gateway at `url` as `requests` builds it, on this thread's kept-alive connection;
    answers the status and the text.

    The connection comes from requests' own adapter (its proxy and TLS handling), but the request goes straight
    to urllib3: a requests Session's per-call merging of settings, cookies and hooks, and its Response, cost more
    CPU than the rest of an SMS attempt. Raises urllib3's errors; no retry, no redirect followed."""
    adapter = _adapter()
    environment = _environment(url)
    connection = adapter.get_connection_with_tls_context(
        request, environment["verify"], environment["proxies"], environment["cert"]
    )
    response = connection.urlopen(
        method=request.method,
        url=adapter.request_url(request, environment["proxies"]),
        body=request.body,
        headers=request.headers,
        redirect=False,
        assert_same_host=False,
        retries=False,
        timeout=timeout,
    )
    encoding = requests.utils.get_encoding_from_headers(response.headers) or "utf-8"
    try:
        text = response.data.decode(encoding, errors="replace")
    except LookupError:
        text = response.data.decode("utf-8", errors="replace")
    return response.status, text


def _adapter() -> HTTPAdapter:
    """One adapter per thread, holding one kept-alive connection per gateway: a worker reuses its connection."""
    adapter = getattr(_local, "adapter", None)
    if adapter is None:
        adapter = HTTPAdapter(pool_maxsize=1)
        _local.adapter = adapter
        with _adapters_lock:
            _adapters.append(adapter)
    return adapter


def _environment(url: str) -> dict:
    """HTTPS_PROXY / NO_PROXY / REQUESTS_CA_BUNDLE as requests reads them for `url`, worked out once per URL."""
    known = _environments.get(url)
    if known is None:
        with requests.Session() as reader:
            merged = reader.merge_environment_settings(url, {}, None, None, None)
        known = _environments[url] = {"proxies": merged["proxies"], "verify": merged["verify"], "cert": merged["cert"]}
    return known


def gateway_connections_close() -> None:
    """Close every thread's kept-alive gateway connections and forget the environment read for each gateway
    (both are done again on the next send)."""
    with _adapters_lock:
        for adapter in _adapters:
            adapter.close()
        _environments.clear()


def _render(template, context: Mapping[str, str]):
    if isinstance(template, str):
        return text_render(template, context)
    if isinstance(template, Mapping):
        return {str(key): _render(value, context) for key, value in template.items()}
    if isinstance(template, list | tuple):
        return [_render(value, context) for value in template]
    return template


def _template_placeholders(template):
    if isinstance(template, str):
        yield from placeholders_of(template)
    elif isinstance(template, Mapping):
        for value in template.values():
            yield from _template_placeholders(value)
    elif isinstance(template, list | tuple):
        for value in template:
            yield from _template_placeholders(value)
