"""The relay's engine: SQLite (WAL, full sync) by default, PostgreSQL when the URL names one."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.pool import StaticPool
from sqlmodel import SQLModel, create_engine

from coordinator import models  # noqa: F401 (the tables must be known to create_all)


def make_engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")  # one shared connection, or each sees its own db
        connect_args: dict[str, Any] = {"check_same_thread": False}
        if not memory:
            connect_args["factory"] = _WriterConnection
        engine = create_engine(url, connect_args=connect_args,
                               **({"poolclass": StaticPool} if memory else {}))

        def on_connect(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()

        event.listen(engine, "connect", on_connect)
        if not memory:
            _one_writer_at_a_time(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    SQLModel.metadata.create_all(engine)
    return engine


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
