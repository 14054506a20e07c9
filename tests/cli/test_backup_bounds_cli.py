"""`kraft backup verify|restore` with a malformed or out-of-bounds header: a message, exit 1, no KDF run."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from tests.bad_headers import CASES, IDS, NEWER, UNREADABLE, Case, KdfCalls, count_kdf, rewrite
from tests.cli.conftest import Kraft, Result, key_slots

__all__ = ["count_kdf"]  # the fixture, used by name


@pytest.fixture
def made(kraft: Kraft, vault: Path, tmp_path: Path) -> bytes:
    assert kraft("journal", "add", "kept safe").code == 0
    file = tmp_path / "made.kraftbackup"
    assert kraft("backup", "create", str(file)).code == 0
    return file.read_bytes()


def _bad(case: Case, made: bytes, tmp_path: Path) -> str:
    file = tmp_path / "bad.kraftbackup"
    file.write_bytes(rewrite(made, case.mutate))
    return str(file)


def _refused(case: Case, result: Result, seconds: float, calls: KdfCalls) -> None:
    assert result.code == 1, result.err
    assert case.says in result.err and (UNREADABLE in result.err or NEWER in result.err)
    assert "Traceback" not in result.err and "does not open" not in result.err  # never "wrong passphrase"
    assert result.out == ""
    assert seconds < 5  # a guard only: the real guarantee is that the KDF is never called
    assert calls.count == 0


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_verify_a_bad_header(case: Case, kraft: Kraft, made: bytes, tmp_path: Path, count_kdf: KdfCalls) -> None:
    file = _bad(case, made, tmp_path)
    count_kdf.count = 0
    started = time.monotonic()
    result = kraft("backup", "verify", file)
    _refused(case, result, time.monotonic() - started, count_kdf)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_restore_a_bad_header_on_a_new_device(case: Case, kraft: Kraft, made: bytes, tmp_path: Path,
                                              count_kdf: KdfCalls, monkeypatch: pytest.MonkeyPatch) -> None:
    file = _bad(case, made, tmp_path)
    new_home = tmp_path / "new-device"
    new_home.mkdir()
    monkeypatch.setenv("KRAFT_HOME", str(new_home))
    count_kdf.count = 0
    started = time.monotonic()
    result = kraft("backup", "restore", file)
    _refused(case, result, time.monotonic() - started, count_kdf)
    assert not (new_home / "kraft.db").exists()


@pytest.mark.parametrize("case", [c for c in CASES if c.name in {"memory 4 GiB", "slot a string"}],
                         ids=["memory 4 GiB", "slot a string"])
def test_restore_a_bad_header_over_a_journal_changes_nothing(case: Case, kraft: Kraft, vault: Path,
                                                             made: bytes, tmp_path: Path,
                                                             count_kdf: KdfCalls) -> None:
    file = _bad(case, made, tmp_path)
    before = key_slots(vault)
    count_kdf.count = 0
    started = time.monotonic()
    result = kraft("backup", "restore", file, "--replace")
    _refused(case, result, time.monotonic() - started, count_kdf)
    assert key_slots(vault) == before and not list(vault.glob("before-restore-*"))


def test_restore_over_a_journal_asks_first_without_the_kdf(kraft: Kraft, vault: Path, made: bytes,
                                                           tmp_path: Path, count_kdf: KdfCalls) -> None:
    file = tmp_path / "good.kraftbackup"
    file.write_bytes(made)
    count_kdf.count = 0
    result = kraft("backup", "restore", str(file))
    assert result.code == 1 and "confirm" in result.err and "Traceback" not in result.err
    assert count_kdf.count == 0


def test_a_key_slot_asking_for_4_gib_is_damaged_at_unlock(kraft: Kraft, vault: Path, count_kdf: KdfCalls) -> None:
    huge = '{"memory_kib": 4194304, "iterations": 3, "lanes": 1}'
    with sqlite3.connect(vault / "kraft.db") as conn:
        conn.execute("UPDATE key_slot SET kdf_params = ? WHERE kind = 'passphrase'", (huge,))
    count_kdf.count = 0
    result = kraft("journal", "list")
    assert result.code == 1 and "key file is damaged" in result.err and "at most 1048576" in result.err
    assert "Traceback" not in result.err and count_kdf.count == 0
