"""From a host's send to the message applied in a second, open app (issue 15 point 9, docs/adr/0008-delivery.md):
`python -m bench.app_delivery [MESSAGES]`.

A relay process (`kraft coordinator serve`, a fresh SQLite file) on 127.0.0.1; two data directories, a host's
and a member's (a version 2 group, the member let in). The member's app is open: its `Listener`
(app/services/delivery.py) long-polls the mailbox and, on news, runs the sync, as the open app does. The host
sends MESSAGES (50) homework texts one at a time, each 0.1-0.6 s (seeded) after the last was applied. A figure
is the time from just before the host's service call (`send_prompt`, then the outbox flushed, as `deliver`
does) to the member's sync having applied that text (one process, one clock).

stdout: {"delivery_p50_ms", "delivery_p95_ms", "delivery_max_ms", "messages", "lost"}; `lost` is texts the
member never applied (each is given 30 s).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

MESSAGES = 50
SETTLE = (0.1, 0.6)
GIVE_UP = 30.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[round(q * (len(ordered) - 1))]


class Person:
    """One app's data directory and services (a journal with a cheap KDF: the KDF is not measured)."""

    def __init__(self, home: Path) -> None:
        from app.services.vault_service import VaultService
        from app.storage.crypto import KdfParams

        home.mkdir(parents=True)
        self.service = VaultService(home, kdf=KdfParams(memory_kib=1024, iterations=1, lanes=1))
        pending = self.service.prepare_setup("correct horse battery", "correct horse battery")
        self.service.finish_setup(pending, pending.recovery_code)

    def circles(self) -> Any:
        from app.services.group_layer.circle import Circles

        return Circles(self.service.engine, self.service.vault)

    def sync(self) -> Any:
        from app.services.relay_sync import SyncService

        report = SyncService(self.service.engine, self.service.vault).run(now=datetime.now(UTC))
        if report.problems:
            raise RuntimeError(f"sync failed: {report.problems}")
        return report

    def homework(self, group_id: str) -> str:
        from app.services.groups import GroupService

        details = GroupService(self.service.engine, self.service.vault).details(group_id)
        return details.homework_text if details is not None else ""


def _group(host: Person, member: Person, relay: Any) -> str:
    """A version 2 group started by `host`, with `member` asked, let in and holding the group's key."""
    from app.domain.schedule import Schedule
    from app.services.group_layer import asking, hosting, starting
    from app.services.joining import JoinService

    now = datetime.now(UTC)
    schedule = Schedule.weekly(zone="Europe/Stockholm", first=now.date() + timedelta(days=2), at=clock(18), count=8)
    group = starting.create_group(host.circles(), "Tisdag", schedule, theme="", relay=relay.url,
                                  enrolment=relay.enrolment_token(), policy=starting.policy_for(), now=now)
    host.sync()
    link = starting.invite(host.circles(), group.id, uses=1, today=now.date()).link
    preview = JoinService(member.service.engine, member.service.vault).read(link, today=now.date())
    asking.ask(member.circles(), preview, name="Astrid", now=now)
    member.sync()
    host.sync()
    for request in hosting.requests(host.circles(), group.id):
        hosting.admit(host.circles(), group.id, request.id, now=now)
    host.sync()
    member.sync()
    return str(group.id)


async def _measure(host: Person, member: Person, group_id: str, messages: int) -> dict[str, Any]:
    from app.services.delivery import Listener, listenable
    from app.services.leader import LeaderService
    from app.services.links import LinkStore

    applied: dict[str, float] = {}  # text -> when the member's sync had applied it
    news = asyncio.Event()

    async def on_news() -> None:
        await asyncio.to_thread(member.sync)
        text = await asyncio.to_thread(member.homework, group_id)
        applied.setdefault(text, time.perf_counter())
        news.set()

    listener = Listener(lambda: listenable(LinkStore(member.service.engine, member.service.vault)),
                        on_news=on_news, active=lambda: True)
    closed = asyncio.Event()
    listening = asyncio.create_task(listener.run(closed))
    await asyncio.sleep(0.5)  # the member's app is open and waiting at the relay
    leader = LeaderService(host.service.engine, host.service.vault)
    pace = random.Random(15)
    sent: dict[str, float] = {}

    def send(text: str) -> None:
        leader.send_prompt(group_id, text=text, now=datetime.now(UTC))
        if host.sync().sent < 1:
            raise RuntimeError("the homework was not sent")

    try:
        for i in range(messages):
            text = f"Bench {i}: what helped you this week?"
            sent[text] = time.perf_counter()
            await asyncio.to_thread(send, text)
            deadline = sent[text] + GIVE_UP
            while text not in applied and time.perf_counter() < deadline:
                news.clear()
                try:
                    await asyncio.wait_for(news.wait(), timeout=max(0.01, deadline - time.perf_counter()))
                except TimeoutError:
                    break
            await asyncio.sleep(pace.uniform(*SETTLE))
    finally:
        closed.set()
        listener.pause()
        listening.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await listening
    delays = [(applied[text] - started) * 1000 for text, started in sent.items() if text in applied]
    if not delays:
        raise RuntimeError("no message was applied")
    return {"delivery_p50_ms": round(statistics.median(delays), 1),
            "delivery_p95_ms": round(_percentile(delays, 0.95), 1), "delivery_max_ms": round(max(delays), 1),
            "messages": len(sent), "lost": len(sent) - len(delays)}


def run(messages: int = MESSAGES) -> dict[str, Any]:
    from tests.relay_process import start_relay

    folder = Path(tempfile.mkdtemp(prefix="kraft-bench-app-delivery-"))
    relay = start_relay(folder / "relay")
    people: list[Person] = []
    try:
        people = [Person(folder / "host"), Person(folder / "member")]
        host, member = people
        group_id = _group(host, member, relay)
        return asyncio.run(_measure(host, member, group_id, messages))
    finally:
        for person in people:
            person.service.close()
        relay.stop()


def main() -> int:
    messages = int(sys.argv[1]) if len(sys.argv) > 1 else MESSAGES
    print(json.dumps(run(messages)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
