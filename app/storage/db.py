"""The SQLite engine (WAL, full sync, secure delete) and the named schema migrations.

Each migration is a function recorded by name in `schema_migration`, run once, in its own transaction, so an
interrupted upgrade leaves the previous version intact. Migrations are plain SQL, not `create_all`, so the
schema of a released format never changes behind our back when a model class is edited.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.exc import DatabaseError as SADatabaseError
from sqlalchemy.exc import DBAPIError as SADBAPIError

from app.errors import KraftError, Msg
from app.storage import wal
from app.storage.direct import MIGRATION_NAMES, storage_error

Migration = Callable[[Connection], None]

NEARLY_FULL = 1024 * 1024  # bytes: below this, a database that will not open is most likely out of room


def _m0001_initial(conn: Connection) -> None:
    conn.exec_driver_sql(
        "CREATE TABLE vault_header (id INTEGER PRIMARY KEY, format_version INTEGER NOT NULL,"
        " vault_id VARCHAR NOT NULL)")
    conn.exec_driver_sql(
        "CREATE TABLE key_slot (kind VARCHAR PRIMARY KEY, kdf VARCHAR NOT NULL, kdf_params VARCHAR NOT NULL,"
        " salt BLOB NOT NULL, nonce BLOB NOT NULL, wrapped_key BLOB NOT NULL)")
    conn.exec_driver_sql(
        "CREATE TABLE record (id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, fmt INTEGER NOT NULL,"
        " nonce BLOB NOT NULL, ciphertext BLOB NOT NULL)")
    conn.exec_driver_sql("CREATE INDEX ix_record_kind ON record (kind)")
    conn.exec_driver_sql("CREATE TABLE preference (name VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")


def _m0002_groups(conn: Connection) -> None:
    # Plaintext by design (docs/adr/0001-vault-format.md): the next-meeting screen works locked and without
    # any vault, so a group's meeting times and the member's own neutral label live here; theme, place and
    # link are encrypted records of kind "group" under the same id when a vault exists.
    conn.exec_driver_sql(
        "CREATE TABLE meeting_group (id VARCHAR PRIMARY KEY, label VARCHAR NOT NULL, schedule VARCHAR NOT NULL)")


def _m0003_checkins(conn: Connection) -> None:
    # Only for a member without a vault (nothing to seal with); with a vault, check-ins are sealed records.
    conn.exec_driver_sql(
        "CREATE TABLE checkin (group_id VARCHAR NOT NULL, meeting_id VARCHAR NOT NULL, status VARCHAR NOT NULL,"
        " day VARCHAR NOT NULL, PRIMARY KEY (group_id, meeting_id))")


def _m0004_links(conn: Connection) -> None:
    # A group joined or led through the relay (ADR 0004). Plaintext: the relay address, the mailbox id, the
    # leader's public key, where reading stopped, and the schedule keys (they open schedule changes only,
    # which the next-meeting screen shows locked anyway). The group key and everything that reads or signs
    # content is a sealed record; `secrets` holds it only for a member who has no vault (moved in later).
    conn.exec_driver_sql(
        "CREATE TABLE group_link (group_id VARCHAR PRIMARY KEY REFERENCES meeting_group (id) ON DELETE CASCADE,"
        " role VARCHAR NOT NULL, relay VARCHAR NOT NULL, mailbox VARCHAR NOT NULL, leader_key VARCHAR NOT NULL,"
        " epoch INTEGER NOT NULL, schedule_keys VARCHAR NOT NULL, schedule_secret VARCHAR NOT NULL,"
        " last_seq INTEGER NOT NULL, after INTEGER NOT NULL, pending VARCHAR NOT NULL, secrets VARCHAR)")
    # Requests waiting for the relay: only signed ciphertext and public ids, never anything readable.
    conn.exec_driver_sql(
        "CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, group_id VARCHAR NOT NULL, relay VARCHAR NOT NULL,"
        " method VARCHAR NOT NULL, path VARCHAR NOT NULL, body VARCHAR NOT NULL, token VARCHAR NOT NULL,"
        " attempts INTEGER NOT NULL, next_try VARCHAR NOT NULL, error VARCHAR NOT NULL)")


def _m0005_checkin_start(conn: Connection) -> None:
    # "I can't come" is said about a meeting at a time: the start it was said for (UTC, the meeting id's form),
    # so a moved meeting asks again instead of carrying the answer over (issue 15). Rows written before knew
    # no start; the meeting's original start (its id) is the one they can have meant, so a meeting that had
    # already moved asks once more.
    conn.exec_driver_sql("ALTER TABLE checkin ADD COLUMN start VARCHAR NOT NULL DEFAULT ''")
    conn.exec_driver_sql("UPDATE checkin SET start = meeting_id")


def _m0006_links_v2(conn: Connection) -> None:
    # Protocol version 2 (docs/adr/0006-group-protocol-v2.md): a link says which version its group speaks;
    # `state` is the membership log's state as JSON (member ids, public keys, roles, policy: no names, which
    # are content) so a locked app can check that a schedule change comes from a host; `seqs` is the last
    # sequence number accepted per author and the ones still missing, so a replay or a gap shows.
    conn.exec_driver_sql("ALTER TABLE group_link ADD COLUMN version INTEGER NOT NULL DEFAULT 1")
    conn.exec_driver_sql("ALTER TABLE group_link ADD COLUMN state VARCHAR NOT NULL DEFAULT ''")
    conn.exec_driver_sql("ALTER TABLE group_link ADD COLUMN seqs VARCHAR NOT NULL DEFAULT '{}'")


def _m0007_links_restored(conn: Connection) -> None:
    # Set on every relay link by a restore (docs/adr/0006-group-protocol-v2.md, "Restore"): the backup's
    # sequence numbers may be behind what this member already sent, so the next sync reads the mailbox before
    # it sends anything of the group, and seals again what was sealed meanwhile.
    conn.exec_driver_sql("ALTER TABLE group_link ADD COLUMN restored INTEGER NOT NULL DEFAULT 0")


def _m0008_outbox_sealed(conn: Connection) -> None:
    # Issue 16 (docs/adr/0005-anonymous-attendance.md, "Locked"): with a journal, a waiting request's method,
    # path, body and token are sealed under the data key in `sealed` (the other columns then empty), so a
    # locked phone shows no meeting a member checked in to. The table is rebuilt without AUTOINCREMENT: its
    # sqlite_sequence row counted every request ever queued. A plain INTEGER PRIMARY KEY still gives a new
    # row the highest id plus one, so "oldest first" keeps its order.
    conn.exec_driver_sql(
        "CREATE TABLE outbox_new (id INTEGER PRIMARY KEY, group_id VARCHAR NOT NULL, relay VARCHAR NOT NULL,"
        " method VARCHAR NOT NULL, path VARCHAR NOT NULL, body VARCHAR NOT NULL, token VARCHAR NOT NULL,"
        " attempts INTEGER NOT NULL, next_try VARCHAR NOT NULL, error VARCHAR NOT NULL, sealed BLOB)")
    conn.exec_driver_sql(
        "INSERT INTO outbox_new (id, group_id, relay, method, path, body, token, attempts, next_try, error)"
        " SELECT id, group_id, relay, method, path, body, token, attempts, next_try, error FROM outbox")
    conn.exec_driver_sql("DROP TABLE outbox")
    conn.exec_driver_sql("ALTER TABLE outbox_new RENAME TO outbox")
    if conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").first():
        conn.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name IN ('outbox', 'outbox_new')")


def _m0009_record_versions(conn: Connection) -> None:
    # Rollback and deletion are noticed (docs/adr/0011-rollback.md): each record's version, which record
    # format 2 binds in its associated data (0 for format 1, which has none), and the manifest that lists every
    # record at its version under a MAC (app.storage.manifest). Format-1 records are sealed again as format 2
    # at the first unlock (the key is needed), in the same transaction as the first manifest.
    conn.exec_driver_sql("ALTER TABLE record ADD COLUMN version INTEGER NOT NULL DEFAULT 0")
    conn.exec_driver_sql(
        "CREATE TABLE manifest_entry (tag BLOB PRIMARY KEY, kind VARCHAR NOT NULL, version INTEGER NOT NULL)"
        " WITHOUT ROWID")
    conn.exec_driver_sql("CREATE TABLE manifest (id INTEGER PRIMARY KEY, counter INTEGER NOT NULL, acc BLOB NOT NULL,"
                         " mac BLOB NOT NULL)")
    # Unlock reads every record's id, kind and version: from this index, not through each ciphertext's pages.
    conn.exec_driver_sql("CREATE INDEX ix_record_version ON record (id, kind, version)")


# each step under its name in direct.MIGRATION_NAMES (which reads the schema without SQLAlchemy): a name
# missing there, or a step missing here, fails this import
MIGRATIONS: list[tuple[str, Migration]] = list(zip(MIGRATION_NAMES, (
    _m0001_initial, _m0002_groups, _m0003_checkins, _m0004_links, _m0005_checkin_start, _m0006_links_v2,
    _m0007_links_restored, _m0008_outbox_sealed, _m0009_record_versions), strict=True))


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    # pysqlite would commit DDL on its own and start transactions late; hand transactions to SQLAlchemy
    # (its documented recipe) so a migration's CREATE TABLE and its record land together or not at all.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")  # every commit is on disk before we say "saved"
    cur.execute("PRAGMA secure_delete=ON")  # deleted ciphertext is overwritten, not left in free pages
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    cur.close()


def make_engine(path: Path | str) -> Engine:
    """An engine for the vault database at `path` (":memory:" for a throwaway one)."""
    url = "sqlite://" if str(path) == ":memory:" else f"sqlite:///{path}"
    engine = create_engine(url, connect_args={"check_same_thread": False})
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _begin)
    return engine


WRITES = "kraft_writes"  # the execution option that marks a transaction begun to write


def _begin(conn: Connection) -> None:
    """A transaction begun to write takes SQLite's write lock at once (BEGIN IMMEDIATE), so a second writer waits
    out busy_timeout for it. Begun DEFERRED, a read-then-write transaction whose snapshot another connection
    committed past is refused at once (SQLITE_BUSY in WAL mode, no wait): two writers in one app (delivery in
    the background, a tap) failed as "busy". Reads stay DEFERRED, so they never wait for a writer."""
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(WRITES) else "BEGIN")


def writing(engine: Engine) -> Engine:
    """`engine` whose `begin()` takes the write lock at once: every transaction that writes starts here."""
    return engine.execution_options(**{WRITES: True})


def applied_migrations(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS schema_migration (name VARCHAR PRIMARY KEY)")
        conn.commit()
        return [row[0] for row in conn.exec_driver_sql("SELECT name FROM schema_migration")]


def migrate(engine: Engine, migrations: list[tuple[str, Migration]] | None = None) -> list[str]:
    """Run the migrations that have not run yet, each in its own transaction; returns their names."""
    done = set(applied_migrations(engine))
    ran = []
    for name, step in migrations if migrations is not None else MIGRATIONS:
        if name in done:
            continue
        with writing(engine).begin() as conn:
            step(conn)
            conn.execute(text("INSERT INTO schema_migration (name) VALUES (:n)"), {"n": name})
        ran.append(name)
    return ran


def checkpoint(engine: Engine) -> None:
    """Fold the WAL back into the database file and truncate it (on lock and close).

    A failure is a KraftError like any other database error (the raw connection's errors are sqlite3's own,
    which `translated` does not see): on a nearly full disk the commit before it may well have succeeded.
    """
    try:
        raw = engine.raw_connection()  # outside any transaction: a checkpoint inside one cannot finish
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
        finally:
            raw.close()
    except sqlite3.Error as exc:
        raise storage_error(exc) from exc
    except SADBAPIError as exc:
        raise storage_error(exc) from exc


@contextmanager
def translated() -> Iterator[None]:
    """Turn database errors raised inside into KraftErrors (KraftErrors pass through as they are)."""
    try:
        yield
    except SADBAPIError as exc:
        raise storage_error(exc) from exc


@contextmanager
def begin(engine: Engine) -> Iterator[Connection]:
    """`engine.begin()` whose failures (disk full, busy, I/O) are KraftErrors; the transaction rolls back."""
    with translated(), writing(engine).begin() as conn:
        yield conn


def holds_member_data(path: Path) -> bool:
    """Whether the database at `path` holds anything of the member's: a vault, a record or a group. A file that
    cannot be read counts as holding data (it may be a journal worth saving); device preferences do not."""
    if not path.exists() or path.stat().st_size == 0:
        return False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            return any(conn.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone()  # noqa: S608 (fixed names)
                       for table in ("vault_header", "record", "meeting_group") if table in tables)
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return True


def _nearly_full(folder: Path) -> bool:
    """Whether the filesystem holding `folder` has less room than opening a journal needs (its -shm file)."""
    try:
        return shutil.disk_usage(folder).free < NEARLY_FULL
    except OSError:
        return False


def empty_database() -> Engine:
    """A migrated database in memory: what a command that only reads sees where no database exists yet."""
    engine = make_engine(":memory:")
    migrate(engine)
    return engine


def open_database(path: Path) -> Engine:
    """Open (creating if needed) and upgrade the database; an unreadable file is a clear error."""
    new = not path.exists()
    problem = wal.damage(Path(f"{path}-wal"))
    if problem is not None:  # SQLite would drop the changes after the damage without a word: stop here
        raise KraftError(Msg.WAL_DAMAGED, detail=problem)
    engine = make_engine(path)
    try:
        migrate(engine)
    except SADatabaseError as exc:
        engine.dispose()
        if _nearly_full(path.parent):  # SQLite says "disk I/O error" when it cannot even make its -shm file
            raise KraftError(Msg.DISK_FULL_OPEN) from exc
        raise KraftError(Msg.DATABASE_UNREADABLE, detail=str(exc.orig)) from exc
    if new:
        os.chmod(path, 0o600)
    return engine
