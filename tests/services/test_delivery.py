"""The listener (issue 15 point 4, docs/adr/0008-delivery.md): two apps' services over a real relay process.
A host's homework reaches an open member's app within 5 s with no manual sync; the listener backs off while
the relay is away, stops at once when paused, and skips links whose keys are locked."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.services.delivery import Listener, listenable
from app.services.links import LinkStore
from app.services.relay_client import RelayError, long_poll
from app.services.relay_sync import SyncService
from tests.relay_process import shared_relay
from tests.services.test_group_layer import admit_everyone, ask, homework, start
from tests.services.test_relay_flow import NOW, Profile, _schedule

MARKER = "MARKER-delivery What helped you this week"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[object]:
    yield shared_relay()  # emptied; one process per test worker (tests/relay_process.py)


@pytest.fixture
def two(tmp_path: Path) -> Iterator[tuple[Profile, Profile]]:
    made = (Profile.make(tmp_path / "host", journal=True), Profile.make(tmp_path / "astrid", journal=True))
    yield made
    for person in made:
        person.service.close()


def _listener(person: Profile, synced: list[int], open_: list[bool] | None = None, **kw: object) -> Listener:
    """A listener as the app runs it for `person`: active while `open_` says so (the app not locked)."""
    state = open_ if open_ is not None else [True]

    def watches() -> list:  # type: ignore[type-arg]
        return listenable(LinkStore(person.service.engine, person.vault))

    async def on_news() -> None:
        report = await asyncio.to_thread(SyncService(person.service.engine, person.vault).run,
                                         now=datetime.now(UTC))
        synced.append(report.applied)

    return Listener(watches, on_news=on_news, active=lambda: state[0], **kw)  # type: ignore[arg-type]


async def test_a_message_posted_by_one_app_is_applied_in_the_other_within_5_s(server, two) -> None:
    host, astrid = two
    group_id = start(host, server)
    ask(astrid, host, group_id, name="Astrid")
    admit_everyone(host, group_id, [astrid])
    synced: list[int] = []
    listener = _listener(astrid, synced)
    closed = asyncio.Event()
    task = asyncio.create_task(listener.run(closed))
    try:
        await asyncio.sleep(0.3)  # astrid's app is open and waiting
        assert listener.polling and homework(astrid, group_id) != MARKER
        sent = time.perf_counter()

        def send() -> None:
            host.leader().send_prompt(group_id, text=MARKER, now=NOW)
            assert host.sync().sent == 1

        await asyncio.to_thread(send)
        while homework(astrid, group_id) != MARKER:
            assert time.perf_counter() - sent < 5.0, "not applied within 5 s"
            await asyncio.sleep(0.05)
        while not any(synced):  # its sync wrote the homework; its report comes a moment later
            assert time.perf_counter() - sent < 6.0, synced
            await asyncio.sleep(0.01)
    finally:
        closed.set()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_it_backs_off_while_the_relay_is_away_and_pausing_stops_the_poll_at_once(server, two) -> None:
    host, _ = two
    group_id = start(host, server)
    unlocked = [True]
    listener = _listener(host, [], unlocked, backoff=(0.05, 0.2))
    closed = asyncio.Event()
    task = asyncio.create_task(listener.run(closed))
    try:
        await asyncio.sleep(0.3)
        assert listener.polling and listener.delay == 0
        paused = time.perf_counter()
        unlocked[0] = False
        listener.pause()  # a lock: the request in flight is cancelled, not left to run its 25 s
        while listener.polling and time.perf_counter() - paused < 0.5:
            await asyncio.sleep(0.01)
        assert not listener.polling, "the poll in flight was not cancelled"
        await asyncio.sleep(0.3)
        assert not listener.polling and listener.rounds == 1  # locked: no new poll
        server.stop()  # type: ignore[attr-defined]
        unlocked[0] = True
        listener.wake()  # unlocked again
        await asyncio.sleep(1.5)
        assert listener.delay == 0.2  # 0.05, 0.1, 0.2, 0.2, ...
        assert listener.rounds < 15  # not hammering: about one try per back-off
        server.start()  # type: ignore[attr-defined]

        def send() -> None:
            host.leader().send_prompt(group_id, text=MARKER, now=NOW)
            assert host.sync().sent == 1

        await asyncio.to_thread(send)
        back = time.perf_counter()
        while listener.delay and time.perf_counter() - back < 3:
            await asyncio.sleep(0.05)
        assert listener.delay == 0  # an answer again: the back-off is over
    finally:
        closed.set()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


def test_a_leaders_link_is_not_listened_to_while_their_vault_is_locked(server, two) -> None:
    host, _ = two
    group = host.leader().create_group("Tisdag", _schedule(), relay=server.url,  # type: ignore[attr-defined]
                                       enrolment=server.enrolment_token(), now=NOW, version=1)  # type: ignore[attr-defined]
    assert [w.mailbox for w in listenable(LinkStore(host.service.engine, host.vault))] == \
        [LinkStore(host.service.engine, host.vault).get(group.id).mailbox]  # type: ignore[union-attr]
    host.service.lock()
    assert listenable(LinkStore(host.service.engine, host.vault)) == []


async def test_a_long_poll_answers_at_once_with_news_and_says_when_the_relay_is_away(server, two) -> None:
    host, _ = two
    group_id = start(host, server)
    mailbox = LinkStore(host.service.engine, host.vault).get(group_id).mailbox  # type: ignore[union-attr]
    started = time.perf_counter()
    page = await long_poll(server.url, mailbox, 0, wait=25)  # type: ignore[attr-defined]
    assert len(page["messages"]) == 1 and time.perf_counter() - started < 5  # the log's first entry, at once
    with pytest.raises(ValueError):
        await long_poll(server.url, mailbox, 0, wait=26)  # type: ignore[attr-defined]
    server.stop()  # type: ignore[attr-defined]
    with pytest.raises(RelayError) as away:
        await long_poll(server.url, mailbox, 0, wait=1)  # type: ignore[attr-defined]
    assert away.value.status is None and away.value.retry
    server.start()  # type: ignore[attr-defined]
