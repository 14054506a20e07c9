"""How fast a post reaches a member who is long-polling (issue 15): `python -m bench.delivery`.

A relay process (`kraft coordinator serve`) on 127.0.0.1 with a fresh SQLite file, or on the PostgreSQL in
`BENCH_POSTGRES_URL` / `KRAFT_TEST_POSTGRES_URL` (emptied first). One client long-polls the mailbox
(`GET .../messages?after=P&wait=25`, again as soon as it has its answer); another posts MESSAGES signed member
messages, one at a time, each after the waiter is back to waiting. A message's delivery time is from just before
its POST is sent to the moment the waiter has it (both clients are threads of this process, one clock).

"two_workers": the waiter asks one relay process and the poster another on the same database, as two workers
behind a proxy would be: no in-process wake-up, so this is the relay's 0.5 s re-check of the database.

stdout: {"sqlite": {"p50_ms", "p95_ms", "max_ms", "post_p50_ms", "messages", "lost"}, "sqlite_two_workers":
{...}, "postgresql": {...}, "postgresql_two_workers": {...}} (postgresql only when a database is given).
`lost` is messages posted that the waiter never saw.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import protocol as p

MESSAGES = 50
WAIT = 25
# Seconds between a delivery and the next post: by then the waiter has sent its next fetch. Drawn at random
# (seeded), so that posts do not fall in step with the relay's 0.5 s re-check of the database.
SETTLE = (0.1, 0.6)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[round(q * (len(ordered) - 1))]


def run(database_url: str | None, *, two_workers: bool, messages: int = MESSAGES) -> dict[str, Any]:
    from tests.relay_process import start_relay

    folder = Path(tempfile.mkdtemp(prefix="kraft-bench-delivery-"))
    if database_url:
        from sqlmodel import SQLModel

        from coordinator.db import make_engine

        engine = make_engine(database_url)
        SQLModel.metadata.drop_all(engine)
        engine.dispose()
    relays = [start_relay(folder / "one", database_url)]
    if two_workers:
        relays.append(start_relay(folder / "two", database_url or relays[0].database_url))
    waiter_url, poster_url = relays[0].url, relays[-1].url
    try:
        key, leader = p.new_group_key(), Ed25519PrivateKey.generate()
        members = p.member_signer(key)
        mailbox = p.mailbox_id(p.new_group_id(), key)
        body = {"mailbox": mailbox, "leader_key": p.public_b64(leader), "member_key": p.public_b64(members)}
        body["signature"] = p.sign(leader, p.signing_bytes("register", **body))
        httpx.post(f"{poster_url}/v1/mailboxes", json=body, timeout=30,
                   headers={"Authorization": f"Bearer {relays[0].enrolment_token()}"}).raise_for_status()
        posts = [p.seal_message(mailbox=mailbox, sender=p.MEMBER, epoch=0, seq=0, group_key=key, channel=p.CONTENT,
                                kind="cant_come", body={"n": i}, signer=members).to_post() for i in range(messages)]

        seen: dict[str, float] = {}  # nonce -> when the waiter had it
        delivered = threading.Condition()
        done = threading.Event()

        def waiter() -> None:
            after = 0
            with httpx.Client(base_url=waiter_url, timeout=WAIT + 10) as client:
                while not done.is_set():
                    page = client.get(f"/v1/mailboxes/{mailbox}/messages",
                                      params={"after": after, "wait": WAIT}).json()
                    now = time.perf_counter()
                    with delivered:
                        for message in page["messages"]:
                            seen[message["nonce"]] = now
                            after = max(after, message["position"])
                        delivered.notify_all()

        thread = threading.Thread(target=waiter, daemon=True)
        thread.start()
        time.sleep(0.5)
        sent: dict[str, float] = {}
        pace = random.Random(15)
        post_ms: list[float] = []
        with httpx.Client(base_url=poster_url, timeout=30) as client:
            for post in posts:
                started = time.perf_counter()
                sent[post["nonce"]] = started
                client.post(f"/v1/mailboxes/{mailbox}/messages", json=post).raise_for_status()
                post_ms.append((time.perf_counter() - started) * 1000)
                with delivered:
                    delivered.wait_for(lambda nonce=post["nonce"]: nonce in seen, timeout=WAIT + 5)
                time.sleep(pace.uniform(*SETTLE))
        done.set()
        with httpx.Client(base_url=poster_url, timeout=30) as client:  # let the waiter's last fetch return
            last = p.seal_message(mailbox=mailbox, sender=p.MEMBER, epoch=0, seq=0, group_key=key,
                                  channel=p.CONTENT, kind="cant_come", body={}, signer=members).to_post()
            client.post(f"/v1/mailboxes/{mailbox}/messages", json=last).raise_for_status()
        thread.join(WAIT + 10)
        delays = [(seen[nonce] - started) * 1000 for nonce, started in sent.items() if nonce in seen]
        return {"p50_ms": round(statistics.median(delays), 1), "p95_ms": round(_percentile(delays, 0.95), 1),
                "max_ms": round(max(delays), 1), "post_p50_ms": round(statistics.median(post_ms), 1),
                "messages": len(sent), "lost": len(sent) - len(delays)}
    finally:
        for relay in relays:
            relay.stop()


@contextlib.contextmanager
def _own_schema(url: str) -> Iterator[str]:
    """`url` in a schema of this run's own (search_path), dropped afterwards: nobody else's tables are emptied."""
    import psycopg
    from psycopg import sql
    from sqlalchemy.engine import make_url

    plain = url.replace("postgresql+psycopg://", "postgresql://", 1)
    name = f"kraft_bench_delivery_{os.getpid()}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(name)))
    try:
        yield make_url(plain).update_query_dict({"options": f"-csearch_path={name}"}).render_as_string(
            hide_password=False)
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


def main() -> int:
    messages = int(sys.argv[1]) if len(sys.argv) > 1 else MESSAGES
    result = {"sqlite": run(None, two_workers=False, messages=messages),
              "sqlite_two_workers": run(None, two_workers=True, messages=messages)}
    postgres = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("KRAFT_TEST_POSTGRES_URL")
    if postgres:
        with _own_schema(postgres) as own:
            result["postgresql"] = run(own, two_workers=False, messages=messages)
            result["postgresql_two_workers"] = run(own, two_workers=True, messages=messages)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
