"""The relay in-process (FastAPI's TestClient) on SQLite and on a real PostgreSQL.

PostgreSQL comes from `make postgres` (Debian's package) through KRAFT_TEST_POSTGRES_URL. When it is unset or
does not answer, the PostgreSQL cases are skipped here with the reason, but fail under CI=true: CI must run
them. `postgres_url()` is the one place that decides (tests elsewhere call it too). Its URL names a schema of
this test run's own (search_path), so two runs on one machine, CI and a colleague's `make test`, never empty
each other's tables; the schema is dropped at exit (and those of runs that were killed, at the next run).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import secrets
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from coordinator import crud
from coordinator.api.deps import get_today
from coordinator.db import make_engine
from coordinator.main import create_app
from coordinator.settings import Settings
from tests.relay_process import Relay, start_relay

TODAY = date(2026, 11, 22)


_answered: dict[str, str] = {}  # url -> "" when PostgreSQL answered, else why not (asked once per run)


def _unreachable(url: str) -> str:
    if url not in _answered:
        try:
            with psycopg.connect(_plain(url), connect_timeout=5):
                _answered[url] = ""
        except psycopg.Error as exc:
            _answered[url] = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    return _answered[url]


def _plain(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


_own: dict[str, str] = {}  # the configured URL -> the same database, in this run's own schema
RUN_SCHEMA = re.compile(r"^kraft_run_(\d+)_[0-9a-f]{8}$")


def _drop_schema(url: str, name: str) -> None:
    with contextlib.suppress(psycopg.Error), psycopg.connect(_plain(url), autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _in_own_schema(url: str) -> str:
    if url not in _own:
        name = f"kraft_run_{os.getpid()}_{secrets.token_hex(4)}"
        with psycopg.connect(_plain(url), autocommit=True, connect_timeout=5) as conn:
            for (stale,) in conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'kraft_run_%'"):
                match = RUN_SCHEMA.match(stale)
                if match and not _pid_alive(int(match.group(1))):  # a run that was killed before its exit
                    conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(stale)))
            conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
        atexit.register(_drop_schema, url, name)
        own = make_url(url).update_query_dict({"options": f"-csearch_path={name}"})
        _own[url] = own.render_as_string(hide_password=False)
    return _own[url]


def postgres_url() -> str:
    """KRAFT_TEST_POSTGRES_URL, in a schema of this run's own, if that PostgreSQL answers; else skip (fail under
    CI=true) with the reason."""
    url = os.environ.get("KRAFT_TEST_POSTGRES_URL", "")
    ci = os.environ.get("CI") == "true"
    if not url:
        if ci:
            pytest.fail("CI=true but KRAFT_TEST_POSTGRES_URL is not set: run the tests with `make test`",
                        pytrace=False)
        pytest.skip("no PostgreSQL here (KRAFT_TEST_POSTGRES_URL unset; `make postgres` starts one)")
    problem = _unreachable(url)
    if problem:
        shown = make_url(url).render_as_string(hide_password=True)
        if ci:
            pytest.fail(f"CI=true but PostgreSQL at {shown} does not answer: {problem}", pytrace=False)
        pytest.skip(f"PostgreSQL at {shown} does not answer ({problem}); `make postgres` starts one")
    return _in_own_schema(url)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'relay.db'}"
    url = postgres_url()
    engine = make_engine(url)
    SQLModel.metadata.drop_all(engine)  # each test starts from an empty relay
    engine.dispose()
    return url


class Api:
    """A TestClient on a fresh relay, with today's date under the test's control."""

    def __init__(self, database_url: str, **limits: int) -> None:
        self.app = create_app(Settings(database_url=database_url, **limits))
        self.today = TODAY
        self.app.dependency_overrides[get_today] = lambda: self.today
        self.client = TestClient(self.app)

    def token(self, kind: str = crud.ENROLMENT, uses: int = 1) -> str:
        with Session(self.app.state.engine) as session:
            return crud.create_token(session=session, kind=kind, uses=uses, days=14, today=self.today)[0]

    def close(self) -> None:
        self.client.close()
        self.app.state.engine.dispose()


@pytest.fixture
def api(database_url: str) -> Iterator[Api]:
    made = Api(database_url)
    yield made
    made.close()


@pytest.fixture
def make_api(database_url: str) -> Iterator[Callable[..., Api]]:
    made: list[Api] = []

    def build(**limits: int) -> Api:
        made.append(Api(database_url, **limits))
        return made[-1]

    yield build
    for item in made:
        item.close()


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[Relay]:
    """A `kraft coordinator serve` process on SQLite in tmp_path/relay (tests/relay_process.py)."""
    with start_relay(tmp_path / "relay") as server:
        yield server
