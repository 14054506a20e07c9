"""The relay under a sustained load of signed attendance reports (issue 5): `python -m bench.attendance`.

A relay process (`kraft coordinator serve`) on 127.0.0.1 with a fresh SQLite file, or the PostgreSQL in
`KRAFT_TEST_POSTGRES_URL` / `BENCH_POSTGRES_URL` (emptied first); this process is the load: WORKERS
threads, each with its own keep-alive connection, post batches of BATCH signed reports (distinct tokens) for
SECONDS. Batches are built and signed before the clock starts, so the figures are the relay's.

stdout: {"sqlite": {"reports_per_s", "p99_ms", "lost", ...}, "postgresql": {...}} (postgresql only when a
database is given). `lost` is reports the relay acknowledged minus those it counts afterwards.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import protocol as p

BATCH = 10  # reports per upload: one device's waiting check-ins, or a few devices' behind a proxy
WORKERS = 8
SECONDS = 10.0
# 48 meetings of the last 12 days: a meeting's quarter closes 14 days after its end at the earliest (ADR 0005), and
# the relay counts nothing more for a closed one
TODAY = datetime.now(UTC).date()  # the relay's day
MEETINGS = [f"{TODAY - timedelta(days=back):%Y%m%d}T{hour:02d}0000Z" for back in range(12) for hour in (9, 12, 15, 18)]


def _batches(mailbox: str, signer: Ed25519PrivateKey, count: int) -> list[dict[str, Any]]:
    out = []
    for i in range(count):
        reports = [{"meeting": MEETINGS[(i * BATCH + j) % len(MEETINGS)], "token": p.b64e(os.urandom(16))}
                   for j in range(BATCH)]
        nonce = p.b64e(os.urandom(12))
        signed = p.signing_bytes("attendance", mailbox=mailbox, epoch=0, nonce=nonce, reports=reports)
        out.append({"epoch": 0, "nonce": nonce, "reports": reports, "signature": p.sign(signer, signed)})
    return out


def run(database_url: str | None, seconds: float = SECONDS) -> dict[str, Any]:
    from tests.relay_process import start_relay

    folder = Path(tempfile.mkdtemp(prefix="kraft-bench-relay-"))
    if database_url:
        from sqlmodel import SQLModel

        from coordinator.db import make_engine

        engine = make_engine(database_url)
        SQLModel.metadata.drop_all(engine)
        engine.dispose()
    # one address sends everything here, like a region's proxy would: the per-address limit is lifted
    relay = start_relay(folder, database_url, "--requests-per-minute", "10000000")
    try:
        key, leader = p.new_group_key(), Ed25519PrivateKey.generate()
        members = p.member_signer(key)
        mailbox = p.mailbox_id(p.new_group_id(), key)
        body = {"mailbox": mailbox, "leader_key": p.public_b64(leader), "member_key": p.public_b64(members)}
        body["signature"] = p.sign(leader, p.signing_bytes("register", **body))
        httpx.post(f"{relay.url}/v1/mailboxes", json=body, timeout=10,
                   headers={"Authorization": f"Bearer {relay.enrolment_token()}"}).raise_for_status()
        # enough pre-signed batches for a fast relay; each worker takes from its own slice
        per_worker = int(seconds * 4000 / BATCH / WORKERS) + 50
        work = [_batches(mailbox, members, per_worker) for _ in range(WORKERS)]
        latencies: list[float] = []
        acknowledged = [0] * WORKERS
        failures = [0] * WORKERS
        lock = threading.Lock()
        stop_at = time.perf_counter() + seconds

        def worker(n: int) -> None:
            own: list[float] = []
            with httpx.Client(base_url=relay.url, timeout=30) as client:
                for batch in work[n]:
                    if time.perf_counter() >= stop_at:
                        break
                    started = time.perf_counter()
                    answer = client.post(f"/v1/mailboxes/{mailbox}/attendance", json=batch)
                    own.append((time.perf_counter() - started) * 1000)
                    if answer.status_code == 200:
                        acknowledged[n] += len(batch["reports"])
                    else:
                        failures[n] += 1
            with lock:
                latencies.extend(own)

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(WORKERS)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        token = relay.coordinator_token()
        overview = httpx.get(f"{relay.url}/v1/coordinator/groups", timeout=30,
                             headers={"Authorization": f"Bearer {token}"}).json()
        counted = sum(m["checkins"] for g in overview["groups"] for m in g["meetings"])
        latencies.sort()
        return {"reports_per_s": round(sum(acknowledged) / elapsed, 1),
                "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))], 2),
                "median_ms": round(statistics.median(latencies), 2), "lost": sum(acknowledged) - counted,
                "failed_requests": sum(failures), "requests": len(latencies), "batch": BATCH, "workers": WORKERS,
                "seconds": round(elapsed, 2)}
    finally:
        relay.stop()


def main() -> int:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else SECONDS
    result = {"sqlite": run(None, seconds)}
    postgres = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("KRAFT_TEST_POSTGRES_URL")
    if postgres:
        result["postgresql"] = run(postgres, seconds)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
