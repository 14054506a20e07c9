"""Every action that queues a message is sent at once when the relay is up, its state beside it (issue 15
point 4, docs/adr/0008-delivery.md): a host's app and a member's app (feature states over real services and a
real relay process) walk every action the screens offer; after each, nothing of theirs waits in the outbox."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from app.config import Profile, Relay
from app.services.checkin import CANT_COME
from app.services.context import AppContext
from app.services.vault_service import VaultService
from app.views.routes import Route
from app.views.states.model import AppModel
from tests.conftest import FAST_KDF, PASSPHRASE
from tests.relay_process import Relay as RelayProcess
from tests.relay_process import shared_relay

SENT = "Sent."


@pytest.fixture
def relay(tmp_path: Path) -> Iterator[RelayProcess]:
    yield shared_relay()  # emptied; one process per test worker (tests/relay_process.py)


@pytest.fixture
def apps(tmp_path: Path, relay: RelayProcess) -> Iterator[tuple[AppModel, AppModel]]:
    services = []
    models = []
    for name in ("host", "member"):
        home = tmp_path / name
        home.mkdir()
        service = VaultService(home, kdf=FAST_KDF)
        pending = service.prepare_setup(PASSPHRASE, PASSPHRASE)
        service.finish_setup(pending, pending.recovery_code)
        model = AppModel.build(AppContext(vault_service=service, profile=Profile(default_language="en",
                                                                                 relay=Relay(url=relay.url))))
        model.session.start()
        services.append(service)
        models.append(model)
    yield models[0], models[1]
    for service in services:
        service.close()


def unsent(model: AppModel) -> list[str]:
    """What waits in the app's outbox, but the anonymous attendance uploads (sent hours later on purpose)."""
    return [f"{w.method} {w.path}" for w in model.session.ctx.links.waiting() if not w.path.endswith("/attendance")]


async def delivered(model: AppModel, action: str, *, within: float = 5.0) -> None:
    started = time.perf_counter()
    while unsent(model):
        assert time.perf_counter() - started < within, f"after {action}, still in the outbox: {unsent(model)}"
        await asyncio.sleep(0.05)
    assert not model.session.error, model.session.error


async def shown(model: AppModel, ending: str, *, within: float = 5.0) -> str:
    started = time.perf_counter()
    while not model.session.notice.endswith(ending):
        assert time.perf_counter() - started < within, f"notice {model.session.notice!r} does not end {ending!r}"
        await asyncio.sleep(0.05)
    return model.session.notice


async def test_every_action_is_sent_at_once_and_says_so(apps: tuple[AppModel, AppModel], relay: RelayProcess) -> None:
    host, member = apps
    first = date.today() - timedelta(days=1)  # the first meeting has begun: there is a head count to send
    host.hosting.lead_group(label="Tisdag", schedule_form={"first": first.isoformat(), "at": "18:00", "every": 1,
                                                           "count": "8"},
                            theme="balans", guidelines="", enrolment=relay.enrolment_token())
    assert not host.session.error, host.session.error
    [group] = host.groups.groups.list()
    await delivered(host, "starting a group")
    assert (await shown(host, SENT)).startswith("Your group is ready.")

    code = await host.hosting.make_join_code(group)
    assert code
    await delivered(host, "making a join code")

    await member.hosting.read_invite(code)
    await member.hosting.join_group("Astrid")
    await delivered(member, "asking to join")
    await shown(member, SENT)

    await host.hosting.delivery.sync_quietly()  # the request arrives
    [request] = host.hosting.requests(group)
    await host.hosting.admit(group, request)
    await delivered(host, "letting someone in")
    assert "Astrid is let in" in await shown(host, SENT)
    await member.hosting.delivery.sync_quietly()  # the member gets the key
    assert not member.hosting.check_code(group)

    await host.hosting.send_prompt(group, "strengths", "")
    await delivered(host, "sending homework")
    await shown(host, SENT)

    later = group.schedule.meetings()[3]
    host.router.navigate(Route.MEETING, group=group.id, id=later.id)
    host.groups.change_meeting("cancel")
    await delivered(host, "cancelling a meeting")
    await shown(host, SENT)

    await member.hosting.delivery.sync_quietly()
    own = member.groups.groups.get(group.id)
    member.groups.check_in(own, own.schedule.meetings()[4].id, CANT_COME)
    await delivered(member, "saying I can't come")
    await shown(member, SENT)

    begun = group.schedule.meetings()[0]
    host.hosting.send_head_count(group, begun.id, "6")
    await delivered(host, "sending a head count")
    await shown(host, SENT)

    await host.hosting.delivery.sync_quietly()
    [astrid] = [m for m in host.hosting.members(group) if m.name == "Astrid"]
    await host.hosting.remove_member(group, astrid)
    await delivered(host, "removing a member")
    await shown(host, SENT)


async def test_offline_an_action_says_it_will_be_sent(apps: tuple[AppModel, AppModel], relay: RelayProcess) -> None:
    host, _ = apps
    first = date.today() + timedelta(days=2)
    host.hosting.lead_group(label="Tisdag", schedule_form={"first": first.isoformat(), "at": "18:00", "every": 1,
                                                           "count": "8"},
                            theme="", guidelines="", enrolment=relay.enrolment_token())
    [group] = host.groups.groups.list()
    await delivered(host, "starting a group")
    listener = host.hosting.delivery.listen(lambda: True, backoff=(0.05, 0.2))  # as the open app does
    closed = asyncio.Event()
    listening = asyncio.create_task(listener.run(closed))
    try:
        relay.stop()
        await host.hosting.send_prompt(group, "strengths", "")
        assert unsent(host)
        await shown(host, "Will be sent when you are online.")
        assert host.hosting.delivery.unsent(group.id) == 1  # the group screen says "1 message will be sent ..."
        relay.start()  # online again: sent at once, not at the outbox's retry time (30 s on)
        await delivered(host, "coming back online")
    finally:
        closed.set()
        listening.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listening


async def test_locked_a_sealed_message_waits_for_unlock_not_for_the_network(apps: tuple[AppModel, AppModel],
                                                                              relay: RelayProcess) -> None:
    """Issue 16: what waits is sealed in the journal; locked, the group screen does not say "will be sent when
    you are online" (it cannot tell a message from an attendance upload), and it goes after unlock."""
    host, _ = apps
    first = date.today() + timedelta(days=2)
    host.hosting.lead_group(label="Tisdag", schedule_form={"first": first.isoformat(), "at": "18:00", "every": 1,
                                                           "count": "8"},
                            theme="", guidelines="", enrolment=relay.enrolment_token())
    [group] = host.groups.groups.list()
    await delivered(host, "starting a group")
    relay.stop()
    await host.hosting.send_prompt(group, "strengths", "")
    assert host.hosting.delivery.unsent(group.id) == 1
    host.session.lock()
    assert [w.locked for w in host.session.ctx.links.waiting()] == [True]
    assert host.hosting.delivery.unsent(group.id) == 0
    relay.start()
    await host.session.unlock(PASSPHRASE)
    await host.hosting.delivery.back_online()  # what the Listener calls when the relay answers again
    await delivered(host, "unlocking")


async def test_every_role_and_membership_action_is_sent_at_once(apps: tuple[AppModel, AppModel],
                                                                relay: RelayProcess) -> None:
    """The group screen's role controls (issue 15 point 3) go through the same one place that sends."""
    host, member = apps
    first = date.today() + timedelta(days=2)
    host.hosting.lead_group(label="Tisdag", schedule_form={"first": first.isoformat(), "at": "18:00", "every": 1,
                                                           "count": "8"},
                            theme="", guidelines="", enrolment=relay.enrolment_token())
    [group] = host.groups.groups.list()
    await delivered(host, "starting a group")
    code = await host.hosting.make_join_code(group)
    await delivered(host, "making a join code")
    await member.hosting.read_invite(code)
    await member.hosting.join_group("Astrid")
    await delivered(member, "asking to join")  # sent in the background: the host reads it only once it is there
    await host.hosting.delivery.sync_quietly()
    [request] = host.hosting.requests(group)
    await host.hosting.admit(group, request)
    await delivered(host, "letting someone in")
    await member.hosting.delivery.sync_quietly()
    own = member.groups.groups.get(group.id)

    [astrid] = [p for p in host.membership.people(group) if p.name == "Astrid"]
    for action, done in [
        ("naming a host", host.membership.name_host(group, astrid)),
        ("closing the group", host.membership.set_closed(group, True)),
        ("letting every member host", host.membership.set_every_member_hosts(group, True)),
        ("stepping back", host.membership.step_back(group)),
    ]:
        assert await done, (action, host.membership.problem(group, action))
        await delivered(host, action)
        await shown(host, SENT)

    await member.hosting.delivery.sync_quietly()
    assert await member.membership.contact_starter(own, "Tack för allt")
    await delivered(member, "writing to the starter")
    await shown(member, SENT)
    assert await member.membership.leave(own)
    await delivered(member, "leaving the group")
    await shown(member, SENT)
