"""The plaintext stores (app.storage.stores): plain functions on the caller's connection, so the caller decides
what lands together; one test per table family."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from app.storage import db
from app.storage.stores import checkins, groups, links, outbox, preferences


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    found = db.open_database(tmp_path / "kraft.db")
    yield found
    found.dispose()


def _link(group_id: str) -> dict[str, object]:
    return dict(group_id=group_id, role="member", relay="http://relay", mailbox="mb", leader_key="lk", epoch=0,
                schedule_keys="{}", schedule_secret="ss", last_seq=0, after=0, pending="[]")


def test_groups(engine: Engine) -> None:
    with db.begin(engine) as conn:
        groups.put_group(conn=conn, group_id="g1", label="Torsdag", schedule="{}")
        groups.put_group(conn=conn, group_id="g2", label="Fredag", schedule="{}")
        groups.set_schedule(conn=conn, group_id="g1", schedule='{"count": 8}')
    with engine.connect() as conn:
        assert groups.list_groups(conn=conn) == [("g1", "Torsdag", '{"count": 8}'), ("g2", "Fredag", "{}")]
        assert groups.group_exists(conn=conn, group_id="g2") and not groups.group_exists(conn=conn, group_id="g3")
    with db.begin(engine) as conn:
        groups.delete_group(conn=conn, group_id="g2")
    with engine.connect() as conn:
        assert [r.id for r in groups.list_groups(conn=conn)] == ["g1"]


def test_a_failed_transaction_leaves_nothing(engine: Engine) -> None:
    with pytest.raises(RuntimeError), db.begin(engine) as conn:
        groups.put_group(conn=conn, group_id="g1", label="Torsdag", schedule="{}")
        raise RuntimeError("the caller's next step failed")
    with engine.connect() as conn:
        assert groups.list_groups(conn=conn) == []


def test_checkins(engine: Engine) -> None:
    with db.begin(engine) as conn:
        checkins.put_checkin(conn=conn, group_id="g1", meeting_id="m1", status="cant_come", day="2026-11-01",
                             start="m1")
        checkins.put_checkin(conn=conn, group_id="g1", meeting_id="m1", status="attended", day="2026-11-05",
                             start="m1x")
        checkins.put_checkin(conn=conn, group_id="g1", meeting_id="m2", status="attended", day="2026-11-19",
                             start="m2")
        checkins.put_checkin(conn=conn, group_id="g2", meeting_id="m1", status="attended", day="2026-11-05",
                             start="m1")
        checkins.delete_checkin(conn=conn, group_id="g1", meeting_id="m2")
    with engine.connect() as conn:
        assert checkins.list_checkins(conn=conn, group_id="g1") == [("g1", "m1", "attended", "2026-11-05", "m1x")]
        assert len(checkins.list_checkins(conn=conn)) == 2
    with db.begin(engine) as conn:
        checkins.delete_checkins(conn=conn, group_id="g2")
    with engine.connect() as conn:
        assert [r.group_id for r in checkins.list_checkins(conn=conn)] == ["g1"]
    with db.begin(engine) as conn:
        checkins.delete_checkins(conn=conn)
    with engine.connect() as conn:
        assert checkins.list_checkins(conn=conn) == []


def test_links_and_their_plaintext_secrets(engine: Engine) -> None:
    with db.begin(engine) as conn:
        for group_id in ("g1", "g2"):
            groups.put_group(conn=conn, group_id=group_id, label=group_id, schedule="{}")
        links.put_link(conn=conn, values=_link("g1"), secrets='{"role": "member"}')
        links.put_link(conn=conn, values=_link("g2"), secrets=None)
        links.update_link(conn=conn, group_id="g1", values={"after": 7})
    with engine.connect() as conn:
        found = links.get_link(conn=conn, group_id="g1")
        assert found is not None and found["after"] == 7 and found["mailbox"] == "mb"
        assert links.get_link(conn=conn, group_id="g3") is None
        assert [r["group_id"] for r in links.list_links(conn=conn)] == ["g1", "g2"]
        assert links.get_secrets(conn=conn, group_id="g1") == '{"role": "member"}'
        assert links.get_secrets(conn=conn, group_id="g2") is None
        assert links.plaintext_secrets(conn=conn) == [("g1", '{"role": "member"}')]
    with db.begin(engine) as conn:
        links.set_secrets(conn=conn, group_id="g2", secrets="{}")
        links.clear_secrets(conn=conn)
        links.delete_link(conn=conn, group_id="g2")
    with engine.connect() as conn:
        assert links.plaintext_secrets(conn=conn) == [] and links.get_link(conn=conn, group_id="g2") is None


def test_outbox(engine: Engine) -> None:
    with db.begin(engine) as conn:
        for group_id, at in (("g1", "2026-11-01T10:00:00+00:00"), ("g1", "2026-11-01T09:00:00+00:00"),
                             ("g2", "2026-11-01T08:00:00+00:00")):
            outbox.enqueue(conn=conn, group_id=group_id, relay="http://relay", method="POST", path="/p",
                           body="{}", token="", next_try=at)
    with engine.connect() as conn:
        first, second, third = outbox.list_waiting(conn=conn)
        assert [w.id for w in outbox.list_waiting(conn=conn, group_id="g1")] == [first.id, second.id]
        assert (first.attempts, first.error) == (0, "")
    with db.begin(engine) as conn:
        outbox.note_failure(conn=conn, item_id=first.id, attempts=1, error="refused", next_try=outbox.REFUSED)
        outbox.set_next_try(conn=conn, item_id=second.id, next_try="2026-11-02T00:00:00+00:00")
    with engine.connect() as conn:
        assert outbox.sendable(conn=conn) == [(second.id, "g1", "2026-11-02T00:00:00+00:00"),
                                              (third.id, "g2", "2026-11-01T08:00:00+00:00")]
        assert outbox.get_next_try(conn=conn, item_id=first.id) == outbox.REFUSED
    with db.begin(engine) as conn:
        outbox.delete_item(conn=conn, item_id=third.id)
        outbox.delete_for_group(conn=conn, group_id="g1")
    with engine.connect() as conn:
        assert outbox.list_waiting(conn=conn) == [] and outbox.get_next_try(conn=conn, item_id=first.id) is None


def test_preferences(engine: Engine) -> None:
    with db.begin(engine) as conn:
        preferences.set_preference(conn=conn, name="theme", value="dark")
        preferences.set_preference(conn=conn, name="theme", value="light")
    with engine.connect() as conn:
        assert preferences.get_preference(conn=conn, name="theme") == "light"
        assert preferences.get_preference(conn=conn, name="language") is None


def test_two_writers_at_once_wait_for_each_other_instead_of_failing(tmp_path: Path) -> None:
    """The app's background delivery and a tap write the same journal from two threads. A transaction that reads
    and then writes, begun DEFERRED, is refused at once in WAL mode (SQLITE_BUSY, no busy wait) when the other
    committed after its read: CI saw "The journal is busy in another window" on making a join code. Writers
    now take the write lock when they begin, so the second waits its turn."""
    import threading

    engine = db.open_database(tmp_path / "kraft.db")
    other = db.make_engine(tmp_path / "kraft.db")  # a second pool: each thread gets its own connection
    inside = threading.Event()
    committed = threading.Event()
    failures: list[BaseException] = []

    def first() -> None:
        try:
            with db.begin(engine) as conn:
                preferences.get_preference(conn=conn, name="n")  # the read that starts the snapshot
                inside.set()
                committed.wait(1)  # deferred: the other commits after our read; immediate: it waits
                preferences.set_preference(conn=conn, name="n", value="first")
        except BaseException as exc:
            failures.append(exc)

    def second() -> None:
        inside.wait(5)
        try:
            with db.begin(other) as conn:
                preferences.set_preference(conn=conn, name="m", value="second")
        except BaseException as exc:
            failures.append(exc)
        finally:
            committed.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(15)
    try:
        assert failures == []
        with engine.connect() as conn:
            assert preferences.get_preference(conn=conn, name="n") == "first"
            assert preferences.get_preference(conn=conn, name="m") == "second"
    finally:
        engine.dispose()
        other.dispose()


def test_every_writing_transaction_in_the_app_takes_the_write_lock_when_it_begins() -> None:
    """`engine.begin()` would begin DEFERRED (the race above); writes go through db.begin or db.writing."""
    import re

    root = Path(__file__).resolve().parents[2] / "app"
    bare = re.compile(r"\bengine\.begin\(\)")
    found = [f"{path.relative_to(root)}:{number}" for path in sorted(root.rglob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if bare.search(line) and not line.lstrip().startswith(('"""', "#"))]
    assert found == []
