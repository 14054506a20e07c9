"""A real relay process on 127.0.0.1 for tests: `kraft coordinator serve` (as `python -m app.cli.main`) on a free
port, waited for until /v1/health answers.

Stable API, imported by tests across the project (change it only by adding):

    relay = start_relay(tmp_path / "relay")            # started; or start_relay(folder, database_url)
    with start_relay(tmp_path / "relay") as relay:     # ... and stopped on leaving the block
        ...
    relay.url                 # "http://127.0.0.1:PORT" (the port is kept across stop() and start())
    relay.database_url        # what it serves: "sqlite:///<folder>/relay.db" unless you passed one
    relay.database_path       # <folder>/relay.db, the SQLite file (unused when database_url is PostgreSQL)
    relay.log_path            # <folder>/relay.log: the process's stdout and stderr
    relay.enrolment_token()   # a fresh enrolment code, as `kraft coordinator enrol` makes it (uses=, region=, label=)
    relay.coordinator_token() # a coordinator's bearer token, as `kraft coordinator add-token` makes it (region=)
    relay.kraft("enrol", "--uses", "2")  # an operator's command (`kraft coordinator ...`) on this database
    relay.stop(); relay.start()   # offline, then back on the same port and database
    relay.files()             # every file in the folder (database, WAL, log), to scan for what must never be there

    relay = shared_relay()                              # an emptied relay from a process kept for the test run
    relay = shared_relay(postgres_url)                  # (see shared_relay: limits off, folder and log shared)

More `serve` options follow the URL: `start_relay(folder, None, "--requests-per-minute", "100000")` (the default
limits are the relay's own: 300 requests and 20 join-code lookups a minute per client). The process gets
KRAFT_HOME=<folder> and no DATABASE_URL from the caller's environment.

The operator's-eye helpers (`replay_last_message`, ...) change the SQLite database the way a curious or
broken relay could, so tests can show the apps refuse the result.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Relay:
    def __init__(self, folder: Path, database_url: str | None = None, extra: tuple[str, ...] = ()) -> None:
        self.extra = extra
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.database_path = folder / "relay.db"
        self.database_url = database_url or f"sqlite:///{self.database_path}"
        self.log_path = folder / "relay.log"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    def kraft(self, *args: str) -> str:
        """Run `kraft coordinator ARGS --database-url <this relay's>` as its operator would; its stdout."""
        result = subprocess.run([sys.executable, "-m", "app.cli.main", "coordinator", *args,
                                 "--database-url", self.database_url], cwd=ROOT, env=self._env(),
                                capture_output=True, text=True, timeout=60, check=True)
        return result.stdout.strip()

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["KRAFT_HOME"] = str(self.folder)
        return env

    def __enter__(self) -> Relay:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def start(self) -> Relay:
        log = self.log_path.open("ab")
        seen = log.tell()  # the log is kept across restarts: report only what this start wrote
        self._process = subprocess.Popen(
            [sys.executable, "-m", "app.cli.main", "coordinator", "serve", "--host", "127.0.0.1",
             "--port", str(self.port), "--database-url", self.database_url, *self.extra],
            cwd=ROOT, env=self._env(), stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                with self.log_path.open("rb") as written:
                    written.seek(seen)
                    raise RuntimeError(f"the relay exited: {written.read().decode(errors='replace')}")
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the relay did not answer within 30 s")

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def empty(self) -> bool:
        """Delete every row the relay holds and restart its counters, keeping its schema: what a new relay on
        a new database would hold. The process may be running (it is idle between tests). False when the
        relay's tables are gone (another test dropped them): only a new start brings them back."""
        from sqlalchemy import MetaData, text

        from coordinator.db import connect

        engine = connect(self.database_url)
        try:
            with engine.begin() as conn:
                tables = MetaData()
                tables.reflect(conn)
                if "mailbox" not in tables.tables:
                    return False
                for table in reversed(tables.sorted_tables):  # children before the rows they point at
                    if table.name != "alembic_version":
                        conn.execute(table.delete())
                if conn.dialect.name == "postgresql":
                    for (name,) in conn.execute(text("SELECT sequence_name FROM information_schema.sequences"
                                                     " WHERE sequence_schema = current_schema()")):
                        conn.execute(text(f'ALTER SEQUENCE "{name}" RESTART WITH 1'))
                elif conn.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'")).first():
                    conn.execute(text("DELETE FROM sqlite_sequence"))
        finally:
            engine.dispose()
        return True

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(10)
        self._process = None

    def enrolment_token(self, uses: int = 1, *, region: str = "", label: str = "") -> str:
        return self._token("enrolment", uses=uses, days=14, region=region, label=label)

    def coordinator_token(self, region: str = "") -> str:
        return self._token("coordinator", name="test", uses=2**31 - 1, region=region)

    def _token(self, kind: str, **kw: Any) -> str:
        """A token written into the relay's database by the code `kraft coordinator enrol|add-token` runs, in
        this process: a `kraft` process costs about 1.8 s and a relay test asks for one or two. The commands
        themselves are run against a served relay in tests/coordinator/test_relay_process.py."""
        from sqlmodel import Session

        from coordinator import crud
        from coordinator.db import make_engine

        engine = make_engine(self.database_url)
        try:
            with Session(engine) as session:
                token, _expires = crud.create_token(session=session, kind=kind, today=datetime.now(UTC).date(), **kw)
                return token
        finally:
            engine.dispose()

    def files(self) -> list[Path]:
        return [p for p in self.folder.iterdir() if p.is_file()]

    # ---- what a curious or broken operator could do to the stored messages (SQLite only) ----

    def _db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.database_path)

    def _last(self, conn: sqlite3.Connection, n: int = 1) -> list[tuple[Any, ...]]:
        return conn.execute("SELECT id, mailbox, sender, epoch, seq, nonce, ciphertext, signature, day FROM message"
                            " ORDER BY id DESC LIMIT ?", (n,)).fetchall()

    def replay_last_message(self) -> None:
        """Hand out the newest message again at a new position: the row moves to the end, unchanged."""
        with closing(self._db()) as conn, conn:
            row = self._last(conn)[0]
            conn.execute("DELETE FROM message WHERE id = ?", (row[0],))
            conn.execute("INSERT INTO message (id, mailbox, sender, epoch, seq, nonce, ciphertext, signature, day)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (row[0] + 1, *row[1:]))

    def tamper_last_message(self) -> None:
        with closing(self._db()) as conn, conn:
            row = self._last(conn)[0]
            text = row[6]
            flipped = text[:10] + ("A" if text[10] != "A" else "B") + text[11:]
            conn.execute("UPDATE message SET ciphertext = ? WHERE id = ?", (flipped, row[0]))

    def insert_message(self, mailbox: str, post: dict[str, Any]) -> None:
        with closing(self._db()) as conn, conn:
            conn.execute("INSERT INTO message (mailbox, sender, epoch, seq, nonce, ciphertext, signature, day)"
                         " VALUES (?, ?, ?, ?, ?, ?, ?, date('now'))",
                         (mailbox, post["sender"], post["epoch"], post["seq"], post["nonce"], post["ciphertext"],
                          post["signature"]))

    def put_catalogue_row(self, region: str, catalogue: Any) -> None:
        """Put an older signed catalogue back in the relay's table, as its operator could (on either database)."""
        from sqlalchemy import text

        from coordinator.db import connect
        from protocol import canonical

        engine = connect(self.database_url)
        try:
            with engine.begin() as conn:
                conn.execute(text("UPDATE catalogue SET serial = :serial, document = :document, "
                                  "signature = :signature WHERE region = :region"),
                             {"serial": catalogue.serial, "document": canonical(catalogue.document()).decode(),
                              "signature": catalogue.signature, "region": region})
        finally:
            engine.dispose()

    def swap_last_two_messages(self) -> None:
        """Deliver the two newest messages in the opposite order (the rows trade positions)."""
        with closing(self._db()) as conn, conn:
            newer, older = (row[0] for row in self._last(conn, 2))
            conn.execute("UPDATE message SET id = -id WHERE id IN (?, ?)", (newer, older))
            conn.execute("UPDATE message SET id = ? WHERE id = ?", (older, -newer))
            conn.execute("UPDATE message SET id = ? WHERE id = ?", (newer, -older))


def start_relay(folder: Path, database_url: str | None = None, *extra: str) -> Relay:
    """A started relay (see the module's docstring). `extra`: more options for `kraft coordinator serve`, e.g.
    "--requests-per-minute", "100000". Another process may take the free port before the relay binds it: then
    it tries another."""
    relay = Relay(folder, database_url, extra)
    for _attempt in range(3):
        try:
            return relay.start()
        except RuntimeError as exc:
            if "address already in use" not in str(exc):
                raise
            relay.port = free_port()
            relay.url = f"http://127.0.0.1:{relay.port}"
    return relay.start()


# ---- one relay process per test process (an xdist worker) and database, emptied for each test ----

# Out of the way of scenario tests, which make many requests from one address; the limit tests start their own.
SHARED_LIMITS = ("--requests-per-minute", "1000000", "--join-lookups-per-minute", "1000000")
_shared: dict[str, Relay] = {}


def shared_relay(database_url: str | None = None) -> Relay:
    """An empty relay for one test, from a process kept for every test of this test process that asks for the
    same database (None: SQLite in a folder of its own): a relay start costs about 2 s, and a scenario test
    needs an empty relay, not a new process. Its limits are out of the way (SHARED_LIMITS). A test may stop and
    start it; one left stopped is started again for the next test. Its folder and log are shared with the
    tests before, so a test that reads the relay's files or log starts its own with `start_relay`."""
    key = database_url or "sqlite"
    relay = _shared.get(key)
    if relay is None:
        folder = Path(tempfile.mkdtemp(prefix="kraft-test-relay-"))
        relay = _shared[key] = start_relay(folder, database_url, *SHARED_LIMITS)
        atexit.register(_discard, relay)
        return relay
    if not relay.empty():
        relay.stop()  # its start migrates the database it serves
    if not relay.running:
        relay.start()
    return relay


def _discard(relay: Relay) -> None:
    relay.stop()
    shutil.rmtree(relay.folder, ignore_errors=True)
