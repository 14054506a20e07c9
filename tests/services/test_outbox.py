"""The outbox: requests wait in order per group, back off when the relay is away, and a refused one is kept
for the screen without holding up the rest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.services.links import LinkStore
from app.storage.db import open_database

NOW = datetime(2026, 11, 22, 12, tzinfo=UTC)


def _store(tmp_path):
    return LinkStore(open_database(tmp_path / "kraft.db"))


def test_only_each_groups_first_request_is_due_in_order(tmp_path):
    store = _store(tmp_path)
    for group, path in (("a", "/1"), ("a", "/2"), ("b", "/3")):
        store.enqueue(group, "http://127.0.0.1:1", "POST", path, {"n": path}, now=NOW)
    assert [w.path for w in store.due(NOW)] == ["/1", "/3"]
    first = store.due(NOW)[0]
    store.sent(first.id)
    assert [w.path for w in store.due(NOW)] == ["/2", "/3"]
    assert store.due(NOW - timedelta(seconds=1)) == []  # not before its time


def test_failures_back_off_exponentially_up_to_an_hour(tmp_path):
    store = _store(tmp_path)
    store.enqueue("a", "http://127.0.0.1:1", "POST", "/1", {}, now=NOW)
    waits = []
    moment = NOW
    for _ in range(10):
        item = store.due(moment + timedelta(days=1))[0]
        store.failed(item, "unreachable", now=moment, retry=True)
        assert store.due(moment) == []  # backed off: not due at once
        due_after = next(s for s in range(0, 7200, 5) if store.due(moment + timedelta(seconds=s)))
        waits.append(due_after)
    assert waits[0] <= 40 and waits[1] > waits[0] and waits[2] > waits[1]
    assert 2800 <= waits[-1] <= 4400  # capped at an hour (with jitter)
    assert store.waiting()[0].attempts == 10 and store.waiting()[0].error == "unreachable"


def test_a_refused_request_stays_visible_and_blocks_nothing(tmp_path):
    store = _store(tmp_path)
    store.enqueue("a", "http://127.0.0.1:1", "POST", "/1", {}, now=NOW)
    store.enqueue("a", "http://127.0.0.1:1", "POST", "/2", {}, now=NOW)
    store.failed(store.due(NOW)[0], "bad signature", now=NOW, retry=False)
    assert [w.path for w in store.due(NOW + timedelta(days=365))] == ["/2"]
    refused = [w for w in store.waiting() if w.refused]
    assert [(w.path, w.error) for w in refused] == [("/1", "bad signature")]
    store.drop(refused[0].id)
    assert [w.path for w in store.waiting()] == ["/2"]
