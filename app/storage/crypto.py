"""Cryptographic building blocks of the vault: Argon2id, AES-256-GCM, padding, random ids, recovery codes.

Everything here is a pure function over bytes; keys are handed in and never stored by this module, except
one derivation started ahead (`derive_ahead`, docs/adr/0015-kdf-ahead.md) until it is taken or dropped.
"""

from __future__ import annotations

import base64
import hmac
import os
import secrets
import struct
import threading
import unicodedata
from dataclasses import asdict, dataclass, fields

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from app.errors import KraftError, Msg

KEY_BYTES = 32
NONCE_BYTES = 12
SALT_BYTES = 16
WRAPPED_KEY_BYTES = KEY_BYTES + 16  # a 32-byte key sealed with AES-GCM: its 16-byte tag after it
RECOVERY_BYTES = 15  # 120 bits: 24 base32 characters, shown as six groups of four


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost, stored beside each slot so it can be raised later without breaking old slots."""

    memory_kib: int = 64 * 1024
    iterations: int = 3
    lanes: int = 4  # RFC 9106's second choice; the same work in four threads (docs/adr/0019-argon2id-four-lanes.md)

    def to_dict(self) -> dict[str, int]:
        return asdict(self)

    @classmethod
    def checked(cls, data: object, *, floor: KdfParams | None = None, msg: Msg = Msg.VAULT_DAMAGED,
                where: str = "") -> KdfParams:
        """Parameters read from a header or key slot (untrusted), or for a new slot (`floor=NEW_SLOT_FLOOR`).

        Raises KraftError(`msg`, detail=`where` + what is wrong) unless `data` is a map of exactly the three
        whole numbers, each within [floor, KDF_CEILING]: a file may not make Argon2id take gigabytes or
        minutes (docs/adr/0001-vault-format.md, decision 9).
        """
        problem = _kdf_problem(data, floor or READ_FLOOR)
        if problem or not isinstance(data, dict):
            raise KraftError(msg, detail=where + problem)
        return cls(**{f.name: data[f.name] for f in fields(cls)})


def _kdf_problem(data: object, low: KdfParams) -> str:
    """What is wrong with these Argon2id settings, in words; "" when nothing is."""
    if not isinstance(data, dict):
        return "the KDF settings are not a map"
    names = [f.name for f in fields(KdfParams)]
    extra = sorted(str(key) for key in data if key not in names)
    if extra:
        return f"unknown KDF setting {extra[0]!r}"
    for name in names:
        least, most = getattr(low, name), getattr(KDF_CEILING, name)
        value = data.get(name)
        if name not in data:
            return f"the KDF setting {name} is missing"
        if type(value) is not int:  # bool, float, str and None are refused, not converted
            return f"the KDF setting {name} is not a whole number"
        if value < least:
            return f"the KDF setting {name} is {value}, and must be at least {least}"
        if value > most:
            shown = value if value < 10 ** 12 else "too large"
            return f"the KDF setting {name} is {shown}, and may be at most {most}"
    return ""


# The bounds on Argon2id (docs/adr/0001-vault-format.md, decision 9). The ceiling keeps a crafted file from
# costing more than 1 GiB and a few seconds; a new slot is never cheaper than the defaults (fewer lanes are not
# cheaper to guess, docs/adr/0019); reading accepts down to the cheapest Kraft has written (its tests' and
# benchmarks' 1 MiB, 1 pass).
KDF_CEILING = KdfParams(memory_kib=1024 * 1024, iterations=10, lanes=4)
NEW_SLOT_FLOOR = KdfParams(lanes=1)
READ_FLOOR = KdfParams(memory_kib=1024, iterations=1, lanes=1)


def checked_bytes(value: object, length: int) -> bytes:
    """`value` if it is exactly `length` bytes (a salt, nonce or wrapped key read from a file); else ValueError
    saying what it is instead ("has 15 bytes, not 16"), for the caller to name the field."""
    if not isinstance(value, bytes):
        raise ValueError(f"is not bytes but {type(value).__name__}")
    if len(value) != length:
        raise ValueError(f"has {len(value)} bytes, not {length}")
    return value


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def new_nonce() -> bytes:
    return os.urandom(NONCE_BYTES)


def new_salt() -> bytes:
    return os.urandom(SALT_BYTES)


def new_record_id() -> str:
    """A random 128-bit id: it says nothing about when or in which order a record was written."""
    return secrets.token_hex(16)


def normalize_passphrase(passphrase: str) -> bytes:
    """NFC-normalise so the same passphrase typed on two keyboards gives the same bytes."""
    try:
        return unicodedata.normalize("NFC", passphrase).encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate: invalid UTF-8 carried over by Python
        raise KraftError(Msg.PASSPHRASE_NOT_UNICODE) from exc


def _derive(secret: bytes, salt: bytes, params: KdfParams) -> bytes:
    kdf = Argon2id(salt=salt, length=KEY_BYTES, iterations=params.iterations, lanes=params.lanes,
                   memory_cost=params.memory_kib)
    return kdf.derive(secret)


class _Ahead:
    """One derivation running on its own thread (Argon2id lets go of Python's lock while it works)."""

    def __init__(self, secret: bytes, salt: bytes, params: KdfParams) -> None:
        self.secret, self.salt, self.params = secret, salt, params
        self.key: bytes | None = None
        self._thread = threading.Thread(target=self._run, name="kraft-kdf-ahead", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self.key = _derive(self.secret, self.salt, self.params)
        except Exception:  # then derive_key derives again and raises what it raises
            self.key = None

    def result(self, secret: bytes, salt: bytes, params: KdfParams) -> bytes | None:
        """Its key if it was started for exactly these arguments (and did not fail), else None."""
        if (salt, params) != (self.salt, self.params) or not hmac.compare_digest(secret, self.secret):
            return None
        self._thread.join()
        return self.key


_ahead: _Ahead | None = None
_ahead_lock = threading.Lock()


def derive_ahead(secret: bytes, salt: bytes, params: KdfParams) -> None:
    """Start `derive_key(secret, salt, params)` now, on a thread of its own, so it runs while the caller loads
    (the CLI, docs/adr/0015-kdf-ahead.md). The next `derive_key` with the same arguments takes the result;
    one with any other derives as usual. One is held at a time; a newer one replaces it."""
    global _ahead
    with _ahead_lock:
        _ahead = _Ahead(secret, salt, params)


def drop_ahead() -> None:
    """Forget a derivation started ahead and not taken (its secret and key go with it)."""
    global _ahead
    with _ahead_lock:
        _ahead = None


def derive_key(secret: bytes, salt: bytes, params: KdfParams) -> bytes:
    """Stretch a passphrase or recovery code into a key-encryption key (slow on purpose). A derivation of the
    very same arguments started ahead is taken (once) instead of running again."""
    global _ahead
    with _ahead_lock:
        ahead, _ahead = _ahead, None
    key = ahead.result(secret, salt, params) if ahead is not None else None
    return key if key is not None else _derive(secret, salt, params)


def seal(key: bytes | AESGCM, plaintext: bytes, associated: bytes) -> tuple[bytes, bytes]:
    """AES-256-GCM with a fresh random 96-bit nonce; returns (nonce, ciphertext+tag)."""
    aead = key if isinstance(key, AESGCM) else AESGCM(key)
    nonce = new_nonce()
    return nonce, aead.encrypt(nonce, plaintext, associated)


def open_sealed(key: bytes | AESGCM, nonce: bytes, ciphertext: bytes, associated: bytes) -> bytes:
    """Decrypt and authenticate; raises `cryptography.exceptions.InvalidTag` on any mismatch."""
    aead = key if isinstance(key, AESGCM) else AESGCM(key)
    return aead.decrypt(nonce, ciphertext, associated)


# ---- padding: hide exact lengths by rounding up to a bucket ----

_LEN = struct.Struct(">I")
_MIN_BUCKET = 256
_LINEAR_STEP = 16 * 1024


def _buckets() -> list[int]:
    # 256 * sqrt(2)**k rounded up to 16 bytes: 256, 368, 512, 736, 1024, 1456, 2048 ... 16384
    sizes, k = [], 0
    while True:
        size = -(-round(_MIN_BUCKET * 2 ** (k / 2)) // 16) * 16
        sizes.append(size)
        if size >= _LINEAR_STEP:
            return sizes
        k += 1


_BUCKETS = _buckets()


def bucket_size(length: int) -> int:
    """Steps of sqrt(2) from 256 bytes to 16 KiB, then whole multiples of 16 KiB."""
    for size in _BUCKETS:
        if size >= length:
            return size
    return -(-length // _LINEAR_STEP) * _LINEAR_STEP


def pad(data: bytes) -> bytes:
    body = _LEN.pack(len(data)) + data
    return body + bytes(bucket_size(len(body)) - len(body))


def unpad(padded: bytes) -> bytes:
    if len(padded) < _LEN.size:
        raise ValueError("padded record too short")
    (length,) = _LEN.unpack_from(padded)
    if length > len(padded) - _LEN.size:
        raise ValueError("padded record length out of range")
    return padded[_LEN.size:_LEN.size + length]


# ---- recovery codes ----


def new_recovery_code() -> str:
    """A random code in base32 (A-Z, 2-7), grouped for reading aloud: `ABCD-EFGH-...`."""
    raw = base64.b32encode(os.urandom(RECOVERY_BYTES)).decode("ascii")
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def normalize_recovery_code(code: str) -> bytes:
    """Accept the code as people type it: any case, spaces or dashes, 0 for O, 1 for I, 8 for B."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    cleaned = cleaned.translate(str.maketrans("018", "OIB"))
    return cleaned.encode("ascii", errors="replace")
