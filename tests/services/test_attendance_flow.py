"""Issue 5 end to end: members who opted in send anonymous check-ins through a real relay process, the
leader a head count, and the coordinator sees counts (never people) and a suppressed export."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

import protocol as p
from app.services.attendance import AttendanceService
from app.services.checkin import ATTENDED, CheckInService
from app.services.checkin_news import CheckInNews
from app.services.coordinator_view import CoordinatorView
from app.services.links import LinkStore
from tests.relay_process import shared_relay
from tests.services.test_relay_flow import NOW, Profile, _schedule


@pytest.fixture
def relay(tmp_path: Path):  # type: ignore[no-untyped-def]
    yield shared_relay()  # emptied; one process per test worker (tests/relay_process.py)


def _check_in(person: Profile, group_id: str, meeting_id: str, moment) -> bool:  # type: ignore[no-untyped-def]
    group = person.groups().get(group_id)
    CheckInService(person.service.engine, person.vault).check_in(group, meeting_id, ATTENDED, now=moment)
    CheckInNews(person.service.engine, person.vault).said(group, meeting_id, ATTENDED, now=moment)
    return bool(AttendanceService(person.service.engine, person.vault).pending())


def test_opted_in_check_ins_are_counted_once_and_the_coordinator_sees_only_counts(relay, tmp_path: Path) -> None:
    leader = Profile.make(tmp_path / "leader", journal=True)
    astrid = Profile.make(tmp_path / "astrid", journal=True)
    bo = Profile.make(tmp_path / "bo", journal=False)
    carl = Profile.make(tmp_path / "carl", journal=False)
    try:
        group = leader.leader().create_group("Tisdag", _schedule(), relay=relay.url, now=NOW,
                                             enrolment=relay.enrolment_token(region="Syd", label="Malmö tisdag"))
        leader.sync()
        link = leader.leader().invite(group.id, today=NOW.date(), uses=3).link
        for person in (astrid, bo, carl):
            person.joining().join(person.joining().read(link, today=NOW.date()), now=NOW)
            person.sync()
        leader.sync()
        assert len(leader.leader().admit_all(group.id, now=NOW)) == 3  # the host let them in
        leader.sync()
        for person in (astrid, bo, carl):
            person.sync()
        first, second = (m.id for m in group.schedule.meetings()[:2])
        during = group.schedule.meetings()[0].start + timedelta(minutes=10)

        # Off by default: Carl checks in, nothing is queued.
        assert not AttendanceService(carl.service.engine, carl.vault).opted_in(group.id)
        assert _check_in(carl, group.id, first, during) is False

        for person in (astrid, bo):
            service = AttendanceService(person.service.engine, person.vault)
            service.set_opt_in(group.id, True)
            preview = service.payload(group.id, [first])
            assert set(preview) == {"epoch", "nonce", "reports", "signature"}
            assert [r["meeting"] for r in preview["reports"]] == [first]
            assert _check_in(person, group.id, first, during)
            assert person.sync(during).sent == 0  # sent after a random delay, not at once
        assert astrid.sync(during + timedelta(hours=7)).sent == 1
        assert AttendanceService(bo.service.engine, bo.vault).send_now(now=during) == 1
        assert bo.sync(during).sent == 1

        # A resend (the same token) is not counted twice.
        again = AttendanceService(astrid.service.engine, astrid.vault).payload(group.id, [first])
        from app.services.relay_client import RelayClient

        mailbox = LinkStore(leader.service.engine, leader.vault).get(group.id).mailbox
        with RelayClient(relay.url) as client:
            assert client.request("POST", f"/v1/mailboxes/{mailbox}/attendance", again) == {"counted": 0}

        leader.leader().send_head_count(group.id, first, 5, now=during)
        leader.sync(during)
        second_start = group.schedule.meetings()[1].start + timedelta(minutes=5)
        _check_in(astrid, group.id, second, second_start)
        AttendanceService(astrid.service.engine, astrid.vault).send_now(now=second_start)
        astrid.sync(second_start)

        view = CoordinatorView(relay.url, relay.coordinator_token())
        overview = view.overview(today=NOW.date())
        [seen] = overview.groups
        assert (seen.region, seen.label) == ("Syd", "Malmö tisdag")
        assert seen.meetings == {first: (2, 5), second: (1, None)}
        assert (overview.totals.meetings_held, overview.totals.attendances) == (2, 6)
        year = int(first[:4])
        csv_text = view.export_csv(year)
        # the 6 people came to meetings of a quarter still open: the relay shows a quarter once it has closed,
        # so the figure is not in the CSV yet, and the quarters that have closed show 0
        closed = [f"{year}-Q{q}" for q in range(1, 5) if NOW.date() >= p.quarter_closes_on(f"{year}-Q{q}")]
        assert p.quarter(first) not in closed
        zeros = ["0"] * len(closed)
        assert csv_text.splitlines() == [",".join(["region", *closed, "total"]), ",".join(["Syd", *zeros, "0"]),
                                         ",".join(["total", *zeros, "0"])]

        # Turning it off drops what waits.
        service = AttendanceService(astrid.service.engine, astrid.vault)
        third = group.schedule.meetings()[2]
        _check_in(astrid, group.id, third.id, third.start + timedelta(minutes=1))
        service.set_opt_in(group.id, False)
        assert service.pending() == []

        # The relay holds nothing that ties Astrid's two check-ins together.
        with closing(sqlite3.connect(relay.database_path)) as conn:
            rows = conn.execute("SELECT meeting, token FROM attendancetoken").fetchall()
        tokens = {meeting: {t for m, t in rows if m == meeting} for meeting in (first, second)}
        assert len(tokens[first]) == 2 and len(tokens[second]) == 1 and not tokens[first] & tokens[second]
    finally:
        for person in (leader, astrid, bo, carl):
            person.service.close()
