"""Issue 16 point 5: nothing about attendance is readable while the journal is locked, the outbox keeps no
counter of every request ever queued, and a member without a journal keeps no theme or guidelines.

The database file is read the way someone holding a lost phone could: its bytes, the main file and the WAL."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import protocol as p
from app.domain.schedule import Schedule
from app.paths import DB_FILENAME
from app.services.attendance import AttendanceService
from app.services.checkin import ATTENDED, CheckInService
from app.services.checkin_news import CheckInNews
from app.services.links import LinkStore
from app.storage import db
from app.storage.stores import outbox
from tests.conftest import PASSPHRASE
from tests.relay_process import shared_relay
from tests.services.test_relay_flow import NOW, Profile, _schedule

THEME = "MARKER-theme-Balans i vardagen"
GUIDELINES = "MARKER-guidelines-Vi lyssnar utan att ge råd"


@pytest.fixture
def relay():  # type: ignore[no-untyped-def]
    return shared_relay()  # emptied; one process per test worker (tests/relay_process.py)


def _disk(home: Path) -> bytes:
    """Every byte of the database as it lies on the device: the main file and its WAL."""
    return b"".join(path.read_bytes() for path in (home / DB_FILENAME, home / f"{DB_FILENAME}-wal")
                    if path.exists())


def _outbox_counter(home: Path) -> list[tuple[str, int]]:
    with closing(sqlite3.connect(home / DB_FILENAME)) as conn:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchall():
            return []
        return conn.execute("SELECT name, seq FROM sqlite_sequence WHERE name = 'outbox'").fetchall()


def _joined(leader: Profile, member: Profile, relay, **content: str) -> str:  # type: ignore[no-untyped-def]
    group = leader.leader().create_group("Tisdag", _schedule(), relay=relay.url, now=NOW,
                                         enrolment=relay.enrolment_token(region="Syd"), **content)
    leader.sync()
    link = leader.leader().invite(group.id, today=NOW.date()).link
    member.joining().join(member.joining().read(link, today=NOW.date()), now=NOW)
    member.sync()
    leader.sync()
    assert len(leader.leader().admit_all(group.id, now=NOW)) == 1
    leader.sync()
    member.sync()
    return group.id


def test_a_queued_report_is_unreadable_while_locked_and_sent_after_unlock(relay, tmp_path: Path) -> None:
    leader = Profile.make(tmp_path / "leader", journal=True)
    astrid = Profile.make(tmp_path / "astrid", journal=True)
    try:
        group_id = _joined(leader, astrid, relay)
        service = AttendanceService(astrid.service.engine, astrid.vault)
        service.set_opt_in(group_id, True)
        group = astrid.groups().get(group_id)
        meeting = group.schedule.meetings()[1]  # not the first: its start is in the plaintext schedule
        during = meeting.start + timedelta(minutes=10)
        CheckInService(astrid.service.engine, astrid.vault).check_in(group, meeting.id, ATTENDED, now=during)
        CheckInNews(astrid.service.engine, astrid.vault).said(group, meeting.id, ATTENDED, now=during)
        assert [w.meetings for w in service.pending()] == [[meeting.id]]
        assert astrid.sync(during).sent == 0  # sent after a random delay

        astrid.service.lock()
        assert meeting.id.encode() not in _disk(astrid.home)
        assert _outbox_counter(astrid.home) == []
        later = during + timedelta(hours=7)
        report = astrid.sync(later)  # the background sync while locked: the report waits
        assert report.sent == 0 and report.waiting >= 1 and not report.problems
        assert meeting.id.encode() not in _disk(astrid.home)

        astrid.service.unlock(PASSPHRASE)
        assert astrid.sync(later).sent == 1
        assert AttendanceService(astrid.service.engine, astrid.vault).pending() == []
        with closing(sqlite3.connect(relay.database_path)) as conn:
            assert conn.execute("SELECT meeting FROM attendancetoken").fetchall() == [(meeting.id,)]
    finally:
        leader.service.close()
        astrid.service.close()


def test_the_outbox_keeps_no_counter_and_an_upgrade_drops_it(tmp_path: Path) -> None:
    engine = db.make_engine(tmp_path / DB_FILENAME)
    try:
        db.migrate(engine, [m for m in db.MIGRATIONS if m[0] <= "0007"])  # a database of the last release
        with db.begin(engine) as conn:  # written the way that release wrote (its table has no `sealed`)
            for n in range(3):
                conn.exec_driver_sql("INSERT INTO outbox (group_id, relay, method, path, body, token, attempts,"
                                     f" next_try, error) VALUES ('g{n}', 'https://r.invalid', 'POST', '/v1/x',"
                                     f" '{{}}', '', 0, '{NOW.isoformat()}', '')")
            conn.exec_driver_sql("DELETE FROM outbox WHERE id = 1")
        assert _outbox_counter(tmp_path) == [("outbox", 3)]
        db.migrate(engine)
        assert _outbox_counter(tmp_path) == []
        with engine.connect() as conn:
            assert [(r.id, r.group_id) for r in outbox.list_waiting(conn=conn)] == [(2, "g1"), (3, "g2")]
        with db.begin(engine) as conn:
            outbox.enqueue(conn=conn, group_id="g3", relay="https://r.invalid", method="POST", path="/v1/x",
                           body="{}", token="", next_try=NOW.isoformat())
        with engine.connect() as conn:
            assert [r.group_id for r in outbox.list_waiting(conn=conn)] == ["g1", "g2", "g3"]  # still in order
        assert _outbox_counter(tmp_path) == []
    finally:
        engine.dispose()


def _invite(theme: str, guidelines: str) -> str:
    leader = Ed25519PrivateKey.generate()
    key, group = p.new_group_key(), p.new_group_id()
    schedule = Schedule.weekly(zone="Europe/Oslo", first=date.today() + timedelta(days=3), at=time(17),
                               interval=2, count=6)
    return p.sign_invite({"v": 1, "relay": "", "group": group, "mailbox": p.mailbox_id(group, key), "epoch": 0,
                          "key": p.b64e(key), "leader": p.public_b64(leader), "label": "Onsdag",
                          "schedule": schedule.to_dict(), "theme": theme, "guidelines": guidelines,
                          "expires_on": (date.today() + timedelta(days=7)).isoformat()}, leader)


def test_without_a_journal_the_database_holds_no_theme_or_guidelines(tmp_path: Path) -> None:
    bo = Profile.make(tmp_path / "bo", journal=False)
    try:
        preview = bo.joining().read(_invite(THEME, GUIDELINES), today=date.today())
        assert (preview.theme, preview.guidelines) == (THEME, GUIDELINES)  # shown before joining
        group = bo.joining().join(preview, now=NOW)
        assert LinkStore(bo.service.engine, None).secrets(group.id).group_keys  # the group key is kept
        disk = _disk(bo.home)
        assert b"MARKER-theme" not in disk and b"MARKER-guidelines" not in disk
    finally:
        bo.service.close()


def test_without_a_journal_a_welcome_leaves_no_theme_on_disk(relay, tmp_path: Path) -> None:
    leader = Profile.make(tmp_path / "leader", journal=True)
    bo = Profile.make(tmp_path / "bo", journal=False)
    try:
        group_id = _joined(leader, bo, relay, theme=THEME, guidelines=GUIDELINES)  # the host's welcome has both
        assert LinkStore(bo.service.engine, None).get(group_id).state  # let in: the welcome was applied
        disk = _disk(bo.home)
        assert b"MARKER-theme" not in disk and b"MARKER-guidelines" not in disk
    finally:
        leader.service.close()
        bo.service.close()


def test_a_sealed_request_moved_to_another_row_is_refused_not_sent(tmp_path: Path) -> None:
    astrid = Profile.make(tmp_path / "astrid", journal=True)
    try:
        links = LinkStore(astrid.service.engine, astrid.vault)
        for n in range(2):
            links.enqueue("g1", "https://r.invalid", "POST", f"/v1/x/{n}", {"n": n}, now=NOW)
        assert [(w.path, w.body) for w in links.waiting()] == [("/v1/x/0", {"n": 0}), ("/v1/x/1", {"n": 1})]
        with closing(sqlite3.connect(astrid.home / DB_FILENAME)) as conn, conn:  # swapped by someone with the file
            (a, b) = conn.execute("SELECT sealed FROM outbox ORDER BY id").fetchall()
            conn.execute("UPDATE outbox SET sealed = ? WHERE id = 1", b)
            conn.execute("UPDATE outbox SET sealed = ? WHERE id = 2", a)
        waiting = links.waiting()
        assert [(w.refused, w.error, w.path) for w in waiting] == [(True, "damaged", "")] * 2
        assert links.due(NOW + timedelta(days=1)) == []  # nothing unreadable is sent
        links.drop(waiting[0].id)  # the member can let it go
        links.enqueue("g1", "https://r.invalid", "POST", "/v1/x/2", {"n": 2}, now=NOW)
        assert [w.path for w in links.due(NOW + timedelta(days=1))] == ["/v1/x/2"]  # the damaged one blocks nothing
    finally:
        astrid.service.close()


def test_a_report_queued_before_a_rekey_is_sent_after_it(relay, tmp_path: Path) -> None:
    """A re-key seals the outbox's waiting requests again under the new key too: they are sealed under the
    data key, and a request that no longer opens is refused as damaged and never sent (lost)."""
    leader = Profile.make(tmp_path / "leader", journal=True)
    astrid = Profile.make(tmp_path / "astrid", journal=True)
    try:
        group_id = _joined(leader, astrid, relay)
        AttendanceService(astrid.service.engine, astrid.vault).set_opt_in(group_id, True)
        group = astrid.groups().get(group_id)
        meeting = group.schedule.meetings()[1]
        during = meeting.start + timedelta(minutes=10)
        CheckInService(astrid.service.engine, astrid.vault).check_in(group, meeting.id, ATTENDED, now=during)
        CheckInNews(astrid.service.engine, astrid.vault).said(group, meeting.id, ATTENDED, now=during)
        assert astrid.sync(during).sent == 0  # sent after a random delay

        new = "a new passphrase after a re-key"
        pending = astrid.service.prepare_rekey(PASSPHRASE, new, new)
        assert astrid.service.finish_rekey(pending, pending.recovery_code).damaged == []
        report = astrid.sync(during + timedelta(hours=7))
        assert (report.sent, report.refused, report.problems) == (1, [], [])
        with closing(sqlite3.connect(relay.database_path)) as conn:
            assert conn.execute("SELECT meeting FROM attendancetoken").fetchall() == [(meeting.id,)]
    finally:
        leader.service.close()
        astrid.service.close()
