"""Malformed and out-of-bounds backup headers, for the service and CLI tests (issue 16 point 7).

Each case rewrites the JSON header of a real backup. The file no longer verifies (the header is associated
data), but none of these may get that far: each must be refused by reading the header, before Argon2id runs.
`count_kdf` wraps the real `derive_key`; it refuses (instead of running) a derivation beyond the bounds, so
a regression fails the test instead of taking 4 GiB of a shared machine's memory for 30 seconds.
"""

from __future__ import annotations

import base64
import json
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from app.storage import backup, crypto

Header = dict[str, Any]
_LEN = struct.Struct(">I")


def _b64(n: int) -> str:
    return base64.b64encode(bytes(n)).decode()


def _kdf(h: Header) -> dict[str, Any]:
    params: dict[str, Any] = h["slots"]["passphrase"]["kdf_params"]
    return params


def _slot(h: Header) -> dict[str, Any]:
    slot: dict[str, Any] = h["slots"]["passphrase"]
    return slot


def _set(get: Callable[[Header], dict[str, Any]], key: str, value: object) -> Callable[[Header], object]:
    def mutate(h: Header) -> object:
        get(h)[key] = value
        return h
    return mutate


def _drop(get: Callable[[Header], dict[str, Any]], key: str) -> Callable[[Header], object]:
    def mutate(h: Header) -> object:
        del get(h)[key]
        return h
    return mutate


def _top(h: Header) -> Header:
    return h


def _slots(h: Header) -> dict[str, Any]:
    slots: dict[str, Any] = h["slots"]
    return slots


@dataclass(frozen=True)
class Case:
    name: str
    mutate: Callable[[Header], object]  # returns the new header (any JSON value)
    says: str  # what the message must contain


UNREADABLE = "This backup cannot be opened"
NEWER = "made by a newer version of Kraft"

CASES = [
    Case("memory 4 GiB", _set(_kdf, "memory_kib", 4 * 1024 * 1024), "memory_kib is 4194304"),
    Case("memory 1 GiB + 1 KiB", _set(_kdf, "memory_kib", 1024 * 1024 + 1), "at most 1048576"),
    Case("11 passes", _set(_kdf, "iterations", 11), "at most 10"),
    Case("5 lanes", _set(_kdf, "lanes", 5), "at most 4"),
    Case("memory below the floor", _set(_kdf, "memory_kib", 512), "at least 1024"),
    Case("memory negative", _set(_kdf, "memory_kib", -65536), "at least 1024"),
    Case("passes zero", _set(_kdf, "iterations", 0), "at least 1"),
    Case("lanes zero", _set(_kdf, "lanes", 0), "at least 1"),
    Case("memory a string", _set(_kdf, "memory_kib", "65536"), "memory_kib is not a whole number"),
    Case("passes a float", _set(_kdf, "iterations", 3.0), "iterations is not a whole number"),
    Case("lanes a bool", _set(_kdf, "lanes", True), "lanes is not a whole number"),
    Case("passes null", _set(_kdf, "iterations", None), "iterations is not a whole number"),
    Case("memory huge", _set(_kdf, "memory_kib", 10 ** 400), "at most 1048576"),
    Case("a KDF field missing", _drop(_kdf, "lanes"), "lanes is missing"),
    Case("an extra KDF field", _set(_kdf, "version", 19), "unknown KDF setting"),
    Case("KDF settings a list", _set(_slot, "kdf_params", [65536, 3, 1]), "KDF settings are not a map"),
    Case("salt bad base64", _set(_slot, "salt", "not*base64!"), "salt is not base64"),
    Case("salt empty", _set(_slot, "salt", ""), "salt has 0 bytes, not 16"),
    Case("salt 15 bytes", _set(_slot, "salt", _b64(15)), "salt has 15 bytes, not 16"),
    Case("salt a number", _set(_slot, "salt", 16), "salt is not base64"),
    Case("slot nonce 11 bytes", _set(_slot, "nonce", _b64(11)), "nonce has 11 bytes, not 12"),
    Case("slot key cut short", _set(_slot, "wrapped_key", _b64(47)), "wrapped_key has 47 bytes, not 48"),
    Case("slot key missing", _drop(_slot, "wrapped_key"), "wrapped_key is missing"),
    Case("slot a string", _set(_slots, "passphrase", "passphrase"), "passphrase slot is not a map"),
    Case("slot a list", _set(_slots, "passphrase", []), "passphrase slot is not a map"),
    Case("no passphrase slot", _drop(_slots, "passphrase"), "it has no passphrase slot"),
    Case("slots a list", _set(_top, "slots", []), "slots are not a map"),
    Case("header a list", lambda h: [h], "its header is not a map"),
    Case("header a string", lambda h: "KRAFT", "its header is not a map"),
    Case("format 0", _set(_top, "format", 0), "format 0 is not one Kraft knows"),
    Case("format a string", _set(_top, "format", "1"), "format is not a whole number"),
    Case("format a bool", _set(_top, "format", True), "format is not a whole number"),
    Case("format missing", _drop(_top, "format"), "format is missing"),
    Case("vault format 0", _set(_top, "vault_format", 0), "vault_format 0 is not one Kraft knows"),
    Case("vault id a number", _set(_top, "vault_id", 7), "vault_id is not"),
    Case("created not a day", _set(_top, "created", "yesterday"), "created is not a day"),
    Case("key nonce bad base64", _set(_top, "key_nonce", "%%%"), "key_nonce is not base64"),
    Case("backup key cut short", _set(_top, "wrapped_key", _b64(40)), "wrapped_key has 40 bytes, not 48"),
    Case("nonce missing", _drop(_top, "nonce"), "nonce is missing"),
    Case("format 2", _set(_top, "format", 2), NEWER),
    Case("vault format 3", _set(_top, "vault_format", 3), NEWER),
]
IDS = [case.name for case in CASES]


def rewrite(data: bytes, mutate: Callable[[Header], object]) -> bytes:
    """The backup with its header changed by `mutate` (the ciphertext kept as it was)."""
    start = len(backup.MAGIC) + _LEN.size
    (length,) = _LEN.unpack_from(data, len(backup.MAGIC))
    header = json.loads(data[start:start + length])
    new = json.dumps(mutate(header)).encode()
    return backup.MAGIC + _LEN.pack(len(new)) + new + data[start + length:]


@dataclass
class KdfCalls:
    count: int = 0


@pytest.fixture
def count_kdf(monkeypatch: pytest.MonkeyPatch) -> KdfCalls:
    """Count the runs of the real Argon2id (also one started ahead, docs/adr/0015-kdf-ahead.md); refuse one
    beyond the bounds rather than run it here."""
    real, calls = crypto._derive, KdfCalls()

    def counting(secret: bytes, salt: bytes, params: crypto.KdfParams) -> bytes:
        calls.count += 1
        if params.memory_kib > 1024 * 1024 or params.iterations > 10 or params.lanes > 4:
            raise AssertionError(f"Argon2id asked to run with {params}")
        return real(secret, salt, params)

    monkeypatch.setattr(crypto, "_derive", counting)
    return calls
