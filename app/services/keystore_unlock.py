"""Unlock with a fingerprint or face on phones (docs/adr/0010-keystore-unlock.md).

The "keystore" key slot wraps the data key under a random 256-bit secret that only the platform keystore
keeps; the platform releases it after the fingerprint or face is confirmed. Off by default; turning it on asks
the passphrase (the slot is written by unwrapping the passphrase slot). The passphrase is asked again 14 days
after it was last typed: until then the unlock screen offers the fingerprint, after that it says why not.

A passphrase change and a recovery drop the slot in the same transaction as the new passphrase slot
(`VaultService`); a re-key calls `drop_keystore_slot`. A secret that no longer opens (the slot went, the
platform reset its keystore) turns the feature off and falls back to the passphrase; nothing is lost, as the
passphrase and recovery slots are untouched.

The platform side is an adapter (`Keystore`): `app.views.keystore.FletKeystore` on Android and iOS builds
(flet-local-auth and flet-secure-storage), `NullKeystore` elsewhere (web, desktop), where Settings shows no
switch. Tests use a fake behind the same interface.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Protocol

from cryptography.exceptions import InvalidTag

from app.errors import KraftError, Msg
from app.services.journal import Journal
from app.services.vault_service import VaultService
from app.storage.crypto import KEY_BYTES, KdfParams
from app.storage.slots import KEYSTORE, NO_KDF, PASSPHRASE, SlotSecret
from app.storage.vault import Vault

PASSPHRASE_EVERY = timedelta(days=14)
LAST_PASSPHRASE = "keystore_passphrase_at"  # noqa: S105  (a preference name: when the passphrase was last typed)
SEALED_PASSPHRASE = "keystore_passphrase_seal"  # noqa: S105  (the same time, sealed under the data key)
CLOCK_SLACK = timedelta(minutes=5)  # a time this far ahead of the clock was not written by this device's clock


class Keystore(Protocol):
    """The platform keystore behind a biometric prompt. `supported` is False where there is none at all."""

    supported: bool

    async def available(self) -> bool:
        """True when this device can confirm a fingerprint or face now (hardware present and enrolled)."""

    async def enrol(self, secret: bytes) -> None:
        """Keep `secret` in the keystore (replacing any); raise KraftError if the platform refuses."""

    async def release(self, reason: str) -> bytes | None:
        """Ask for the fingerprint or face (`reason` is shown); the secret, or None when cancelled or absent."""

    async def forget(self) -> None:
        """Delete the secret from the keystore (nothing happens when there is none)."""


class NullKeystore:
    """Where there is no keystore to use (the web client, desktop runs): nothing is offered."""

    supported = False

    async def available(self) -> bool:
        return False

    async def enrol(self, secret: bytes) -> None:
        raise KraftError(Msg.KEYSTORE_UNAVAILABLE)

    async def release(self, reason: str) -> bytes | None:
        return None

    async def forget(self) -> None:
        return None


class Offer(Enum):
    """What the unlock screen offers."""

    OFF = "off"  # not turned on (or turned off): only the passphrase
    OFFERED = "offered"  # the fingerprint or face button
    PASSPHRASE_DUE = "passphrase_due"  # noqa: S105  (on, but 14 days have passed: the passphrase, and why)


def now_utc() -> datetime:
    return datetime.now(UTC)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _parse_time(value: str | None) -> datetime | None:
    """An aware time from ISO text; None for nothing, junk or a time without a zone."""
    try:
        when = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return when if when is not None and when.tzinfo is not None else None


def drop_keystore_slot(vault: Vault) -> bool:
    """Delete the keystore slot, locked or not; True when there was one. For a re-key (a new data key makes
    the slot useless, and it must not outlive the key it wraps) and for turning the feature off. The secret
    left in the platform keystore then opens nothing; `KeystoreUnlock.disable_keystore_unlock` also forgets it."""
    return vault.drop_slot(KEYSTORE)


def keystore_slot(secret: bytes) -> SlotSecret:
    """The slot to write: the secret is the KEK itself (random, full length: nothing to stretch)."""
    if len(secret) != KEY_BYTES:
        raise ValueError("a keystore secret is 32 random bytes")
    return SlotSecret(kind=KEYSTORE, params=KdfParams(), salt=b"", kek=secret, kdf=NO_KDF)


class KeystoreUnlock:
    """Turning fingerprint or face unlock on and off, the 14-day rule, and unlocking with it."""

    def __init__(self, service: VaultService, keystore: Keystore, *, clock: Callable[[], datetime] = now_utc) -> None:
        self.service = service
        self.keystore = keystore
        self.clock = clock

    @property
    def supported(self) -> bool:
        """False on platforms without a keystore: the setting is not shown."""
        return self.keystore.supported

    async def available(self) -> bool:
        return self.keystore.supported and await self.keystore.available()

    def enabled(self) -> bool:
        """The slot exists (the one truth: a slot dropped by any path turns the feature off)."""
        return self.service.has_vault() and self.service.vault.has_slot(KEYSTORE)

    # ---- the 14 days ----

    def note_passphrase_unlock(self) -> None:
        """The passphrase was typed and opened the journal: the next 14 days may use the fingerprint. Kept
        only while the feature is on (when a journal was last opened is nobody's business otherwise)."""
        if not self.enabled():
            return
        when = self.clock().astimezone(UTC).isoformat()
        self.service.set_preference(LAST_PASSPHRASE, when)
        vault = self.service.vault
        if vault.is_unlocked:  # the sealed copy: what the plaintext one says is checked against it
            nonce, sealed = vault.seal_blob(when.encode(), self._stamp_ad())
            self.service.set_preference(SEALED_PASSPHRASE, f"{_b64(nonce)}.{_b64(sealed)}")

    def _stamp_ad(self) -> bytes:
        return f"kraft|keystore|passphrase_at|{self.service.vault.vault_id()}".encode()

    def _last_passphrase(self) -> datetime | None:
        """The plaintext time: all the locked screen can read."""
        return _parse_time(self.service.get_preference(LAST_PASSPHRASE))

    def _sealed_last_passphrase(self) -> datetime | None:
        """The sealed time, once the vault is open; None when missing or changed."""
        value = self.service.get_preference(SEALED_PASSPHRASE) or ""
        try:
            nonce, sealed = (base64.b64decode(part, validate=True) for part in value.split("."))
            return _parse_time(self.service.vault.open_blob(nonce, sealed, self._stamp_ad()).decode())
        except (ValueError, binascii.Error, UnicodeDecodeError, InvalidTag):
            return None

    def _due(self, last: datetime | None) -> bool:
        """Due 14 days after the passphrase was typed, and when that time cannot be read or lies ahead of the
        clock (set forward by hand)."""
        now = self.clock()
        return last is None or last > now + CLOCK_SLACK or now - last >= PASSPHRASE_EVERY

    def offer(self) -> Offer:
        """Off, offered, or due (read from the plaintext time; the sealed one is checked at unlock)."""
        if not self.supported or not self.enabled():
            return Offer.OFF
        return Offer.PASSPHRASE_DUE if self._due(self._last_passphrase()) else Offer.OFFERED

    # ---- on and off ----

    async def enable_keystore_unlock(self, passphrase: str) -> None:
        """Prove the passphrase (slow, in a thread), write the slot, then hand the secret to the keystore.

        A refusal by the platform drops the slot again, so no slot is left that nothing can open.
        """
        if not await self.available():
            raise KraftError(Msg.KEYSTORE_UNAVAILABLE)
        secret = secrets.token_bytes(KEY_BYTES)
        await asyncio.to_thread(self._write_slot, passphrase, secret)
        try:
            await self.keystore.enrol(secret)
        except BaseException:
            drop_keystore_slot(self.service.vault)
            raise
        self.note_passphrase_unlock()  # the passphrase was just typed

    def _write_slot(self, passphrase: str, secret: bytes) -> None:
        kek = self.service.derive_kek(PASSPHRASE, passphrase)  # a wrong one: rewrap raises WRONG_PASSPHRASE
        self.service.vault.rewrap(keystore_slot(secret), current_kind=PASSPHRASE, current_kek=kek)

    async def disable_keystore_unlock(self) -> None:
        """Drop the slot first (it is what opens the journal), then forget the secret and the time."""
        drop_keystore_slot(self.service.vault)
        self.service.set_preference(LAST_PASSPHRASE, "")
        self.service.set_preference(SEALED_PASSPHRASE, "")
        await self.keystore.forget()

    async def forget_secret(self) -> None:
        """After a passphrase change: the slot is gone already; the platform forgets the secret too."""
        if self.supported:
            await self.keystore.forget()

    # ---- unlocking ----

    async def release_secret(self, reason: str) -> bytes | None:
        """Ask for the fingerprint or face; None when cancelled. Raises KEYSTORE_PASSPHRASE_DUE after 14 days
        (no prompt is shown then)."""
        offer = self.offer()
        if offer is Offer.PASSPHRASE_DUE:
            raise KraftError(Msg.KEYSTORE_PASSPHRASE_DUE, days=PASSPHRASE_EVERY.days)
        if offer is Offer.OFF:
            return None
        return await self.keystore.release(reason)

    def unlock_with_secret(self, secret: bytes) -> Journal:
        """Slow (decrypts the journal; run in a thread). A secret that does not open the slot, or a slot that
        is gone, turns the feature off (the slot is dropped here; call `forget_secret` after) and raises
        KEYSTORE_STALE: the member unlocks with the passphrase."""
        try:
            if len(secret) != KEY_BYTES:  # the platform lost it, or handed back something else
                raise KraftError(Msg.KEYSTORE_STALE)
            self._check_sealed_time(secret)
            return self.service.unlock_with_kek(secret, KEYSTORE)
        except KraftError as exc:
            if exc.msg is Msg.KEYSTORE_STALE:
                drop_keystore_slot(self.service.vault)
            raise

    def _check_sealed_time(self, secret: bytes) -> None:
        """Open the slot, and before any record is read, check the 14 days against the sealed time: the
        plaintext one may have been set back. Due: the key is dropped again."""
        vault = self.service.vault
        vault.unlock_with_kek(KEYSTORE, secret)  # KEYSTORE_STALE when it does not open
        if self._due(self._sealed_last_passphrase()):
            vault.lock()
            self.service.set_preference(LAST_PASSPHRASE, "")  # the locked screen now says why, too
            raise KraftError(Msg.KEYSTORE_PASSPHRASE_DUE, days=PASSPHRASE_EVERY.days)

    async def open_with_secret(self, secret: bytes) -> Journal:
        """`unlock_with_secret` in a thread; a stale secret is also forgotten by the platform."""
        try:
            return await asyncio.to_thread(self.unlock_with_secret, secret)
        except KraftError as exc:
            if exc.msg is Msg.KEYSTORE_STALE:
                await self.keystore.forget()
            raise

    async def unlock_with_keystore(self, reason: str) -> Journal | None:
        """The whole unlock: the prompt, then the slot. None when the prompt was cancelled (nothing changed)."""
        secret = await self.release_secret(reason)
        return None if secret is None else await self.open_with_secret(secret)
