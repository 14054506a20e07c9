"""The manifest: which sealed records the vault holds, at which version, under a MAC (docs/adr/0011-rollback.md).

Each record's version sits in its associated data (app.storage.vault, record format 2), so an old ciphertext
cannot be relabelled as new; the manifest says which version is the current one, so an old ciphertext written
back with its old version shows, and so does a record deleted or put back behind the app's back. A counter
in the manifest goes up with every write, and is also kept outside the database, in `kraft.db.counter` beside
`kraft.db`: an older copy of the whole database has a lower counter than the file.

    manifest_entry (id, kind, version)  one row per record, as the last write left it (WITHOUT ROWID)
    manifest       (id=1, counter, mac)
        mac  HMAC-SHA256(HKDF-SHA256(data key, info "kraft|manifest|1"),
                         "kraft|manifest|1|" + counter (8 bytes) + msgpack [[id, kind, version], ...] sorted by id)

Every write of records calls `write(conn, key, changed)` in its own transaction, and `publish(engine, counter)`
once it has committed (Vault.transaction does both). Only the changed ids' rows are written (two pages more per
commit, whatever the journal's size); the MAC reads every row (a few ms at 10,000). A re-key that seals every
record again calls `write(conn, mac_key(new data key))` with `changed=None` (every row). A crash between the
commit and `publish` leaves the file behind the database, which is never reported; the file only ever goes up.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import struct
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import msgpack
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Connection, Engine

from app.fileio import write_atomic
from app.storage import records

COUNTER_SUFFIX = ".counter"
_INFO = b"kraft|manifest|1"
_COUNTER = struct.Struct(">Q")


def mac_key(data_key: bytes) -> bytes:
    """The manifest's MAC key, derived from the data key: it opens nothing, it only vouches for the list."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(data_key)


def _mac(key: bytes, counter: int, entries: bytes) -> bytes:
    return hmac.new(key, _INFO + b"|" + _COUNTER.pack(counter) + entries, hashlib.sha256).digest()


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
    if path is None:
        return 0
    try:
        data = path.read_bytes()
    except OSError:
        return 0
    return _COUNTER.unpack(data)[0] if len(data) == _COUNTER.size else 0


def set_outside_counter(path: Path, counter: int) -> None:
    """Write the counter file (0600, atomically); raises OSError."""
    write_atomic(path, _COUNTER.pack(counter))


def publish(engine: Engine, counter: int) -> None:
    """After the commit: raise the file's counter to `counter` (never lower it).

    A file that cannot be written (disk full, read-only) does not undo a saved write: the file stays behind
    the database, which is not reported, and the next write tries again.
    """
    path = counter_path(engine)
    if path is None or counter <= outside_counter(engine):
        return
    with contextlib.suppress(OSError):
        set_outside_counter(path, counter)


# ---- the manifest rows ----

def tag(key: bytes, record_id: str) -> bytes:
    """A record id as the manifest keeps it: keyed BLAKE2b, 16 bytes. A group removed while locked leaves its
    entry behind until the next unlock, and that entry must not name the group (no id on disk after removal)."""
    return hashlib.blake2b(record_id.encode(), key=key, digest_size=16, person=b"kraft|manifest").digest()


def _entries(conn: Connection) -> list[tuple[bytes, str, int]]:
    cursor = conn.exec_driver_sql("SELECT tag, kind, version FROM manifest_entry ORDER BY tag")
    return [(bytes(r[0]), r[1], r[2]) for r in cursor.fetchall()]


def _entries_mac(key: bytes, counter: int, entries: list[tuple[bytes, str, int]]) -> bytes:
    return _mac(key, counter, msgpack.packb([list(e) for e in entries]))


def stored(conn: Connection) -> tuple[int, bytes] | None:
    """(counter, mac) as stored, or None when there is no manifest."""
    row = conn.exec_driver_sql("SELECT counter, mac FROM manifest WHERE id = 1").first()
    return None if row is None else (int(row[0]), bytes(row[1]))


def _sync(conn: Connection, key: bytes, changed: Iterable[str] | None) -> None:
    """Make the entries say what `record` holds now: for the `changed` ids, or for every record (None)."""
    if changed is None:
        conn.exec_driver_sql("DELETE FROM manifest_entry")
        rows = conn.exec_driver_sql("SELECT id, kind, version FROM record").fetchall()
    else:
        for record_id in changed:
            conn.exec_driver_sql("DELETE FROM manifest_entry WHERE tag = ?", (tag(key, record_id),))
        ids = list(changed)
        marks = ", ".join("?" * len(ids))
        rows = conn.exec_driver_sql(f"SELECT id, kind, version FROM record WHERE id IN ({marks})",  # noqa: S608
                                    tuple(ids)).fetchall() if ids else []
    if rows:
        conn.exec_driver_sql("INSERT INTO manifest_entry (tag, kind, version) VALUES (?, ?, ?)",
                             [(tag(key, r[0]), r[1], r[2]) for r in rows])


def write(conn: Connection, key: bytes, changed: Iterable[str] | None = None) -> int:
    """Record the `changed` records (None: all) as they now stand in this transaction, and MAC the whole list;
    returns the new counter, to `publish` after the commit.

    The counter goes past both the stored one and the file's, so a write after an older database was
    reported makes the two agree again.
    """
    before = stored(conn)
    counter = max(before[0] if before else 0, outside_counter(conn.engine)) + 1
    _sync(conn, key, None if changed is None else list(changed))
    conn.exec_driver_sql(
        "INSERT INTO manifest (id, counter, mac) VALUES (1, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET counter = excluded.counter, mac = excluded.mac",
        (counter, _entries_mac(key, counter, _entries(conn))))
    return counter


# ---- checking at unlock ----

def never_made(conn: Connection) -> bool:
    """Whether this vault never had a manifest (made before format 2): no record of format 2, no counter
    outside. Otherwise a missing manifest is reported, not made afresh over what may be a rollback."""
    newer = conn.exec_driver_sql("SELECT 1 FROM record WHERE fmt >= 2 LIMIT 1").first()
    return newer is None and outside_counter(conn.engine) == 0


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


def check(conn: Connection, key: bytes) -> tuple[IntegrityReport, bool]:
    """Compare the database with its manifest; returns the report and whether the manifest should be written
    now (only records of groups removed while locked are gone).

    A per-group record gone with its group while the vault was locked (no key to update the manifest) is not
    reported: the group itself is gone too, which the member sees. Entries and drafts are never explained away.
    """
    found = stored(conn)
    outside = outside_counter(conn.engine)
    if found is None:
        return IntegrityReport(manifest_invalid=True), False
    counter, mac = found
    entries = _entries(conn)
    if not hmac.compare_digest(mac, _entries_mac(key, counter, entries)):
        return IntegrityReport(manifest_invalid=True, older_database=counter < outside), False
    expected = {e[0]: (e[1], e[2]) for e in entries}
    per_group = {k.name: k.suffix for k in records.KINDS.values() if k.suffix is not None}
    actual = {tag(key, r[0]): (r[0], r[1]) for r in conn.exec_driver_sql("SELECT id, version FROM record")}
    groups = [r[0] for r in conn.exec_driver_sql("SELECT id FROM meeting_group")]
    of_groups = {tag(key, g + suffix) for g in groups for suffix in per_group.values()}
    missing = [t for t in expected if t not in actual]
    unexplained = [t for t in missing if expected[t][0] not in per_group or t in of_groups]
    report = IntegrityReport(
        older=sorted(i for t, (i, v) in actual.items() if t in expected and v < expected[t][1]),
        missing=sorted(t.hex() for t in unexplained), extra=sorted(i for t, (i, _v) in actual.items()
                                                                   if t not in expected),
        older_database=counter < outside)
    return report, report.ok and len(missing) > len(unexplained)
