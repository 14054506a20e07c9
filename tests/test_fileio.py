"""Private files written in one step: owner-only, no half-written file, no leftovers."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from app.fileio import write_atomic, write_new


def test_write_atomic_replaces_and_makes_the_file_private(tmp_path: Path) -> None:
    target = tmp_path / "export.json"
    target.write_text("old")
    os.chmod(target, 0o644)
    write_atomic(target, "ny tekst på disk".encode())
    assert target.read_text() == "ny tekst på disk"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["export.json"]


def test_write_atomic_leaves_the_old_file_when_it_fails(tmp_path: Path) -> None:
    target = tmp_path / "a-directory"
    target.mkdir()
    with pytest.raises(OSError):
        write_atomic(target, b"data")  # cannot replace a directory with a file
    assert target.is_dir() and [p.name for p in tmp_path.iterdir()] == ["a-directory"]


def test_write_new_refuses_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "code.txt"
    write_new(target, b"CODE\n")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    with pytest.raises(FileExistsError):
        write_new(target, b"OTHER\n")
    assert target.read_bytes() == b"CODE\n"
