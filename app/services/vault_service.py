"""Opening, creating, locking and re-keying the member's vault: the service behind onboarding, unlock and
the passphrase settings. The slow steps (Argon2id) are separate methods that the views run off the event
loop; everything else is quick.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from app import paths
from app.errors import KraftError, Msg
from app.services.checkin import CheckInService
from app.services.journal import Journal
from app.services.links import LinkStore
from app.services.unlock_backoff import UnlockBackoff
from app.storage import crypto, db
from app.storage.crypto import KdfParams
from app.storage.db import checkpoint, open_database
from app.storage.manifest import IntegrityReport
from app.storage.slots import KEYSTORE, PASSPHRASE, RECOVERY, SlotSecret, derive_slot
from app.storage.stores import preferences
from app.storage.vault import Progress, RekeyResult, Vault

MIN_PASSPHRASE = 8
AUTOLOCK_DEFAULT = 5
AUTOLOCK_RANGE = (1, 60)


@dataclass(frozen=True)
class PendingSetup:
    """A vault ready to be written once the member confirms the recovery code (shown only now)."""

    recovery_code: str
    passphrase_slot: SlotSecret
    recovery_slot: SlotSecret


@dataclass(frozen=True)
class PendingRekey:
    """A re-key ready to run once the member confirms the new recovery code; the current KEK proves the
    passphrase was known (checked before the code is shown)."""

    recovery_code: str
    passphrase_slot: SlotSecret
    recovery_slot: SlotSecret
    current_kek: bytes


def check_new_passphrase(passphrase: str, repeat: str | None = None) -> None:
    """Raise a clear error if a new passphrase is too short or its repetition differs."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise KraftError(Msg.PASSPHRASE_TOO_SHORT, minimum=MIN_PASSPHRASE)
    if repeat is not None and not hmac.compare_digest(passphrase.encode(), repeat.encode()):
        raise KraftError(Msg.PASSPHRASES_DIFFER)


class VaultService:
    """One member's data directory: its database, its vault, and (while unlocked) its journal."""

    def __init__(self, home: Path | None = None, *, kdf: KdfParams | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.home = home or paths.data_dir(create=False)  # made when the database is, not before
        self.kdf = kdf or KdfParams()
        # every try at a secret goes through it
        self.backoff = UnlockBackoff(lambda: db.begin(self.engine), clock)
        self._engine: Engine | None = None
        self._vault: Vault | None = None
        self.journal: Journal | None = None
        # The last checkpoint's failure (disk full, busy): the data is safe in the WAL, so lock and close do not
        # raise it; a front end may warn (the CLI does, after saying what was saved).
        self.close_problem: KraftError | None = None
        # A command that only reads sets this: without a database it sees an empty one in memory, so looking at
        # a journal or groups that are not there makes no data folder (issue 17).
        self.read_only = False
        # While a backup is restored the database file is moved aside and replaced: nothing may open it then
        # (a connection made in between would keep reading the moved-aside file, or leave its -wal beside the
        # restored one). See `shut`.
        self._shut = False

    @property
    def engine(self) -> Engine:
        if self._shut:
            raise KraftError(Msg.DATABASE_BUSY)  # passing: asked again once the restore is done
        if self._engine is None:
            path = paths.database_path(self.home)
            if self.read_only and not path.exists():
                self._engine = db.empty_database()  # nothing here to read: look, and leave nothing behind
            else:
                paths.ensure_dir(self.home)
                self._engine = open_database(path)
        return self._engine

    @property
    def vault(self) -> Vault:
        if self._vault is None:
            self._vault = Vault(self.engine)
        return self._vault

    def has_vault(self) -> bool:
        if self._shut:
            raise KraftError(Msg.DATABASE_BUSY)
        if self._engine is None and not paths.database_path(self.home).exists():
            return False  # asking makes no database (and no data folder)
        return self.vault.exists()

    @property
    def is_unlocked(self) -> bool:
        return self.journal is not None and self.vault.is_unlocked

    @property
    def integrity(self) -> IntegrityReport | None:
        """What the last unlock found against the manifest (docs/adr/0011-rollback.md); None while locked."""
        return self._vault.integrity if self._vault is not None and self._vault.is_unlocked else None

    def require_journal(self) -> Journal:
        if self.journal is None or not self.vault.is_unlocked:
            raise KraftError(Msg.VAULT_LOCKED)
        return self.journal

    # ---- onboarding ----

    def prepare_setup(self, passphrase: str, repeat: str | None = None) -> PendingSetup:
        """Slow (two Argon2id runs): derive both slots and make the recovery code. Writes nothing."""
        check_new_passphrase(passphrase, repeat)
        if self.has_vault():
            raise KraftError(Msg.VAULT_EXISTS)
        code = crypto.new_recovery_code()
        return PendingSetup(
            recovery_code=code,
            passphrase_slot=derive_slot(PASSPHRASE, crypto.normalize_passphrase(passphrase), self.kdf),
            recovery_slot=derive_slot(RECOVERY, crypto.normalize_recovery_code(code), self.kdf),
        )

    def finish_setup(self, pending: PendingSetup, confirmation: str) -> Journal:
        """Write the vault once the member has typed the recovery code back; returns the open journal."""
        typed = crypto.normalize_recovery_code(confirmation)
        if not hmac.compare_digest(typed, crypto.normalize_recovery_code(pending.recovery_code)):
            raise KraftError(Msg.RECOVERY_CODE_MISMATCH)
        self.vault.create([pending.passphrase_slot, pending.recovery_slot])
        return self._open_journal()

    # ---- unlocking ----

    def derive_kek(self, kind: str, secret: str) -> bytes:
        """Slow: run Argon2id with the slot's stored parameters, unless too many tries failed lately (then
        a quick UNLOCK_WAIT saying how long). The try counts as failed until a KEK from it opens the vault."""
        params, salt = self.vault.slot_params(kind)
        self.backoff.begin()
        raw = crypto.normalize_recovery_code(secret) if kind == RECOVERY else crypto.normalize_passphrase(secret)
        return crypto.derive_key(raw, salt, params)

    def unlock_with_kek(self, kek: bytes, kind: str = PASSPHRASE) -> Journal:
        """Fast: unwrap the data key and decrypt the journal into memory."""
        if not self.has_vault():
            raise KraftError(Msg.NO_VAULT)
        self.vault.unlock_with_kek(kind, kek)
        self.backoff.succeeded()
        return self._open_journal()

    def unlock(self, passphrase: str) -> Journal:
        if not self.has_vault():
            raise KraftError(Msg.NO_VAULT)
        return self.unlock_with_kek(self.derive_kek(PASSPHRASE, passphrase))

    def recover(self, code: str, new_passphrase: str, repeat: str | None = None) -> Journal:
        """Open with the recovery code and set a new passphrase (the forgotten one stops working)."""
        check_new_passphrase(new_passphrase, repeat)
        if not self.has_vault():
            raise KraftError(Msg.NO_VAULT)
        kek = self.derive_kek(RECOVERY, code)
        journal = self.unlock_with_kek(kek, RECOVERY)
        slot = derive_slot(PASSPHRASE, crypto.normalize_passphrase(new_passphrase), self.kdf)
        self.vault.rewrap(slot, current_kind=RECOVERY, current_kek=kek, drop=(KEYSTORE,))  # ADR 0010
        return journal

    def _open_journal(self) -> Journal:
        journal = Journal(self.vault)
        journal.load()
        journal.purge_deleted()
        # Check-ins made before there was a journal (anonymous) move into it at the first opening; on every
        # opening, so rows left by a crash between creating the vault and moving them are not left plaintext.
        CheckInService(self.engine, self.vault).move_into_vault()
        links = LinkStore(self.engine, self.vault)
        links.move_into_vault()  # a group joined before: its keys, likewise
        links.seal_outbox()  # and what waits for the relay (docs/adr/0005-anonymous-attendance.md)
        self.journal = journal
        return journal

    def lock(self) -> None:
        """Finish pending deletions, forget the decrypted journal and the data key, checkpoint the WAL.

        Forgetting always happens, even when a write fails (database busy, disk full): a lock that leaves
        the journal open is worse than a deletion that waits for the next unlock.
        """
        journal, self.journal = self.journal, None
        try:
            if journal is not None and self.vault.is_unlocked:
                journal.purge_deleted(older_than=timedelta(0))
        finally:
            if journal is not None:
                journal.close()
            if self._vault is not None:
                self._vault.lock()
                self._vault.flush_deferred()
            if self._engine is not None:
                try:
                    checkpoint(self._engine)
                except KraftError as exc:  # what was committed is in the WAL, safe: tell, do not fail
                    self.close_problem = exc

    # ---- re-keying ----

    def change_passphrase(self, current: str, new: str, repeat: str | None = None) -> None:
        """Slow: prove the current passphrase, wrap the data key under the new one; no record changes, so old
        copies and backups still open with the old passphrase (a re-key is what locks those out). The
        keystore slot goes in the same transaction (docs/adr/0010-keystore-unlock.md): it wraps the same data
        key, so a fingerprint must not keep opening a journal whose passphrase was changed."""
        check_new_passphrase(new, repeat)
        current_kek = self.derive_kek(PASSPHRASE, current)
        slot = derive_slot(PASSPHRASE, crypto.normalize_passphrase(new), self.kdf)
        self.vault.rewrap(slot, current_kind=PASSPHRASE, current_kek=current_kek, drop=(KEYSTORE,))
        self.backoff.succeeded()

    def prepare_rekey(self, current: str, new: str, repeat: str | None = None) -> PendingRekey:
        """Slow (three Argon2id runs): check the current passphrase, derive the new slots, make the new
        recovery code. Writes nothing: that waits for the member to type the code back (`finish_rekey`)."""
        check_new_passphrase(new, repeat)
        current_kek = self.derive_kek(PASSPHRASE, current)
        self.vault.check_kek(PASSPHRASE, current_kek)
        code = crypto.new_recovery_code()
        return PendingRekey(
            recovery_code=code, current_kek=current_kek,
            passphrase_slot=derive_slot(PASSPHRASE, crypto.normalize_passphrase(new), self.kdf),
            recovery_slot=derive_slot(RECOVERY, crypto.normalize_recovery_code(code), self.kdf),
        )

    def finish_rekey(self, pending: PendingRekey, confirmation: str, *,
                     progress: Progress | None = None) -> RekeyResult:
        """Once the new code is typed back: a new data key, every record re-sealed, both slots rewritten, in one
        transaction (docs/adr/0001-vault-format.md, "Change and re-key"). Old copies and backups then open
        nothing written from now on, and the old passphrase and recovery code open nothing here."""
        typed = crypto.normalize_recovery_code(confirmation)
        if not hmac.compare_digest(typed, crypto.normalize_recovery_code(pending.recovery_code)):
            raise KraftError(Msg.RECOVERY_CODE_MISMATCH)
        # the keystore slot goes in the same transaction (it wrapped the old key); the app's keystore state
        # then forgets the platform's secret (SettingsState.after_passphrase_change)
        return self.vault.rekey([pending.passphrase_slot, pending.recovery_slot], current_kind=PASSPHRASE,
                                current_kek=pending.current_kek, progress=progress)

    def replace_recovery_code(self, passphrase: str) -> str:
        """Slow: make a new recovery code (the old one stops working); shown once, like at setup."""
        current_kek = self.derive_kek(PASSPHRASE, passphrase)
        code = crypto.new_recovery_code()
        slot = derive_slot(RECOVERY, crypto.normalize_recovery_code(code), self.kdf)
        self.vault.rewrap(slot, current_kind=PASSPHRASE, current_kek=current_kek)
        self.backoff.succeeded()
        return code

    # ---- device preferences (plaintext, needed before unlock: never anything the member wrote) ----

    def get_preference(self, name: str, default: str | None = None) -> str | None:
        with self.engine.connect() as conn:
            value = preferences.get_preference(conn=conn, name=name)
        return default if value is None else value

    def set_preference(self, name: str, value: str) -> None:
        with db.begin(self.engine) as conn:
            preferences.set_preference(conn=conn, name=name, value=value)

    def autolock_minutes(self) -> int:
        """Minutes without interaction before the journal locks itself."""
        value = self.get_preference("autolock_minutes")
        try:
            minutes = int(value) if value is not None else AUTOLOCK_DEFAULT
        except ValueError:
            return AUTOLOCK_DEFAULT
        return min(max(minutes, AUTOLOCK_RANGE[0]), AUTOLOCK_RANGE[1])

    def set_autolock_minutes(self, minutes: int) -> None:
        low, high = AUTOLOCK_RANGE
        if not low <= minutes <= high:
            raise KraftError(Msg.AUTOLOCK_RANGE, minimum=low, maximum=high)
        self.set_preference("autolock_minutes", str(minutes))

    def close(self) -> None:
        self.lock()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
            self._vault = None

    @property
    def is_shut(self) -> bool:
        """True inside `shut`: a timer skips its work then rather than meet DATABASE_BUSY."""
        return self._shut

    @contextmanager
    def shut(self) -> Iterator[None]:
        """Lock, close, and keep the database closed until the block ends: every use of `engine` meanwhile
        raises the passing DATABASE_BUSY and opens nothing. A backup's restore runs inside it (it moves the
        file aside and puts another in its place); after it the next use opens the file that is there then."""
        self.close()
        self._shut = True
        try:
            yield
        finally:
            self._shut = False
