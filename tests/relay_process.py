"""A real relay process on 127.0.0.1 for tests: `start_relay(folder)` runs `kraft coordinator serve` on a free
port with its own SQLite database (or `database_url`), waits until /v1/health answers, and returns a `Relay`.

    relay = start_relay(tmp_path / "relay")
    relay.url                 # http://127.0.0.1:PORT
    relay.enrolment_token()   # a fresh enrolment code, made with `kraft coordinator enrol`
    relay.stop(); relay.start()   # offline, then back on the same port and database
    relay.files()             # the database (and WAL) and the log, to scan for what must never be there

The operator's-eye helpers (`replay_last_message`, ...) change the SQLite database the way a curious or
broken relay could, so tests can show the apps refuse the result.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
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

    def _kraft(self, *args: str) -> str:
        result = subprocess.run([sys.executable, "-m", "app.cli.main", "coordinator", *args,
                                 "--database-url", self.database_url], cwd=ROOT, env=self._env(),
                                capture_output=True, text=True, timeout=60, check=True)
        return result.stdout.strip()

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["KRAFT_HOME"] = str(self.folder)
        return env

    def start(self) -> Relay:
        log = self.log_path.open("ab")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "app.cli.main", "coordinator", "serve", "--host", "127.0.0.1",
             "--port", str(self.port), "--database-url", self.database_url, *self.extra],
            cwd=ROOT, env=self._env(), stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the relay exited: {self.log_path.read_text(errors='replace')}")
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the relay did not answer within 30 s")

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
        return self._kraft("enrol", "--uses", str(uses), "--region", region, "--label", label)

    def coordinator_token(self, region: str = "") -> str:
        return self._kraft("add-token", "--name", "test", "--region", region)

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

    def swap_last_two_messages(self) -> None:
        """Deliver the two newest messages in the opposite order (the rows trade positions)."""
        with closing(self._db()) as conn, conn:
            newer, older = (row[0] for row in self._last(conn, 2))
            conn.execute("UPDATE message SET id = -id WHERE id IN (?, ?)", (newer, older))
            conn.execute("UPDATE message SET id = ? WHERE id = ?", (older, -newer))
            conn.execute("UPDATE message SET id = ? WHERE id = ?", (newer, -older))


def start_relay(folder: Path, database_url: str | None = None, *extra: str) -> Relay:
    """`extra`: more options for `kraft coordinator serve`, e.g. "--requests-per-minute", "100000"."""
    return Relay(folder, database_url, extra).start()
