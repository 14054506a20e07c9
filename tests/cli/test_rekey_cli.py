"""`kraft passphrase change` says what a plain change leaves open; `--rekey` closes it (secrets: ADR 0002)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.storage import crypto
from tests.cli.conftest import Kraft, key_slots, records
from tests.conftest import PASSPHRASE

CODE = "WXYZ-ABCD-EFGH-IJKL-MNOP-QRST"
NEW = "a new and longer passphrase"


@pytest.fixture
def new_code(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(crypto, "new_recovery_code", lambda: CODE)
    return CODE


def _add(kraft: Kraft, text: str) -> None:
    assert kraft("journal", "add", text).code == 0


def _texts(kraft: Kraft, passphrase: str) -> list[str]:
    result = kraft("journal", "list", "--json", "--passphrase-stdin", stdin=f"{passphrase}\n")
    assert result.code == 0, result.err
    return [entry["text"] for entry in json.loads(result.out)["entries"]]


def test_a_plain_change_says_old_copies_still_open(kraft: Kraft, vault: Path) -> None:
    result = kraft("passphrase", "change", "--passphrase-stdin", stdin=f"{PASSPHRASE}\n{NEW}\n")
    assert result.code == 0, result.err
    assert "no longer opens" not in result.out
    assert "backups" in result.out and "old passphrase" in result.out and "--rekey" in result.out


def test_rekey_shows_a_new_code_and_re_seals_every_record(kraft: Kraft, vault: Path, new_code: str) -> None:
    _add(kraft, "ett")
    _add(kraft, "två")
    before = records(vault)
    result = kraft("passphrase", "change", "--rekey", "--passphrase-stdin",
                   stdin=f"{PASSPHRASE}\n{NEW}\n{new_code.lower()}\n")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == new_code  # the code alone on the first line of stdout
    assert "shown only this once" in result.err and "Traceback" not in result.err
    after = records(vault)
    assert [row[:3] for row in after] == [row[:3] for row in before]  # same ids, kinds, formats
    assert all(a[3] != b[3] and a[4] != b[4] for a, b in zip(after, before, strict=True))  # all re-sealed
    old = kraft("journal", "list")  # KRAFT_PASSPHRASE still holds the old one
    assert old.code == 1 and "does not open" in old.err
    assert _texts(kraft, NEW) == ["två", "ett"]
    recovered = kraft("passphrase", "recover", "--passphrase-stdin", stdin=f"{new_code}\n{PASSPHRASE} again\n")
    assert recovered.code == 0, recovered.err


@pytest.mark.parametrize(("stdin", "message"), [
    (f"{PASSPHRASE}\n{NEW}\n", "was not typed back, so nothing was changed"),
    (f"{PASSPHRASE}\n{NEW}\nABCD-ABCD-ABCD-ABCD-ABCD-ABCD\n", "not the recovery code shown above"),
    (f"not the passphrase\n{NEW}\n", "does not open"),
])
def test_rekey_without_the_code_typed_back_changes_nothing(kraft: Kraft, vault: Path, new_code: str,
                                                          stdin: str, message: str) -> None:
    _add(kraft, "ett")
    before, slots = records(vault), key_slots(vault)
    result = kraft("passphrase", "change", "--rekey", "--passphrase-stdin", stdin=stdin)
    assert result.code in (1, 2) and message in result.err and "Traceback" not in result.err
    assert records(vault) == before and key_slots(vault) == slots
    assert _texts(kraft, PASSPHRASE) == ["ett"]
