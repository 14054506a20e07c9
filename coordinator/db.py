"""The relay's engine: SQLite (WAL, full sync) by default, PostgreSQL when the URL names one; its schema is
Alembic's (`coordinator/migrations/`, ADR 0006), brought to head at every start."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import threading
import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Connection, Engine, event, inspect, make_url, text
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import StaticPool
from sqlmodel import create_engine

from coordinator import models  # noqa: F401 (the tables must be known to the migrations' env.py)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
FIRST = "0001"  # the schema the relay's create_all made before Alembic (main up to issue 15)
# PostgreSQL advisory lock (with the schema's hash): two workers starting at once on one schema migrate one
# after the other, while relays on other schemas of the same database do not wait for each other
MIGRATION_LOCK = 0x6B726166
# SQLite: how long a statement waits for another connection's write lock; a starting relay waits longer for
# another start's migration (on a loaded machine a migration from nothing has held it for over 5 s), both
# when a new connection switches the file to WAL and for the migration to its commit
BUSY_TIMEOUT_MS = 5000
MIGRATION_WAIT_MS = 60000


def make_engine(url: str) -> Engine:
    """The relay's engine, its database brought to the newest schema (`migrate`)."""
    engine = connect(url)
    migrate(engine)
    return engine


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the relay, without an alembic.ini: env.py runs on `connection` when one is
    given, else on the URL in the config (`alembic -c coordinator/migrations/alembic.ini`)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine) -> None:
    """`upgrade head`. A database made before Alembic (the relay's tables, no alembic_version) is stamped
    0001 first, which is exactly what it holds; one without the relay's tables starts from nothing, whatever
    an alembic_version left behind says (a test or a bench that dropped the tables)."""
    in_memory = isinstance(engine.pool, StaticPool)
    with engine.begin() as conn:
        # one migration at a time (two processes starting on a fresh database would both create the tables)
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key, hashtext(current_schema()))"),
                         {"key": MIGRATION_LOCK})
        else:  # SQLite's write lock, held to the commit; another start's migration may hold it a while
            if not in_memory:
                conn.exec_driver_sql(f"PRAGMA busy_timeout={MIGRATION_WAIT_MS}")
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        tables = set(inspect(conn).get_table_names())
        config = alembic_config(conn)
        if "mailbox" not in tables and "alembic_version" in tables:
            conn.execute(text("DELETE FROM alembic_version"))
        elif "mailbox" in tables and MigrationContext.configure(conn).get_current_revision() is None:
            command.stamp(config, FIRST)
        command.upgrade(config, "head")
    if engine.dialect.name == "sqlite" and not in_memory:
        engine.dispose()  # the migration's connection waited long; requests get new ones with their 5 s


# The databases the relay is built and tested for (make_url's drivername); any other is refused at start.
DRIVERS = frozenset({"sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg"})


class DatabaseUrlError(ValueError):
    """A database URL the relay cannot use: not a URL, or a database it does not support. Raised before any
    connection, so the operator's command can say so in plain words instead of SQLAlchemy's traceback."""


def check_url(url: str) -> None:
    try:
        drivername = make_url(url).drivername
    except ArgumentError as exc:
        raise DatabaseUrlError(url) from exc
    if drivername not in DRIVERS:
        raise DatabaseUrlError(url)


def connect(url: str) -> Engine:
    """The engine alone, its schema as it is."""
    check_url(url)
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")  # one shared connection, or each sees its own db
        connect_args: dict[str, Any] = {"check_same_thread": False}
        if not memory:
            connect_args["factory"] = _WriterConnection
            _private_files(make_url(url).database)
        engine = create_engine(url, connect_args=connect_args,
                               **({"poolclass": StaticPool} if memory else {}))

        def on_connect(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            if memory:
                cur.execute("PRAGMA journal_mode=WAL")
            else:
                _switch_to_wal(cur)
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cur.close()

        event.listen(engine, "connect", on_connect)
        if not memory:
            _one_writer_at_a_time(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def _private_files(database: str | None) -> None:
    """The database file made (or left by an older relay) readable and writable by the relay's user alone, as
    the member's database is, whatever the umask; SQLite gives its -wal and -shm the database file's mode, and
    ones already there are closed too."""
    if not database or database.startswith("file:"):
        return
    path = Path(database)
    if path.parent.is_dir():
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        with contextlib.suppress(FileNotFoundError):
            if stat.S_IMODE(name.stat().st_mode) != 0o600:
                name.chmod(0o600)


def _switch_to_wal(cur: sqlite3.Cursor) -> None:
    """Switching a fresh file to WAL needs its exclusive lock. While another start holds the file's write
    lock SQLite answers "database is locked" at once, without its busy wait (it would be a deadlock if both
    waited), so the switch is tried again until that start is done, up to MIGRATION_WAIT_MS."""
    deadline = time.monotonic() + MIGRATION_WAIT_MS / 1000
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class _WriterConnection(sqlite3.Connection):
    """Releases the engine's writer lock once its transaction has ended (see `_one_writer_at_a_time`)."""

    writer_lock: threading.Lock | None = None

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._release()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._release()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._release()

    def _release(self) -> None:
        lock, self.writer_lock = self.writer_lock, None
        if lock is not None:
            lock.release()


def _one_writer_at_a_time(engine: Engine) -> None:
    """SQLite lets one connection write at a time; the others wait in its busy handler, which sleeps in
    steps of up to 100 ms and made the relay's p99 several hundred milliseconds under concurrent uploads.
    Here a writer waits on a lock instead, taken before a connection's first write and released when its
    transaction has ended: committed, rolled back (also when the pool takes the connection back) or closed."""
    lock = threading.Lock()

    def before_execute(_conn: Any, cursor: Any, statement: str, *_args: Any) -> None:
        dbapi = cursor.connection
        if dbapi.writer_lock is None and statement.lstrip()[:7].upper().startswith(WRITES):
            lock.acquire()
            dbapi.writer_lock = lock

    event.listen(engine, "before_cursor_execute", before_execute)
