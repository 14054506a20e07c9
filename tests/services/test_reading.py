"""Reading the journal without SQLAlchemy (app.services.reading, docs/adr/0018-reading-without-sqlalchemy.md):
the same entries and search as the vault's opening, the same count of tries, and a handover to the vault
whenever its opening has something to write or to tell. Each handover case is a state the vault's opening
changes; after it, the quick way opens the journal itself."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.errors import KraftError, Msg
from app.services import reading
from app.services.journal import Journal
from app.services.unlock_backoff import FAILURES
from app.services.vault_service import VaultService
from app.storage import direct
from tests.conftest import FAST_KDF, PASSPHRASE

ROOT = Path(__file__).resolve().parents[2]


def _sql(home: Path, statement: str, *args: object) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(home / "kraft.db", isolation_level=None)
    try:
        return conn.execute(statement, args).fetchall()
    finally:
        conn.close()


def _open(home: Path, passphrase: str = PASSPHRASE) -> reading.Reading | reading.Handover | None:
    return reading.open_to_read(home / "kraft.db", lambda: passphrase)


def _read(home: Path) -> reading.Reading:
    got = _open(home)
    assert isinstance(got, reading.Reading), got
    return got


def _failures(home: Path) -> str | None:
    rows = _sql(home, "SELECT value FROM preference WHERE name = ?", FAILURES)
    return str(rows[0][0]) if rows else None


@pytest.fixture
def written(service: VaultService, journal: Journal, home: Path) -> Path:
    journal.add("Fika med Åsa efter träffen", tags=["hope"])
    journal.add("Jag lyssnade på någon i gruppen utan att ge råd")
    journal.add("Min søster ringde")
    service.close()
    return home


def test_it_reads_what_the_vault_reads(written: Path) -> None:
    got = _read(written)
    try:
        ours = [(e.id, e.text, e.created, e.tags) for e in got.journal.live_entries()]
        assert [e.text for e in got.journal.search("soster")] == ["Min søster ringde"]
        assert [e.text for e in got.journal.search("rad")] == ["Jag lyssnade på någon i gruppen utan att ge råd"]
    finally:
        assert got.close() is None
    vault = VaultService(written, kdf=FAST_KDF)
    try:
        theirs = vault.unlock(PASSPHRASE)
        assert ours == [(e.id, e.text, e.created, e.tags) for e in theirs.live_entries()]
        assert len(ours) == 3
    finally:
        vault.close()


def test_a_wrong_passphrase_counts_as_the_vaults_does(written: Path) -> None:
    with pytest.raises(KraftError) as wrong:
        _open(written, "not the passphrase")
    assert wrong.value.msg is Msg.WRONG_PASSPHRASE
    assert _failures(written) == "1"
    _read(written).close()
    assert _failures(written) == "0"


def test_after_many_wrong_tries_it_waits_as_the_vault_does(written: Path) -> None:
    for _ in range(5):
        with pytest.raises(KraftError):
            _open(written, "not the passphrase")
    with pytest.raises(KraftError) as waiting:
        _open(written)
    assert waiting.value.msg is Msg.UNLOCK_WAIT
    vault = VaultService(written, kdf=FAST_KDF)
    try:
        with pytest.raises(KraftError) as theirs:
            vault.unlock(PASSPHRASE)
        assert theirs.value.msg is Msg.UNLOCK_WAIT
    finally:
        vault.close()


def test_it_writes_nothing_but_the_count(written: Path) -> None:
    before = _sql(written, "SELECT id, version, ciphertext FROM record ORDER BY id")
    manifest = _sql(written, "SELECT counter, acc, mac FROM manifest")
    got = _read(written)
    assert got.close() is None
    assert _sql(written, "SELECT id, version, ciphertext FROM record ORDER BY id") == before
    assert _sql(written, "SELECT counter, acc, mac FROM manifest") == manifest
    with pytest.raises(TypeError):
        got.journal.add("a read-only journal takes no entry")


def _handed_over(home: Path) -> bytes:
    got = _open(home)
    assert isinstance(got, reading.Handover), got
    return got.kek


def _vault_goes_on(home: Path, kek: bytes) -> None:
    vault = VaultService(home, kdf=FAST_KDF)
    try:
        vault.unlock_with_kek(kek)
    finally:
        vault.close()


def test_a_deletion_left_to_finish_is_handed_to_the_vault(service: VaultService, journal: Journal,
                                                            home: Path) -> None:
    kept = journal.add("kept")
    gone = journal.add("deleted, within its undo window")
    journal.delete(gone.id)
    service.vault.lock()  # as a command killed before its lock: the deletion is not finished
    service.journal = None
    service.close()
    _vault_goes_on(home, _handed_over(home))  # the vault's lock erases it
    got = _read(home)
    try:
        assert [e.id for e in got.journal.live_entries()] == [kept.id]
    finally:
        got.close()


WAITING = {
    "a check-in from before the journal": [
        "INSERT INTO checkin (group_id, meeting_id, status, day, start) VALUES ('g1', 'm1', 'attended', "
        "'2026-12-01', '2026-12-01T18:00')"],
    "a group's keys from before the journal": [
        "INSERT INTO meeting_group (id, label, schedule) VALUES ('g1', 'Torsdag', '{}')",
        "INSERT INTO group_link (group_id, role, relay, mailbox, leader_key, epoch, schedule_keys, schedule_secret,"
        " last_seq, after, pending, secrets) VALUES ('g1', 'member', 'http://127.0.0.1:9', 'box', 'k', 1, '[]', 's',"
        " 0, 0, '[]', '{\"member_key\": \"x\"}')"],
    "a request waiting in plaintext": [
        "INSERT INTO outbox (group_id, relay, method, path, body, token, attempts, next_try, error) VALUES ('g1',"
        " 'http://127.0.0.1:9', 'POST', '/v1/x', '{}', 't', 0, '', '')"],
}


@pytest.mark.parametrize("case", WAITING)
def test_plaintext_waiting_for_the_vault_is_handed_to_it(written: Path, case: str) -> None:
    for statement in WAITING[case]:
        _sql(written, statement)
    _vault_goes_on(written, _handed_over(written))  # it takes the plaintext in
    _read(written).close()


def test_what_the_manifest_does_not_vouch_for_is_handed_to_the_vault(written: Path) -> None:
    """Told by the vault's opening (the CLI warns), not hidden by a quick read."""
    _sql(written, "UPDATE manifest SET counter = counter + 1")
    kek = _handed_over(written)
    vault = VaultService(written, kdf=FAST_KDF)
    try:
        vault.unlock_with_kek(kek)
        assert vault.integrity is not None and vault.integrity.manifest_invalid
    finally:
        vault.close()


def test_a_damaged_record_is_handed_to_the_vault(written: Path) -> None:
    record_id = str(_sql(written, "SELECT id FROM record WHERE kind = 'entry' LIMIT 1")[0][0])
    _sql(written, "UPDATE record SET ciphertext = zeroblob(length(ciphertext)) WHERE id = ?", record_id)
    kek = _handed_over(written)
    vault = VaultService(written, kdf=FAST_KDF)
    try:
        assert vault.unlock_with_kek(kek).damaged == [record_id]
    finally:
        vault.close()


def test_nothing_is_tried_where_the_vault_must_open_the_file_first(home: Path) -> None:
    """No database, no journal in it, a migration to run: None, and the passphrase is not asked for."""
    def never() -> str:
        raise AssertionError("the passphrase was asked for")

    assert reading.open_to_read(home / "kraft.db", never) is None
    service = VaultService(home, kdf=FAST_KDF)
    service.set_preference("language", "sv")  # a database without a journal (an anonymous member's)
    service.close()
    assert reading.open_to_read(home / "kraft.db", never) is None
    pending = service.prepare_setup(PASSPHRASE, PASSPHRASE)
    service.finish_setup(pending, pending.recovery_code)
    service.close()
    _sql(home, "DELETE FROM schema_migration WHERE name = ?", direct.MIGRATION_NAMES[-1])
    assert reading.open_to_read(home / "kraft.db", never) is None
    assert _failures(home) in (None, "0")


def _search_process(written: Path, *, before: str = "", after: str, lang: str = "en") -> list[str]:
    """`kraft journal search fika` as a whole process, with `before` run first and `after` once it has ended
    (`code` holds its exit status); the entry must be found. Returns the last line `after` printed."""
    script = ("import sys, runpy; sys.argv = ['kraft', 'journal', 'search', 'fika', '--passphrase-stdin']\n"
              f"{before}code = None\n"
              "try:\n    runpy.run_module('app.cli', run_name='__main__')\n"
              "except SystemExit as end:\n    code = end.code\n"
              f"{after}\n")
    env = {"KRAFT_HOME": str(written), "HOME": str(written.parent), "LANGUAGE": lang, "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, input=PASSPHRASE + "\n", capture_output=True,
                          text=True, env=env, check=False, timeout=120)
    assert "Fika med Åsa" in done.stdout, done.stderr
    return done.stderr.strip().splitlines()[-1].split()


def test_a_search_loads_no_sqlalchemy(written: Path) -> None:
    """`kraft journal search` as a whole process: the entry found, and SQLAlchemy never imported."""
    said = _search_process(written, after="print('sqlalchemy' in sys.modules, code, file=sys.stderr)")
    assert said == ["False", "0"], said


def test_the_key_is_begun_before_babel_is_loaded(written: Path) -> None:
    """Argon2id sets the pace of a search (docs/adr/0018-reading-without-sqlalchemy.md): it begins before the
    command loads what only its output needs, Babel's CLDR data first (~10 ms), which dates and zone names
    load when they are first formatted. The packages loaded when the derivation begins are recorded."""
    noted = ("from app.services import unlock_ahead\n"
             "begin, seen = unlock_ahead.Ahead.begin, []\n"
             "def noted(self, secret):\n    seen.extend(sorted({m.split('.')[0] for m in sys.modules}))\n"
             "    return begin(self, secret)\n"
             "unlock_ahead.Ahead.begin = noted\n")
    loaded = set(_search_process(written, before=noted, lang="sv",
                                 after="print(' '.join(seen) or 'not begun', file=sys.stderr)"))
    assert "app" in loaded and "babel" not in loaded, loaded


def test_the_clock_it_counts_on_is_the_one_it_is_given(written: Path) -> None:
    moment = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)
    with pytest.raises(KraftError):
        reading.open_to_read(written / "kraft.db", lambda: "not the passphrase", clock=lambda: moment)
    assert float(str(_sql(written, "SELECT value FROM preference WHERE name = 'unlock_failed_at'")[0][0])) == \
        moment.timestamp()
