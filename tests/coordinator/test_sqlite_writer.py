"""The relay's SQLite engine lets one writer in at a time through a lock of its own (not SQLite's sleeping
busy handler): concurrent writers all succeed, and the lock is given back however a transaction ends."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from coordinator.db import make_engine
from coordinator.models import Token


def _write_in_thread(engine, name: str) -> threading.Thread:
    """Insert one token in another thread; the caller checks it finished (a held lock would block it)."""

    def run() -> None:
        with Session(engine) as session:
            session.add(Token(hash=name, kind="coordinator"))
            session.commit()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def _count(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(Token)).one()


def test_many_threads_writing_at_once_all_land(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'relay.db'}")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(40):
                with Session(engine) as session:
                    session.add(Token(hash=f"{n}-{i}", kind="coordinator"))
                    session.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(t.is_alive() for t in threads) and errors == []
    assert _count(engine) == 12 * 40


@pytest.mark.parametrize("ending", ["rollback", "close without commit", "failed insert", "connection lost"])
def test_the_writer_lock_is_given_back_however_a_transaction_ends(tmp_path: Path, ending: str) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'relay.db'}")
    with Session(engine) as session:
        session.add(Token(hash="taken", kind="coordinator"))
        session.commit()

    session = Session(engine)
    if ending == "failed insert":
        session.add(Token(hash="taken", kind="coordinator"))
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
    else:
        session.add(Token(hash="half-done", kind="coordinator"))
        session.flush()  # the INSERT ran: this connection holds the write lock now
        if ending == "rollback":
            session.rollback()
        elif ending == "connection lost":  # e.g. the pool drops a broken connection: it is closed mid-write
            session.connection().invalidate()
        session.close()

    session.close()
    # the pool hands its last connection out first: keep that one busy, so the next writer gets another
    with engine.connect() as held:
        held.exec_driver_sql("SELECT 1")
        other = _write_in_thread(engine, "next")
        other.join(10)
        assert not other.is_alive(), f"a writer still waits after {ending}"
    assert _count(engine) == 2  # "taken" and "next"; nothing half-done


def test_a_writer_waits_for_the_one_before_it(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'relay.db'}")
    first = Session(engine)
    first.add(Token(hash="first", kind="coordinator"))
    first.flush()
    other = _write_in_thread(engine, "second")
    other.join(0.5)
    assert other.is_alive()  # waiting on the lock, not failing with "database is locked"
    first.commit()
    other.join(10)
    assert not other.is_alive()
    first.close()
    assert _count(engine) == 2
