"""The vault for a command that only reads the journal, through app.storage.direct: no SQLAlchemy
(docs/adr/0018-reading-without-sqlalchemy.md).

It unwraps the data key from a slot, checks every record against the manifest and opens records as
app.storage.vault does, with the same functions (app.storage.slots, app.storage.manifest, app.storage.sealed).
It writes nothing: where the unlock has something to write or to tell (a first manifest, a manifest to
rewrite, anything the manifest does not vouch for, plaintext left for the vault to take in), `unlock_with_kek`
says False and the vault itself opens the journal, from the same key.
"""

from __future__ import annotations

from typing import NoReturn

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.errors import KraftError, Msg
from app.storage import manifest, slots
from app.storage.direct import Direct
from app.storage.sealed import LoadResult, open_rows

# What the journal's opening takes into the vault (app.services.vault_service `_open_journal`): check-ins made
# before there was a journal (CheckInService.move_into_vault), a group's keys from then (LinkStore
# .move_into_vault), requests waiting for the relay in plaintext (LinkStore.seal_outbox).
PLAINTEXT_WAITING = (
    "SELECT 1 FROM checkin LIMIT 1",
    "SELECT 1 FROM group_link WHERE secrets IS NOT NULL LIMIT 1",
    "SELECT 1 FROM outbox WHERE sealed IS NULL LIMIT 1",
)


class ReadOnlyVault:
    """Holds the data key while open; opens records, seals none.

    Every record is read when it is made, sealed: that needs no key, so `open_to_read` makes it while the
    passphrase's key is derived. What unlock then checks against the manifest and opens is what was read
    then; a write in between makes the two differ, and the vault opens the journal instead."""

    def __init__(self, direct: Direct) -> None:
        self._direct = direct
        self._aead: AESGCM | None = None
        self._rows: dict[str, list[tuple[str, int, bytes, bytes, int]]] = {}
        for record_id, kind, fmt, nonce, ct, version in direct.exec_driver_sql(
                "SELECT id, kind, fmt, nonce, ciphertext, version FROM record"):
            self._rows.setdefault(kind, []).append((record_id, fmt, nonce, ct, version))

    @property
    def is_unlocked(self) -> bool:
        return self._aead is not None

    def unlock_with_kek(self, kind: str, kek: bytes) -> bool:
        """Unwrap the data key (a wrong secret raises as the vault's unlock does) and check the records against
        the manifest; False, holding no key, when the vault must open it instead (see the module's note)."""
        _vault_id, data_key = slots.unwrap(self._direct, kind, kek)
        mac_key = manifest.mac_key(data_key)
        outside = manifest.read_counter(self._direct.path.with_name(self._direct.path.name + manifest.COUNTER_SUFFIX))
        if manifest.never_made(self._direct, outside):
            return False
        read = [(r[0], kind, r[4]) for kind, rows in self._rows.items() for r in rows]
        report, rewrite = manifest.check(self._direct, mac_key, outside, read)
        if rewrite or not report.ok or self.plaintext_waiting():
            return False
        self._aead = AESGCM(data_key)
        return True

    def plaintext_waiting(self) -> bool:
        """Whether anything waits in plaintext for the vault to take in at the journal's opening."""
        return any(self._direct.exec_driver_sql(sql).first() is not None for sql in PLAINTEXT_WAITING)

    def load_kind(self, kind: str) -> LoadResult:
        """Decrypt every record of a kind in one pass; damaged ones are listed, not raised."""
        if self._aead is None:
            raise KraftError(Msg.VAULT_LOCKED)
        return open_rows(self._aead, kind, self._rows.get(kind, []))

    def lock(self) -> None:
        self._aead = None
        self._rows.clear()

    def transaction(self, *_args: object) -> NoReturn:
        """Never: a command that writes opens the journal with the vault (app.storage.vault)."""
        raise TypeError("the read-only vault writes nothing; open the journal with app.storage.vault to write")

    put_or_defer = delete = transaction
