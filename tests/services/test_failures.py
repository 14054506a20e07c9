"""What happens when writes fail, clocks jump, or a lock races an unlock: nothing is lost or left open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from app.domain.journal import Draft
from app.services.journal import Journal
from app.services.vault_service import VaultService
from app.storage.db import make_engine, migrate
from tests.conftest import FAST_KDF, PASSPHRASE


def _busy(*_args: object, **_kw: object) -> None:
    raise OperationalError("INSERT", {}, Exception("database is locked"))


def test_a_draft_that_cannot_be_written_is_kept_sealed_and_written_after_lock(
        journal: Journal, service: VaultService, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    journal.save_draft(Draft("new", "första versionen"))
    with monkeypatch.context() as m:
        m.setattr(service.vault, "_write_rows", _busy)
        assert journal.save_draft(Draft("new", "den senaste texten")) is False
        service.lock()  # the lock happens although the write still fails
        assert not service.is_unlocked and service.vault.deferred == 1
    assert service.vault.flush_deferred() and service.vault.deferred == 0  # the database is free again
    other = VaultService(home, kdf=FAST_KDF)
    draft = other.unlock(PASSPHRASE).get_draft("new")
    assert draft is not None and draft.text == "den senaste texten"
    other.close()


def test_lock_forgets_the_key_even_when_purging_fails(
        journal: Journal, service: VaultService, monkeypatch: pytest.MonkeyPatch) -> None:
    journal.delete(journal.add("borta").id)
    monkeypatch.setattr(journal, "purge_deleted", _busy)
    with pytest.raises(OperationalError):
        service.lock()
    assert not service.vault.is_unlocked and service.journal is None


def test_deleting_an_entry_erases_its_draft(journal: Journal, service: VaultService) -> None:
    entry = journal.add("original")
    journal.save_draft(Draft(entry.id, "en ändring jag aldrig sparade"))
    journal.delete(entry.id)
    journal.undo_delete(entry.id)
    assert journal.get_draft(entry.id) is not None  # undo brings the draft back too
    journal.delete(entry.id)
    journal.purge_deleted(older_than=timedelta(0))
    assert journal.get_draft(entry.id) is None
    with service.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM record").scalar() == 0


class SetClock:
    """The wall clock a journal reads, which the test sets (forward, or back as a person may)."""

    def __init__(self) -> None:
        self.value = datetime(2026, 12, 4, 20, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.value


def test_a_clock_set_back_does_not_keep_a_deleted_entry_alive(journal: Journal, service: VaultService) -> None:
    """Purge at unlock keeps the 10 s undo window (UNDO_WINDOW), measured on the wall clock; set back an hour
    after a delete, that clock would keep the entry for an hour more. A deletion stamped after "now" says the
    clock went back, and the entry goes at once: what the member asked for, only the undo is lost."""
    clock = SetClock()
    journal = Journal(service.vault, now=clock)  # on the vault the fixture unlocked
    journal.load()
    kept = journal.add("stannar")
    deleted = journal.add("ska bort")
    journal.delete(deleted.id)
    clock.value -= timedelta(hours=1)
    assert journal.purge_deleted() == 1
    assert [e.id for e in journal.live_entries()] == [kept.id]


def test_the_undo_window_is_measured_on_the_journals_clock(journal: Journal, service: VaultService) -> None:
    clock = SetClock()
    journal = Journal(service.vault, now=clock)  # on the vault the fixture unlocked
    journal.load()
    entry = journal.add("ångrar kanske")
    journal.delete(entry.id)
    clock.value += timedelta(seconds=5)
    assert journal.purge_deleted() == 0  # still in the undo window
    journal.undo_delete(entry.id)
    journal.delete(entry.id)
    clock.value += timedelta(seconds=11)
    assert journal.purge_deleted() == 1


def test_an_interrupted_migration_leaves_nothing_behind(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "m.db")

    def broken(conn: object) -> None:
        conn.exec_driver_sql("CREATE TABLE t1 (x INTEGER)")  # type: ignore[attr-defined]
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        migrate(engine, [("0001_t1", broken)])
    with engine.connect() as conn:
        tables = [r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))]
    assert "t1" not in tables
    assert migrate(engine, [("0001_t1", lambda conn: conn.exec_driver_sql("CREATE TABLE t1 (x INTEGER)"))]) \
        == ["0001_t1"]
