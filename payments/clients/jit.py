"""The treasury's JIT-FS: its encrypted protocol, and nothing of Kosh's database.

1. `/authenticate`: a fresh AES-256 app key, RSA-OAEP(SHA-1)-encrypted with JIT's public key, with the clientId
   and clientSecret headers → `{authToken, sek}`; the SEK (session key) is AES-decrypted with the app key.
2. `/get-jit-service-data`: `{serviceId, params}` AES-encrypted with the SEK, plus a fresh per-call key (REK)
   encrypted with the SEK, header authToken → a base64 answer AES-encrypted with the REK.
The session is kept per process and renewed when it ages out or JIT says "No valid session encryption key"
(then the call is tried once more). The token, SEK, app key and REK are never logged or put in an exception."""

import base64
import json
import os
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import requests
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import padding as asymmetric_padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

AUTHENTICATE_PATH = "/webservices/jitfs/v1.0/authenticate"
SERVICE_DATA_PATH = "/webservices/jitfs/v1.0/get-jit-service-data"
NO_SESSION_MESSAGE = "No valid session encryption key"


@dataclass(frozen=True)
class JitConfig:
    base_url: str
    client_id: str
    client_secret: str = field(repr=False)
    public_key_file: str
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    session_seconds: int = 25 * 60


class JitError(Exception):
    """Anything that kept a JIT call from getting an answer. `message` is safe to store and show."""

    def __init__(self, message: str, *, http_status: int | None = None):
        super().__init__(message)
        self.message = message
        self.http_status = http_status


class JitConfigurationError(JitError):
    """Kosh is not set up to call JIT-FS (no URL, credentials or public key)."""


class JitAuthenticationError(JitError):
    """JIT-FS refused the credentials or the app key (a wrong secret or public key)."""


class JitProtocolError(JitError):
    """JIT-FS answered something that is not the protocol (not decryptable, not JSON)."""


class JitNoResponseError(JitError):
    """No answer: connection refused or dropped, timeout, a gateway error or an empty body."""


@dataclass(frozen=True)
class JitErrorItem:
    code: str
    message: str


@dataclass(frozen=True)
class JitResponse:
    """A decrypted JIT answer. `raw` is the whole answer as JIT sent it (numbers as Decimal)."""

    service_id: str
    error_msg: str | None
    error_msgs: tuple[JitErrorItem, ...]
    data: tuple[dict, ...]
    raw: dict
    http_status: int

    @property
    def is_error(self) -> bool:
        return bool(self.error_msg) or bool(self.error_msgs)

    @property
    def error_text(self) -> str:
        """JIT's error as one line: `errorMsg`, or the `errorMsgs` joined."""
        if self.error_msg:
            return self.error_msg
        return "; ".join(f"{item.code}: {item.message}" if item.code else item.message for item in self.error_msgs)


@dataclass
class _Session:
    token: str = field(repr=False)
    sek: bytes = field(repr=False)
    expires_at: float


class JitClient:
    """One configured JIT-FS endpoint. Thread-safe; sessions are shared by the clients of one process."""

    _sessions: dict[tuple[str, str], _Session] = {}
    _sessions_lock = threading.Lock()
    _public_keys: dict[str, RSAPublicKey] = {}

    def __init__(self, config: JitConfig):
        self.config = config
        self._local = threading.local()

    def assert_configured(self) -> None:
        missing = [
            name
            for name, value in (
                ("KOSH_JIT_BASE_URL", self.config.base_url),
                ("KOSH_JIT_CLIENT_ID", self.config.client_id),
                ("KOSH_JIT_CLIENT_SECRET", self.config.client_secret),
                ("KOSH_JIT_PUBLIC_KEY_FILE", self.config.public_key_file),
            )
            if not value
        ]
        if missing:
            raise JitConfigurationError(f"JIT-FS is not configured: set {', '.join(missing)}")

    def call(self, service_id: str, params: Mapping) -> JitResponse:
        """Send one service request and return JIT's decrypted answer (which may carry JIT's own error)."""
        self.assert_configured()
        session = self._session()
        try:
            return self._service_call(session, service_id, params)
        except _SessionRejected:
            self._session_drop(session)
            return self._service_call(self._session(), service_id, params)

    # --- Session ---------------------------------------------------------------------------

    @property
    def _session_key(self) -> tuple[str, str]:
        return (self.config.base_url, self.config.client_id)

    def _session(self) -> _Session:
        with self._sessions_lock:
            session = self._sessions.get(self._session_key)
            if session is not None and session.expires_at > time.monotonic():
                return session
            session = self._authenticate()
            self._sessions[self._session_key] = session
            return session

    def _session_drop(self, stale: _Session) -> None:
        with self._sessions_lock:
            if self._sessions.get(self._session_key) is stale:
                del self._sessions[self._session_key]

    def _authenticate(self) -> _Session:
        app_key = os.urandom(32)
        encrypted_key = self._public_key().encrypt(
            app_key,
            asymmetric_padding.OAEP(
                mgf=asymmetric_padding.MGF1(algorithm=hashes.SHA1()),  # noqa: S303  (the treasury's protocol)
                algorithm=hashes.SHA1(),  # noqa: S303
                label=None,
            ),
        )
        response = self._post(
            AUTHENTICATE_PATH,
            {"appKey": base64.b64encode(encrypted_key).decode()},
            headers={"clientId": self.config.client_id, "clientSecret": self.config.client_secret},
        )
        body = _json_or_none(response.content)
        if response.status_code != 200 or not isinstance(body, dict) or not body.get("authToken"):
            reason = body.get("errorMsg") if isinstance(body, dict) else None
            raise JitAuthenticationError(
                f"JIT-FS refused authentication: {reason or f'HTTP {response.status_code}'}",
                http_status=response.status_code,
            )
        try:
            sek = _aes_decrypt(app_key, str(body.get("sek", "")))
        except JitProtocolError:
            raise JitAuthenticationError(
                "JIT-FS sent a session key that does not decrypt with Kosh's app key", http_status=200
            ) from None
        return _Session(
            token=str(body["authToken"]), sek=sek, expires_at=time.monotonic() + self.config.session_seconds
        )

    def _public_key(self) -> RSAPublicKey:
        path = self.config.public_key_file
        key = self._public_keys.get(path)
        if key is None:
            try:
                der = Path(path).read_bytes()
            except OSError as exc:
                raise JitConfigurationError(f"KOSH_JIT_PUBLIC_KEY_FILE: cannot read {path} ({exc.strerror})") from None
            try:
                key = serialization.load_der_public_key(der)
            except ValueError:
                raise JitConfigurationError(
                    f"KOSH_JIT_PUBLIC_KEY_FILE: {path} is not an X.509 DER public key"
                ) from None
            if not isinstance(key, RSAPublicKey):
                raise JitConfigurationError(f"KOSH_JIT_PUBLIC_KEY_FILE: {path} is not an RSA key")
            self._public_keys[path] = key
        return key

    # --- One call ---------------------------------------------------------------------------

    def _service_call(self, session: _Session, service_id: str, params: Mapping) -> JitResponse:
        rek = os.urandom(32)
        plain = json.dumps({"serviceId": service_id, "params": params}, default=_json_default).encode()
        response = self._post(
            SERVICE_DATA_PATH,
            {"params": _aes_encrypt(session.sek, plain), "rek": _aes_encrypt(session.sek, rek)},
            headers={"authToken": session.token},
        )
        if response.status_code >= 500 or not response.content.strip():
            raise JitNoResponseError(
                f"JIT-FS gave no answer (HTTP {response.status_code})", http_status=response.status_code
            )
        if response.status_code != 200:
            body = _json_or_none(response.content)
            reason = body.get("errorMsg") if isinstance(body, dict) else None
            if reason and NO_SESSION_MESSAGE.lower() in str(reason).lower():
                raise _SessionRejected
            raise JitProtocolError(
                f"JIT-FS refused the call: {reason or f'HTTP {response.status_code}'}",
                http_status=response.status_code,
            )
        try:
            answer = json.loads(_aes_decrypt(rek, response.text.strip()), parse_float=Decimal)
        except ValueError:
            raise JitProtocolError("JIT-FS answered with something that is not JSON", http_status=200) from None
        if not isinstance(answer, dict):
            raise JitProtocolError("JIT-FS answered with something that is not a JSON object", http_status=200)
        if NO_SESSION_MESSAGE.lower() in str(answer.get("errorMsg") or "").lower():
            raise _SessionRejected
        return _response_of(service_id, answer, response.status_code)

    def _post(self, path: str, body: dict, *, headers: dict) -> requests.Response:
        http = getattr(self._local, "http", None)
        if http is None:
            http = self._local.http = requests.Session()
        try:
            return http.post(
                self.config.base_url.rstrip("/") + path,
                json=body,
                headers=headers,
                timeout=(self.config.connect_timeout, self.config.read_timeout),
            )
        except requests.Timeout:
            limits = f"{self.config.read_timeout:g} s (connect {self.config.connect_timeout:g} s)"
            raise JitNoResponseError(f"JIT-FS did not answer within {limits}") from None
        except requests.ConnectionError:
            raise JitNoResponseError("JIT-FS could not be reached (connection failed)") from None
        except requests.RequestException as exc:
            raise JitNoResponseError(f"JIT-FS could not be reached ({type(exc).__name__})") from None


class _SessionRejected(Exception):
    """JIT no longer knows the session: authenticate again and retry once."""


def _response_of(service_id: str, answer: dict, http_status: int) -> JitResponse:
    items = answer.get("errorMsgs") or []
    error_msgs = tuple(
        JitErrorItem(code=str(item.get("errorCode") or ""), message=str(item.get("errorMsg") or ""))
        if isinstance(item, dict)
        else JitErrorItem(code="", message=str(item))
        for item in (items if isinstance(items, list) else [items])
    )
    data = answer.get("data") or []
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise JitProtocolError("JIT-FS answered with a `data` that is not a list of objects", http_status=http_status)
    error_msg = answer.get("errorMsg")
    return JitResponse(
        service_id=str(answer.get("serviceId") or service_id),
        error_msg=str(error_msg) if error_msg else None,
        error_msgs=error_msgs,
        data=tuple(data),
        raw=answer,
        http_status=http_status,
    )


def _aes_encrypt(key: bytes, plain: bytes) -> str:
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305  (the treasury's protocol)
    return base64.b64encode(encryptor.update(padder.update(plain) + padder.finalize()) + encryptor.finalize()).decode()


def _aes_decrypt(key: bytes, cipher_b64: str) -> bytes:
    try:
        decryptor = Cipher(algorithms.AES(key), modes.ECB()).decryptor()  # noqa: S305
        padded = decryptor.update(base64.b64decode(cipher_b64, validate=True)) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        return unpadder.update(padded) + unpadder.finalize()
    except ValueError:
        raise JitProtocolError("JIT-FS answered with ciphertext that does not decrypt") from None


def _json_or_none(content: bytes):
    try:
        return json.loads(content or b"null")
    except (ValueError, UnicodeDecodeError):
        return None


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_clients: dict[JitConfig, JitClient] = {}


def jit_client_from_settings() -> JitClient:
    """The client for the JIT-FS the settings name; one per configuration, so sessions are reused."""
    from django.conf import settings

    config = JitConfig(
        base_url=settings.KOSH_JIT_BASE_URL,
        client_id=settings.KOSH_JIT_CLIENT_ID,
        client_secret=settings.KOSH_JIT_CLIENT_SECRET,
        public_key_file=settings.KOSH_JIT_PUBLIC_KEY_FILE,
        connect_timeout=settings.KOSH_JIT_CONNECT_TIMEOUT_SECONDS,
        read_timeout=settings.KOSH_JIT_READ_TIMEOUT_SECONDS,
        session_seconds=settings.KOSH_JIT_SESSION_SECONDS,
    )
    client = _clients.get(config)
    if client is None:
        client = _clients[config] = JitClient(config)
    return client
