"""The treasury's side of the JIT-FS encryption: its RSA key pair, the app key it unwraps, the SEK it issues.

Written apart from Kosh's client on purpose, so each side checks the other. AES/ECB/PKCS5 and RSA-OAEP with SHA-1
are what the treasury's protocol prescribes."""

import base64
import fcntl
import os
from pathlib import Path

from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric import padding as asymmetric_padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings

PRIVATE_KEY_FILE = "private-key.pem"
PUBLIC_KEY_FILE = "public-key.der"

_cached_keys: dict[str, RSAPrivateKey] = {}


class SimCryptoError(Exception):
    """Ciphertext that does not decrypt with the key it should."""


def key_dir() -> Path:
    return Path(settings.KOSH_JIT_SIMULATOR_KEY_DIR)


def public_key_path() -> Path:
    """The X.509 DER public key a client of this simulator is given (KOSH_JIT_PUBLIC_KEY_FILE)."""
    return key_dir() / PUBLIC_KEY_FILE


def keys_ensure() -> Path:
    """Create the simulator's RSA key pair on first use; web and worker processes may race, one wins."""
    directory = key_dir()
    private_path, public_path = directory / PRIVATE_KEY_FILE, directory / PUBLIC_KEY_FILE
    if private_path.exists() and public_path.exists():
        return public_path
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (private_path.exists() and public_path.exists()):
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            private_pem = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            public_der = key.public_key().public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            _write_private(private_path, private_pem)
            public_path.write_bytes(public_der)
    return public_path


def private_key() -> RSAPrivateKey:
    path = key_dir() / PRIVATE_KEY_FILE
    cached = _cached_keys.get(str(path))
    if cached is None:
        keys_ensure()
        cached = serialization.load_pem_private_key(path.read_bytes(), password=None)
        _cached_keys[str(path)] = cached
    return cached


def app_key_unwrap(encrypted_b64: str) -> bytes:
    """The client's AES-256 app key, from RSA-OAEP(SHA-1) ciphertext."""
    try:
        app_key = private_key().decrypt(
            base64.b64decode(encrypted_b64, validate=True),
            asymmetric_padding.OAEP(
                mgf=asymmetric_padding.MGF1(algorithm=hashes.SHA1()),  # noqa: S303  (the treasury's protocol)
                algorithm=hashes.SHA1(),  # noqa: S303
                label=None,
            ),
        )
    except (ValueError, TypeError) as exc:
        raise SimCryptoError("Invalid appKey: it does not decrypt with the treasury's key") from exc
    if len(app_key) != 32:
        raise SimCryptoError("Invalid appKey: an AES-256 key has 32 bytes")
    return app_key


def aes_encrypt(key: bytes, plain: bytes) -> str:
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(key), modes.ECB()).encryptor()  # noqa: S305  (the treasury's protocol)
    return base64.b64encode(encryptor.update(padder.update(plain) + padder.finalize()) + encryptor.finalize()).decode()


def aes_decrypt(key: bytes, cipher_b64: str) -> bytes:
    try:
        decryptor = Cipher(algorithms.AES(key), modes.ECB()).decryptor()  # noqa: S305
        padded = decryptor.update(base64.b64decode(cipher_b64, validate=True)) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        return unpadder.update(padded) + unpadder.finalize()
    except (ValueError, TypeError) as exc:
        raise SimCryptoError("the ciphertext does not decrypt with the session key") from exc


def _write_private(path: Path, content: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
