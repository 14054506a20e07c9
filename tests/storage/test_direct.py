"""app.storage.direct: the database through sqlite3 alone, for a command that only reads (ADR 0018)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.services.journal import Journal
from app.services.vault_service import VaultService
from app.storage import direct
from app.storage.stores import preferences


def _sql(path: Path, statement: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute(statement)
    finally:
        conn.close()


@pytest.fixture
def database(service: VaultService, journal: Journal, home: Path) -> Path:
    journal.add("one entry")
    service.close()
    return home / "kraft.db"


def test_a_failed_write_leaves_nothing(database: Path) -> None:
    conn = direct.open_direct(database)
    assert conn is not None
    try:
        with conn.begin() as tx:
            preferences.set_preference(conn=tx, name="theme", value="dark")
        with pytest.raises(RuntimeError), conn.begin() as tx:
            preferences.set_preference(conn=tx, name="theme", value="light")
            raise RuntimeError("the block failed")
        assert preferences.get_preference(conn=conn, name="theme") == "dark"
        with conn.begin() as tx:  # no transaction left open by the failed one
            preferences.set_preference(conn=tx, name="theme", value="light")
        assert preferences.get_preference(conn=conn, name="theme") == "light"
    finally:
        conn.close()


def test_a_vault_of_another_format_is_left_to_the_vault(database: Path) -> None:
    _sql(database, "UPDATE vault_header SET format_version = 3")
    assert direct.open_direct(database) is None


def test_the_migrations_the_engine_ran_are_the_ones_direct_expects(database: Path) -> None:
    conn = direct.open_direct(database)
    assert conn is not None
    try:
        names = [r[0] for r in conn.exec_driver_sql("SELECT name FROM schema_migration ORDER BY name")]
    finally:
        conn.close()
    assert names == list(direct.MIGRATION_NAMES)  # what the engine's migrations wrote, read back here
