"""The manifest: which sealed records the vault holds, at which version, under a MAC (docs/adr/0011-rollback.md).

Each record's version sits in its associated data (app.storage.vault, record format 2), so an old ciphertext
cannot be relabelled as new; the manifest says which version is the current one, so an old ciphertext written
back with its old version shows, and so does a record deleted or put back behind the app's back. A counter
in the manifest goes up with every write, and is also kept outside the database, in `kraft.db.counter` beside
`kraft.db`: an older copy of the whole database has a lower counter than the file.

    manifest_entry (tag, kind, version)   one row per record, as the last write left it (WITHOUT ROWID)
        tag  BLAKE2b-128(k, record id): a group removed while locked leaves no id behind
    manifest (id=1, counter, acc, mac)
        acc  XOR over the entries of BLAKE2b-256(k, tag | kind | version): a MAC over the set of
             (record, version) pairs that one write updates in O(records written), not O(journal)
        mac  HMAC-SHA256(key, "kraft|manifest|1|" + counter (8 bytes) + acc)
    key = HKDF-SHA256(data key, info "kraft|manifest|1"): it opens nothing; k = HMAC(key, "kraft|manifest|1|blake2b")

Every write of records calls `write(conn, key, changed)` in its own transaction, and `publish(engine, counter)`
once it has committed (Vault.transaction does both). A re-key that seals every record again calls
`write(conn, mac_key(new data key))` with `changed=None` (everything again). A crash between the commit and
`publish` leaves the file behind the database, which is never reported; the file only ever goes up.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.fileio import write_atomic
from app.storage import records

if TYPE_CHECKING:  # the checks at unlock also read through app.storage.direct's connection, without SQLAlchemy
    from sqlalchemy import Connection, Engine

    from app.storage.direct import SqlConnection

COUNTER_SUFFIX = ".counter"
_INFO = b"kraft|manifest|1"
_COUNTER = struct.Struct(">Q")


def mac_key(data_key: bytes) -> bytes:
    """The manifest's MAC key, derived from the data key: it opens nothing, it only vouches for the list."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(data_key)


def _mac(key: bytes, counter: int, acc: bytes) -> bytes:
    return hmac.new(key, _INFO + b"|" + _COUNTER.pack(counter) + acc, hashlib.sha256).digest()


# ---- the counter outside the database ----

def counter_path(engine: Engine) -> Path | None:
    """`kraft.db.counter` beside the database file; None for a database in memory."""
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    return Path(database + COUNTER_SUFFIX)


def outside_counter(engine: Engine) -> int:
    """The counter the file beside the database holds (0 when there is none or it does not read)."""
    path = counter_path(engine)
    return 0 if path is None else read_counter(path)


def read_counter(path: Path) -> int:
    """The counter in the file at `path` (0 when there is none or it does not read)."""
    try:
        data = path.read_bytes()
    except OSError:
        return 0
    return _COUNTER.unpack(data)[0] if len(data) == _COUNTER.size else 0


def set_outside_counter(path: Path, counter: int, *, durable: bool = True) -> None:
    """Write the counter file (0600, atomically; fsync'd unless not `durable`); raises OSError."""
    write_atomic(path, _COUNTER.pack(counter), durable=durable)


def publish(engine: Engine, counter: int) -> None:
    """After the commit: raise the file's counter to `counter` (never lower it).

    A file that cannot be written (disk full, read-only) does not undo a saved write: the file stays behind
    the database, which is not reported, and the next write tries again.
    """
    path = counter_path(engine)
    if path is None or counter <= outside_counter(engine):
        return
    with contextlib.suppress(OSError):  # not fsync'd: a power cut may leave it behind, never ahead
        set_outside_counter(path, counter, durable=False)


# ---- the manifest rows ----

class _Hash:
    """Keyed BLAKE2b for the tags and the items, set up once per key: copying a keyed state is about twice as
    fast as keying afresh, and unlock hashes every record twice."""

    def __init__(self, key: bytes) -> None:
        own = hmac.new(key, _INFO + b"|blake2b", hashlib.sha256).digest()  # not the HMAC's key itself
        self._tag = hashlib.blake2b(key=own, digest_size=16, person=b"kraft|tag")
        self._item = hashlib.blake2b(key=own, digest_size=32, person=b"kraft|item")

    def tag(self, record_id: str) -> bytes:
        """A record id as the manifest keeps it: a group removed while locked leaves its entry behind until
        the next unlock, and that entry must not name the group (no id on disk after removal)."""
        h = self._tag.copy()
        h.update(record_id.encode())
        return h.digest()

    def item(self, tagged: bytes, kind: str, version: int) -> int:
        """One (record, kind, version) as a number to XOR in: tag and version have fixed lengths."""
        h = self._item.copy()
        h.update(tagged + kind.encode() + version.to_bytes(8, "big"))  # one update: the same digest
        return int.from_bytes(h.digest(), "big")

    def acc(self, rows: Iterable[tuple[str, str, int]]) -> int:
        """The XOR of `item(tag(id), kind, version)` over (id, kind, version) rows: the same number, with the
        two hashes inlined, as unlock runs it over every record (10,000: ~13 ms here, ~15 ms through `item`)."""
        acc, tag, item, number = 0, self._tag.copy, self._item.copy, int.from_bytes
        for record_id, kind, version in rows:
            t = tag()
            t.update(record_id.encode())
            h = item()
            h.update(t.digest() + kind.encode() + version.to_bytes(8, "big"))
            acc ^= number(h.digest(), "big")
        return acc


def _acc(value: int) -> bytes:
    return value.to_bytes(32, "big")


def stored(conn: SqlConnection) -> tuple[int, bytes, bytes] | None:
    """(counter, acc, mac) as stored, or None when there is no manifest."""
    row = conn.exec_driver_sql("SELECT counter, acc, mac FROM manifest WHERE id = 1").first()
    return None if row is None else (int(row[0]), bytes(row[1]), bytes(row[2]))


def _records_acc(conn: SqlConnection, hasher: _Hash, rows: Iterable[tuple[str, str, int]] | None = None) -> int:
    return hasher.acc(conn.exec_driver_sql("SELECT id, kind, version FROM record").fetchall() if rows is None else rows)


def _sync(conn: Connection, hasher: _Hash, acc: int, changed: list[str]) -> int:
    """Make the entries of the `changed` ids say what `record` holds now; returns the updated acc."""
    for record_id in changed:
        tagged = hasher.tag(record_id)
        old = conn.exec_driver_sql("SELECT kind, version FROM manifest_entry WHERE tag = ?", (tagged,)).first()
        if old is not None:
            acc ^= hasher.item(tagged, old[0], old[1])
            conn.exec_driver_sql("DELETE FROM manifest_entry WHERE tag = ?", (tagged,))
        new = conn.exec_driver_sql("SELECT kind, version FROM record WHERE id = ?", (record_id,)).first()
        if new is not None:
            acc ^= hasher.item(tagged, new[0], new[1])
            conn.exec_driver_sql("INSERT INTO manifest_entry (tag, kind, version) VALUES (?, ?, ?)",
                                 (tagged, new[0], new[1]))
    return acc


def _rebuild(conn: Connection, hasher: _Hash) -> int:
    conn.exec_driver_sql("DELETE FROM manifest_entry")
    rows = conn.exec_driver_sql("SELECT id, kind, version FROM record").fetchall()
    if rows:
        conn.exec_driver_sql("INSERT INTO manifest_entry (tag, kind, version) VALUES (?, ?, ?)",
                             [(hasher.tag(r[0]), r[1], r[2]) for r in rows])
    return _records_acc(conn, hasher)


def write(conn: Connection, key: bytes, changed: Iterable[str] | None = None) -> int:
    """Record the `changed` records (None: every record, afresh) as they now stand in this transaction;
    returns the new counter, to `publish` after the commit.

    The counter goes past both the stored one and the file's, so a write after an older database was
    reported makes the two agree again. The stored acc is trusted: it was checked at unlock.
    """
    before = stored(conn)
    counter = max(before[0] if before else 0, outside_counter(conn.engine)) + 1
    hasher = _Hash(key)
    if changed is None or before is None:
        acc = _rebuild(conn, hasher)
    else:
        acc = _sync(conn, hasher, int.from_bytes(before[1], "big"), list(changed))
    conn.exec_driver_sql(
        "INSERT INTO manifest (id, counter, acc, mac) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE"
        " SET counter = excluded.counter, acc = excluded.acc, mac = excluded.mac",
        (counter, _acc(acc), _mac(key, counter, _acc(acc))))
    return counter


# ---- checking at unlock ----

def never_made(conn: SqlConnection, outside: int) -> bool:
    """Whether this vault never had a manifest (made before format 2): none stored, no record of format 2, no
    counter `outside` the database. Otherwise a missing manifest is reported, not made afresh over what may be
    a rollback."""
    if stored(conn) is not None:
        return False
    newer = conn.exec_driver_sql("SELECT 1 FROM record WHERE fmt >= 2 LIMIT 1").first()
    return newer is None and outside == 0


@dataclass(frozen=True)
class IntegrityReport:
    """What unlock found against the manifest. Nothing is changed because of it: it is told, not acted on."""

    older: list[str] = field(default_factory=list)  # records at a lower version than the manifest says
    missing: list[str] = field(default_factory=list)  # in the manifest, not in the database (tags, in hex)
    extra: list[str] = field(default_factory=list)  # in the database, not in the manifest
    manifest_invalid: bool = False  # the manifest does not verify, or is gone while it should be there
    older_database: bool = False  # the manifest's counter is below the one kept outside the database

    @property
    def ok(self) -> bool:
        return not (self.older or self.missing or self.extra or self.manifest_invalid or self.older_database)


def check(conn: SqlConnection, key: bytes, outside: int,
          records: Iterable[tuple[str, str, int]] | None = None) -> tuple[IntegrityReport, bool]:
    """Compare the database with its manifest (`outside`: the counter file's; `records`: every record's (id,
    kind, version) as already read, else read here); returns the report and whether the manifest should be
    written now (only records of groups removed while locked are gone).

    The quick path: the records' own acc equals the stored one under a valid MAC. Otherwise the entries say
    what differs. A per-group record gone with its group while the vault was locked (no key to update the
    manifest) is not reported: the group itself is gone too, which the member sees. Entries and drafts are
    never explained away.
    """
    found = stored(conn)
    if found is None:
        return IntegrityReport(manifest_invalid=True), False
    counter, acc, mac = found
    older_database = counter < outside
    if not hmac.compare_digest(mac, _mac(key, counter, acc)):
        return IntegrityReport(manifest_invalid=True, older_database=older_database), False
    hasher = _Hash(key)
    if _acc(_records_acc(conn, hasher, records)) == acc:
        return IntegrityReport(older_database=older_database), False
    entries = conn.exec_driver_sql("SELECT tag, kind, version FROM manifest_entry").fetchall()
    expected = {bytes(e[0]): (e[1], e[2]) for e in entries}
    entries_acc = 0
    for tagged, (kind, version) in expected.items():
        entries_acc ^= hasher.item(tagged, kind, version)
    if _acc(entries_acc) != acc:
        return IntegrityReport(manifest_invalid=True, older_database=older_database), False
    return _differences(conn, hasher, expected, older_database)


def _differences(conn: SqlConnection, hasher: _Hash, expected: dict[bytes, tuple[str, int]],
                 older_database: bool) -> tuple[IntegrityReport, bool]:
    rows = conn.exec_driver_sql("SELECT id, version FROM record").fetchall()
    actual = {hasher.tag(r[0]): (r[0], r[1]) for r in rows}
    per_group = {k.name: k.suffix for k in records.KINDS.values() if k.suffix is not None}
    groups = [r[0] for r in conn.exec_driver_sql("SELECT id FROM meeting_group")]
    of_groups = {hasher.tag(g + suffix) for g in groups for suffix in per_group.values()}
    missing = [t for t in expected if t not in actual]
    unexplained = [t for t in missing if expected[t][0] not in per_group or t in of_groups]
    report = IntegrityReport(
        older=sorted(i for t, (i, v) in actual.items() if t in expected and v < expected[t][1]),
        missing=sorted(t.hex() for t in unexplained),
        extra=sorted(i for t, (i, _v) in actual.items() if t not in expected), older_database=older_database)
    return report, report.ok and len(missing) > len(unexplained)
