"""In-process `kraft` runs: cheap KDF, a fresh KRAFT_HOME, stdin from a string, output captured."""

from __future__ import annotations

import getpass
import io
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from app import paths
from app.cli import console
from app.cli.main import main
from app.services.context import AppContext
from app.services.vault_service import VaultService
from tests.conftest import FAST_KDF, PASSPHRASE


@dataclass
class Result:
    code: int
    out: str
    err: str


Kraft = Callable[..., Result]


class TerminalInput(io.StringIO):
    """Stdin that says it is a terminal, so kraft prompts instead of refusing."""

    def isatty(self) -> bool:
        return True


def records(home: Path) -> list[tuple[object, ...]]:
    """Every row of the record table, ciphertext bytes included."""
    with sqlite3.connect(home / paths.DB_FILENAME) as conn:
        return conn.execute("SELECT id, kind, fmt, nonce, ciphertext FROM record ORDER BY id").fetchall()


def key_slots(home: Path) -> dict[str, tuple[object, ...]]:
    """Every key slot by kind; none when there is no database at all (a refused init writes nothing)."""
    if not (home / paths.DB_FILENAME).exists():
        return {}
    with sqlite3.connect(home / paths.DB_FILENAME) as conn:
        rows = conn.execute("SELECT kind, kdf_params, salt, nonce, wrapped_key FROM key_slot").fetchall()
    return {row[0]: row[1:] for row in rows}


@pytest.fixture
def kraft(home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Kraft:
    """Run `kraft ARGS...` in-process; `stdin=` is what it reads, `tty=True` makes stdin a terminal."""
    monkeypatch.setattr(console, "new_context", lambda: AppContext.open(paths.data_dir(create=False), kdf=FAST_KDF))
    monkeypatch.setenv("LANGUAGE", "en")
    monkeypatch.setenv("KRAFT_LOG_DIR", str(home.parent / "log"))  # app/cli/crash.py writes here, if ever
    for var in ("KRAFT_PASSPHRASE", "KRAFT_NEW_PASSPHRASE", "KRAFT_RECOVERY_CODE"):
        monkeypatch.delenv(var, raising=False)

    def run(*argv: str, stdin: str = "", tty: bool = False) -> Result:
        monkeypatch.setattr(sys, "stdin", TerminalInput(stdin) if tty else io.StringIO(stdin))
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


@pytest.fixture
def vault(home: Path, kraft: Kraft, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A created, closed vault in `home`; KRAFT_PASSPHRASE opens it."""
    service = VaultService(home, kdf=FAST_KDF)
    pending = service.prepare_setup(PASSPHRASE)
    service.finish_setup(pending, pending.recovery_code)
    service.close()
    monkeypatch.setenv("KRAFT_PASSPHRASE", PASSPHRASE)
    return home



@dataclass
class Keyboard:
    """What the person types at getpass prompts (in order), and the prompts they were shown."""

    answers: list[str]
    prompts: list[str]


@pytest.fixture
def keyboard(monkeypatch: pytest.MonkeyPatch) -> Keyboard:
    board = Keyboard(answers=[], prompts=[])

    def fake_getpass(prompt: str = "Password: ") -> str:
        board.prompts.append(prompt)
        if not board.answers:
            raise EOFError
        return board.answers.pop(0)

    monkeypatch.setattr(getpass, "getpass", fake_getpass)
    return board
