"""Start the passphrase's Argon2id before the rest of a command loads (docs/adr/0015-kdf-ahead.md).

`Ahead.for_home(home)` reads the passphrase slot's settings without SQLAlchemy (app/storage/peek.py); its
`begin(passphrase)` derives the key on another thread. `VaultService.derive_kek` takes it from there, after
the unlock backoff has counted the try, as if it had derived it itself; `forget()` drops one not taken.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app import paths
from app.errors import KraftError
from app.storage import crypto, peek
from app.storage.crypto import KdfParams
from app.storage.slot_kinds import PASSPHRASE


@dataclass(frozen=True)
class Ahead:
    """The passphrase slot of a journal on this device, ready to have its key derived early."""

    params: KdfParams
    salt: bytes

    @classmethod
    def for_home(cls, home: Path) -> Ahead | None:
        """The journal's passphrase slot in `home`, or None (no journal, or one the normal path must read)."""
        found = peek.slot_params(paths.database_path(home), PASSPHRASE)
        return cls(*found) if found is not None else None

    def begin(self, passphrase: str) -> None:
        """Derive this passphrase's key now, on its own thread; a passphrase that cannot be encoded is left to
        the unlock, which says what is wrong with it."""
        try:
            secret = crypto.normalize_passphrase(passphrase)
        except KraftError:
            return
        crypto.derive_ahead(secret, self.salt, self.params)


def forget() -> None:
    """The command is over: a key derived early and not taken goes (its passphrase with it)."""
    crypto.drop_ahead()
