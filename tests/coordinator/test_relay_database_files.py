"""The relay's SQLite files (issue 16 point 8): readable by the relay's user alone, as the member's database
is, and holding the relay's tables and nothing of the app's, also when the app's models share the process."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import app.storage.models  # the app's tables loaded beside the relay's, as in `kraft coordinator serve`
from coordinator.db import make_engine
from coordinator.models import RELAY_METADATA
from tests.relay_process import start_relay


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The umask of a careless service unit: files readable by everyone unless the relay says otherwise."""
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_relay_database_and_its_wal_and_shm_are_the_relay_users_alone(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "relay.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:  # a write, so the -wal and -shm files exist
            conn.execute(text("INSERT INTO token (hash, kind, name, region, label, uses_left) "
                              "VALUES ('h', 'k', '', '', '', 1)"))
        files = {p.name: _mode(p) for p in tmp_path.iterdir()}
    finally:
        engine.dispose()
    assert files == {"relay.db": 0o600, "relay.db-wal": 0o600, "relay.db-shm": 0o600}


def test_a_relay_database_made_readable_by_an_older_relay_is_closed_at_the_next_start(tmp_path: Path,
                                                                                      open_umask: None) -> None:
    path = tmp_path / "relay.db"
    make_engine(f"sqlite:///{path}").dispose()
    for leftover in tmp_path.iterdir():
        leftover.chmod(0o644)
    make_engine(f"sqlite:///{path}").dispose()
    assert {p.name: _mode(p) for p in tmp_path.iterdir()} == {p.name: 0o600 for p in tmp_path.iterdir()}


def test_a_fresh_relay_database_holds_the_relays_tables_alone(tmp_path: Path) -> None:
    # The app's tables are Core tables in a metadata of their own (docs/adr/0013-search-folding.md), so none
    # of them can reach SQLModel.metadata and from there the relay's database.
    app_tables = set(app.storage.models.METADATA.tables)
    assert app_tables and not app_tables & set(SQLModel.metadata.tables)
    engine = make_engine(f"sqlite:///{tmp_path / 'relay.db'}")
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
    finally:
        engine.dispose()
    assert tables == {*RELAY_METADATA.tables, "alembic_version"}


def test_a_relay_process_makes_its_files_private_and_only_its_tables(tmp_path: Path, open_umask: None) -> None:
    """`kraft coordinator serve`, the app's package loaded beside the relay, under a umask of 022."""
    relay = start_relay(tmp_path / "relay")
    try:
        relay.enrolment_token()  # a token written into the relay's database, then asked of the relay itself
        assert httpx.get(f"{relay.url}/v1/coordinator/groups", headers={"Authorization": "Bearer nothing"},
                         timeout=10).status_code == 401
        with closing(sqlite3.connect(relay.database_path)) as conn:
            tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        files = {p.name: _mode(p) for p in relay.database_path.parent.iterdir() if p.name.startswith("relay.db")}
    finally:
        relay.stop()
    assert tables == {*RELAY_METADATA.tables, "alembic_version"}
    assert files == {"relay.db": 0o600, "relay.db-wal": 0o600, "relay.db-shm": 0o600}
