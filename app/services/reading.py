"""Opening the journal for a command that only reads it (`kraft journal list|show|search`), without SQLAlchemy
(docs/adr/0018-reading-without-sqlalchemy.md).

`open_to_read` goes the way `VaultService.unlock` goes: the slot's settings, the count of tries (the same
UnlockBackoff, on the same table), Argon2id (taking the key `kraft` began deriving at its start, ADR 0015),
the data key, the records against the manifest, the entries; then the count back to zero. It answers one of:

* `Reading`: the journal, open; `close()` when done (the WAL is folded back, as the vault's lock does);
* `Handover(kek)`: the try is counted and the key derived, but the journal's opening has something to write
  or to tell (the manifest, plaintext to take in, a damaged record, a deletion to finish): the vault goes on
  from the key (`VaultService.unlock_with_kek`);
* None: nothing tried (no database, a migration to run, another format): the vault opens it from the start.

A wrong passphrase, a wait after many wrong ones, a passphrase that is not text: the same KraftErrors as the
vault's, after the same count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.errors import KraftError
from app.services.journal import Journal
from app.services.unlock_backoff import UnlockBackoff
from app.storage import crypto, slots
from app.storage.direct import Direct, open_direct
from app.storage.read_vault import ReadOnlyVault
from app.storage.slot_kinds import PASSPHRASE


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Reading:
    """The journal opened to read; `close` forgets it."""

    journal: Journal
    vault: ReadOnlyVault
    direct: Direct

    def close(self) -> KraftError | None:
        """Forget the entries and the key, fold the WAL back and close; a failure of the fold (a full disk) is
        returned, not raised: nothing was written but the count of tries, which is safe in the WAL."""
        self.journal.close()
        self.vault.lock()
        try:
            self.direct.checkpoint()
        except KraftError as exc:
            return exc
        finally:
            self.direct.close()
        return None


@dataclass(frozen=True)
class Handover:
    """The try is counted and this key derived from it: the vault opens the journal from here."""

    kek: bytes


def open_to_read(database: Path, passphrase: Callable[[], str], *,
                 clock: Callable[[], datetime] = _now) -> Reading | Handover | None:
    """The journal in `database` opened with the passphrase, asked for (`passphrase()`) once there is a slot
    to try it on; see the module's note for the answers (None: not asked)."""
    direct = open_direct(database)
    if direct is None:
        return None
    try:
        try:
            params, salt = slots.params_and_salt(direct, PASSPHRASE)
        except KraftError:  # no journal, or a damaged slot: the vault's way says so, in its order
            direct.close()
            return None
        secret = passphrase()
        backoff = UnlockBackoff(direct.begin, clock)
        backoff.begin()
        vault = ReadOnlyVault(direct)  # reads every sealed record while the key is derived ahead (ADR 0015)
        kek = crypto.derive_key(crypto.normalize_passphrase(secret), salt, params)
        if not vault.unlock_with_kek(PASSPHRASE, kek):
            direct.close()
            return Handover(kek)
        journal = Journal(vault, now=clock)  # type: ignore[arg-type]  # reads only: see ReadOnlyVault
        journal.load()
        if journal.damaged or journal.deletions_waiting:
            journal.close()
            vault.lock()
            direct.close()
            return Handover(kek)
        backoff.succeeded()
    except BaseException:
        direct.close()
        raise
    return Reading(journal, vault, direct)
