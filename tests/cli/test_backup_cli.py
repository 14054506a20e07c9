"""`kraft backup create|verify|restore` in-process, with the vault's own passphrase and recovery code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Kraft, records


def test_create_verify_and_restore_on_a_new_device(kraft: Kraft, vault: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    assert kraft("journal", "add", "Backup-MARKER one").code == 0
    assert kraft("journal", "add", "Backup-MARKER two").code == 0
    file = tmp_path / "b.kraftbackup"
    made = kraft("backup", "create", str(file), "--json")
    assert made.code == 0, made.err
    assert json.loads(made.out) | {"created": "x"} == {"file": str(file), "created": "x", "entries": 2,
                                                       "records": 2, "damaged": 0, "groups": 0}
    assert b"Backup-MARKER" not in file.read_bytes()

    checked = kraft("backup", "verify", str(file))
    assert checked.code == 0 and "2 journal entries, 0 groups." in checked.out
    wrong = kraft("backup", "verify", str(file), "--passphrase-stdin", stdin="not it\n")
    assert wrong.code == 1 and "passphrase does not open" in wrong.err

    new_home = tmp_path / "new-device"
    new_home.mkdir()
    monkeypatch.setenv("KRAFT_HOME", str(new_home))
    restored = kraft("backup", "restore", str(file))
    assert restored.code == 0, restored.err
    assert "Restored the backup" in restored.out and "kept in" not in restored.err
    listed = kraft("journal", "list", "--json")
    assert sorted(e["text"] for e in json.loads(listed.out)["entries"]) == ["Backup-MARKER one", "Backup-MARKER two"]


def test_restore_over_a_journal_needs_replace_and_keeps_a_safety_copy(kraft: Kraft, vault: Path,
                                                                      tmp_path: Path) -> None:
    file = tmp_path / "b.kraftbackup"
    assert kraft("journal", "add", "before").code == 0
    assert kraft("backup", "create", str(file)).code == 0
    assert kraft("journal", "add", "after the backup").code == 0
    rows = records(vault)
    refused = kraft("backup", "restore", str(file))
    assert refused.code == 1 and "confirm" in refused.err
    assert records(vault) == rows
    done = kraft("backup", "restore", str(file), "--replace")
    assert done.code == 0 and "before-restore-" in done.err
    texts = [e["text"] for e in json.loads(kraft("journal", "list", "--json").out)["entries"]]
    assert texts == ["before"]
    assert len(list(vault.glob("before-restore-*-kraft.db"))) == 1


def test_a_file_that_is_not_a_backup(kraft: Kraft, vault: Path, tmp_path: Path) -> None:
    bogus = tmp_path / "notes.txt"
    bogus.write_text("hello")
    result = kraft("backup", "verify", str(bogus))
    assert result.code == 1 and "cannot be opened" in result.err and "Traceback" not in result.err
    missing = kraft("backup", "verify", str(tmp_path / "nope.kraftbackup"))
    assert missing.code == 1 and "cannot be opened" in missing.err
