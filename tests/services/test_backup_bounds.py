"""A backup's header is untrusted: out-of-bounds or malformed, it is refused before Argon2id runs."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.errors import KraftError, Msg
from app.services.backup import create_backup, restore_backup, verify_backup
from app.services.journal import Journal
from app.services.vault_service import VaultService
from tests.bad_headers import CASES, IDS, NEWER, UNREADABLE, Case, KdfCalls, count_kdf, rewrite
from tests.conftest import PASSPHRASE
from tests.examples import examples

__all__ = ["count_kdf"]  # the fixture, used by name


@pytest.fixture
def made(service: VaultService, journal: Journal, tmp_path: Path) -> bytes:
    journal.add("kept safe")
    dest = tmp_path / "b.kraftbackup"
    create_backup(service, dest)
    return dest.read_bytes()


def _refused(case: Case, run: object) -> None:
    started = time.monotonic()
    with pytest.raises(KraftError) as caught:
        run()  # type: ignore[operator]
    assert time.monotonic() - started < 5  # a guard only: the KDF is never called (count_kdf)
    text = str(caught.value)
    assert caught.value.msg in {Msg.BACKUP_UNREADABLE, Msg.BACKUP_NEWER}  # never "wrong passphrase"
    assert case.says in text and (NEWER in text or UNREADABLE in text)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_verify_refuses_a_bad_header_before_the_kdf(case: Case, made: bytes, count_kdf: KdfCalls) -> None:
    _refused(case, lambda: verify_backup(rewrite(made, case.mutate), PASSPHRASE))
    assert count_kdf.count == 0


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_restore_refuses_a_bad_header_before_the_kdf_and_writes_nothing(
        case: Case, made: bytes, tmp_path: Path, count_kdf: KdfCalls) -> None:
    new_home = tmp_path / "new-device"
    new_home.mkdir()
    _refused(case, lambda: restore_backup(new_home, rewrite(made, case.mutate), PASSPHRASE))
    assert count_kdf.count == 0
    assert list(new_home.iterdir()) == []


def test_restore_asks_before_replacing_without_running_the_kdf(
        made: bytes, home: Path, service: VaultService, count_kdf: KdfCalls) -> None:
    service.close()
    with pytest.raises(KraftError) as caught:
        restore_backup(home, made, "any passphrase at all")
    assert caught.value.msg is Msg.RESTORE_WOULD_REPLACE
    assert count_kdf.count == 0


def test_a_good_backup_still_opens_with_one_kdf_run(made: bytes, count_kdf: KdfCalls) -> None:
    assert verify_backup(made, PASSPHRASE).entries == 1
    assert count_kdf.count == 1


def test_a_header_longer_than_the_file_is_refused(made: bytes, count_kdf: KdfCalls) -> None:
    cut = made[:len(b"KRAFTBK1") + 4 + 10]
    with pytest.raises(KraftError) as caught:
        verify_backup(cut, PASSPHRASE)
    assert caught.value.msg is Msg.BACKUP_UNREADABLE and "cut short" in str(caught.value)
    assert count_kdf.count == 0


def test_a_header_nested_beyond_the_stack_is_refused(made: bytes, count_kdf: KdfCalls) -> None:
    deep = b"[" * 30000 + b"]" * 30000  # under MAX_HEADER; json.loads would hit RecursionError
    data = b"KRAFTBK1" + len(deep).to_bytes(4, "big") + deep
    with pytest.raises(KraftError) as caught:
        verify_backup(data, PASSPHRASE)
    assert caught.value.msg is Msg.BACKUP_UNREADABLE and "not JSON" in str(caught.value)
    assert count_kdf.count == 0


# Memory sizes a real Argon2id would take seconds over are left to the cases above (a shared 2-core machine).
_WHOLE = st.integers().filter(lambda v: not 1024 < v <= 1024 * 1024)
_JSON = st.recursive(st.none() | st.booleans() | _WHOLE | st.floats(allow_nan=False) | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                   max_size=3), max_leaves=6)
_PLACES = [(), ("slots",), ("slots", "passphrase"), ("slots", "passphrase", "kdf_params")]


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(place=st.sampled_from(_PLACES), key=st.sampled_from(
    ["format", "vault_format", "vault_id", "created", "slots", "key_nonce", "wrapped_key", "nonce", "passphrase",
     "kdf_params", "salt", "memory_kib", "iterations", "lanes", "extra"]), value=_JSON)
def test_any_json_in_any_header_field_is_a_clear_error(made: bytes, count_kdf: KdfCalls, place: tuple[str, ...],
                                                       key: str, value: object) -> None:
    def mutate(header: dict[str, Any]) -> object:
        node: Any = header
        for step in place:
            node = node[step]
        node[key] = value
        return header

    calls = count_kdf.count
    with contextlib.suppress(KraftError):  # any other exception (TypeError, ...) fails the test
        verify_backup(rewrite(made, mutate), PASSPHRASE)  # opening (the value was the same) is fine
    assert count_kdf.count - calls <= 1  # and a run only within the bounds (count_kdf refuses others)


def test_a_slot_kind_no_secret_opens_is_carried_not_read(made: bytes, count_kdf: KdfCalls) -> None:
    def add_keystore(header: dict[str, Any]) -> object:
        header["slots"]["keystore"] = {"kdf": "none"}  # reserved (ADR 0001): a device's own key, no Argon2id
        return header

    with pytest.raises(KraftError) as caught:
        verify_backup(rewrite(made, add_keystore), PASSPHRASE)
    assert "contents do not verify" in str(caught.value)  # the header is authenticated: changed, it fails there
    assert count_kdf.count == 1
