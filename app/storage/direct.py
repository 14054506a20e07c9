"""The database through the standard library's sqlite3 alone, for a command that only reads the journal
(docs/adr/0018-reading-without-sqlalchemy.md).

Importing SQLAlchemy costs a command about 180 ms here, more than the passphrase's Argon2id it runs beside;
`kraft journal search` needs none of what it offers. `Direct` gives the storage functions that read (slots,
manifest, records, preferences) the one call they use on a SQLAlchemy connection, `exec_driver_sql(sql,
params)`, with `first()`, `fetchall()`, `scalar()` on its result; `begin()` is a write transaction taken at once
(BEGIN IMMEDIATE, as `db.writing` takes one), for the unlock's count of tries. The connection has the engine's
settings (app.storage.db `_on_connect`).

`open_direct(path)` says None whenever the normal path has something to do first or to say: no file, a damaged
WAL, a schema an older or newer version left (a migration to run), a vault of another format.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from app.errors import KraftError, Msg
from app.storage import wal

# The named migrations of app.storage.db, in order: db.MIGRATIONS pairs each with its step, so a new one is
# named here or the import of db fails. A database that has run exactly these needs none.
MIGRATION_NAMES = ("0001_initial", "0002_groups", "0003_checkins", "0004_links", "0005_checkin_start",
                   "0006_links_v2", "0007_links_restored", "0008_outbox_sealed", "0009_record_versions")
VAULT_FORMAT = 2  # app.storage.vault FORMAT_VERSION (checked there)
PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA secure_delete=ON",
           "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=5000")


def storage_error(exc: BaseException) -> KraftError:
    """What a failed database operation means for the member, as a message they can act on (a sqlite3 error,
    or SQLAlchemy's wrapping of one)."""
    detail = str(getattr(exc, "orig", None) or exc)
    lowered = detail.lower()
    if "full" in lowered or "too large" in lowered:  # SQLITE_FULL (disk, quota, file-size limit)
        return KraftError(Msg.DISK_FULL)
    if "locked" in lowered or "busy" in lowered:
        return KraftError(Msg.DATABASE_BUSY)
    return KraftError(Msg.STORAGE_FAILED, detail=detail)


class SqlConnection(Protocol):
    """What the storage functions that read take: a SQLAlchemy connection, or a `Direct`."""

    def exec_driver_sql(self, statement: str, parameters: Any = ..., /) -> Any: ...


class Rows:
    """A statement's result, as much of SQLAlchemy's CursorResult as the storage functions use."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cursor)

    def first(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    def scalar(self) -> Any:
        row = self._cursor.fetchone()
        return None if row is None else row[0]


class Direct:
    """One connection to the database file; reads outside a transaction see the latest commit."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self._conn = conn
        self.path = path

    def exec_driver_sql(self, sql: str, params: Sequence[Any] = ()) -> Rows:
        try:
            return Rows(self._conn.execute(sql, params))
        except sqlite3.Error as exc:
            raise storage_error(exc) from exc

    @contextmanager
    def begin(self) -> Iterator[Direct]:
        """A write transaction, its lock taken at once; committed when the block ends, else rolled back."""
        self.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield self
            self.exec_driver_sql("COMMIT")
        except BaseException:
            if self._conn.in_transaction:  # the block failed, or the commit did (a full disk)
                self._conn.execute("ROLLBACK")
            raise

    def checkpoint(self) -> None:
        """Fold the WAL back into the file and truncate it, as closing the engine's database does."""
        self.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def close(self) -> None:
        self._conn.close()


def open_direct(path: Path) -> Direct | None:
    """The database at `path` when it is the current schema with a vault of the current format and nothing in
    its way; None otherwise (the normal path then opens it, migrates it, or says what is wrong)."""
    if not path.is_file() or wal.damage(Path(f"{path}-wal")) is not None:
        return None
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=rw", uri=True, isolation_level=None,
                               check_same_thread=False)
    except sqlite3.Error:
        return None
    try:
        for pragma in PRAGMAS:
            conn.execute(pragma)
        names = tuple(r[0] for r in conn.execute("SELECT name FROM schema_migration ORDER BY name"))
        header = conn.execute("SELECT format_version FROM vault_header").fetchall()
    except sqlite3.Error:
        conn.close()
        return None
    if names != MIGRATION_NAMES or [tuple(r) for r in header] != [(VAULT_FORMAT,)]:
        conn.close()
        return None
    return Direct(conn, path)
