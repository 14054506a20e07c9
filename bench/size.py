"""Measure one journal size: `python -m bench.size N` prints one JSON object with the figures for N entries.

Each size runs in its own process (started by `python -m bench`) so the peak RSS belongs to that size alone;
the vault itself is filled by a further child process (`bench.populate`) for the same reason. Everything but
the final JSON line goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from app.services.vault_service import VaultService
from app.storage import crypto
from app.storage.slots import PASSPHRASE as PASSPHRASE_SLOT
from app.storage.slots import RECOVERY as RECOVERY_SLOT
from app.storage.slots import derive_slot
from bench import corpus
from bench.populate import CHEAP_KDF, FLOOR_DB, PASSPHRASE

ROOT = Path(__file__).resolve().parent.parent
KEYS = ("unlock_ms", "list50_ms", "search_cold_ms", "search_ms", "search_floor_ms", "save_ms", "rewrap_ms",
        "rekey_ms", "rss_mb")
T = TypeVar("T")


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def timed(fn: Callable[[], T], *, collect: bool = False) -> tuple[float, T]:
    """Milliseconds one call takes. The collector stays on, so collections the call triggers count.

    `collect` first runs a full collection, untimed: used only before an unlock (after a lock has dropped a
    whole journal). Not before short calls: walking the ~100 MB heap evicts the CPU caches and adds about
    0.8 ms to the call that follows (measured on a 2 ms rewrap); short calls get one collection per block.
    """
    if collect:
        gc.collect()
    start = time.perf_counter_ns()
    result = fn()
    return (time.perf_counter_ns() - start) / 1e6, result


def _spread(samples: list[float]) -> str:
    return f"median {statistics.median(samples):.2f} (min {min(samples):.2f}, max {max(samples):.2f}, n={len(samples)})"


def _floor_sql(query: str) -> tuple[str, list[str]]:
    """The plain-SQL counterpart of a journal search: every term must occur (LIKE is a full scan)."""
    terms = query.split()
    return "SELECT id FROM t WHERE " + " AND ".join(["text LIKE ?"] * len(terms)), [f"%{t}%" for t in terms]


def child_env() -> dict[str, str]:
    """The environment for a child `python -m bench.*`: this checkout first on the import path."""
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return dict(os.environ, PYTHONPATH=path)


def populate(home: Path, n: int) -> None:
    done = subprocess.run([sys.executable, "-m", "bench.populate", str(home), str(n)], cwd=ROOT, env=child_env(),
                          stdout=subprocess.PIPE, text=True, check=True)
    if done.stdout:
        sys.stderr.write(done.stdout)
    os.sync()  # let the kernel write the new files back now, not in the middle of a measurement


def _rekeys(service: VaultService, kek: bytes, count: int) -> list[float]:
    """Change and re-key without the KDF: a new data key, every record re-sealed, both slots, one commit.
    The slots are derived beforehand; the first re-key is a warm-up."""
    pairs = [[derive_slot(PASSPHRASE_SLOT, crypto.normalize_passphrase(f"omnyckling {i}"), CHEAP_KDF),
              derive_slot(RECOVERY_SLOT, crypto.normalize_recovery_code(crypto.new_recovery_code()), CHEAP_KDF)]
             for i in range(count + 1)]
    samples: list[float] = []
    gc.collect()
    for i, slots in enumerate(pairs):
        ms, _ = timed(functools.partial(service.vault.rekey, slots, current_kind=PASSPHRASE_SLOT, current_kek=kek))
        if i:
            samples.append(ms)
        kek = slots[0].kek
    return samples


def measure(home: Path, n: int, *, cycles: int, rounds: int, saves: int, rewraps: int,
            rekeys: int = 3) -> dict[str, float]:
    service = VaultService(home, kdf=CHEAP_KDF)
    kek = service.derive_kek(PASSPHRASE_SLOT, PASSPHRASE)  # the KDF is not part of any figure
    unlock = functools.partial(service.unlock_with_kek, kek)
    cold_query = corpus.QUERIES[0]

    # One untimed round first: imports, SQLAlchemy statement caches, the OS page cache.
    journal = service.unlock_with_kek(kek)
    if journal.count() != n:
        raise RuntimeError(f"expected {n} entries, the vault has {journal.count()}")
    journal.page(limit=50)
    journal.search(cold_query)
    service.lock()

    # Alternating cycles: unlock then the first page; unlock then the first search. Each measured step
    # follows its own fresh unlock; lock() checkpoints the WAL between cycles.
    unlock_ms: list[float] = []
    list50_ms: list[float] = []
    cold_ms: list[float] = []
    for cycle in range(cycles):
        ms, journal = timed(unlock, collect=True)
        unlock_ms.append(ms)
        ms, page = timed(functools.partial(journal.page, limit=50))
        list50_ms.append(ms)
        if len(page.entries) != min(50, n):
            raise RuntimeError(f"page(limit=50) gave {len(page.entries)} entries")
        service.lock()

        ms, journal = timed(unlock, collect=True)
        unlock_ms.append(ms)
        ms, _ = timed(functools.partial(journal.search, cold_query))
        cold_ms.append(ms)
        if cycle < cycles - 1:
            service.lock()
    log(f"N={n} unlock_ms {_spread(unlock_ms)}")
    log(f"N={n} list50_ms {_spread(list50_ms)}")
    log(f"N={n} search_cold_ms {_spread(cold_ms)}")

    # Warm searches (index built) against the plain-SQLite floor, interleaved query by query so that noise
    # on the VM hits both alike. Per query: median over the rounds; the figure: median over the queries.
    floor = sqlite3.connect(home / FLOOR_DB)
    journal_samples: dict[str, list[float]] = {q: [] for q in corpus.QUERIES}
    floor_samples: dict[str, list[float]] = {q: [] for q in corpus.QUERIES}
    hits: dict[str, tuple[int, int]] = {}

    def floor_search(query: str) -> list[Any]:
        sql, params = _floor_sql(query)
        return floor.execute(sql, params).fetchall()  # execute() already runs the scan: time both

    for query in corpus.QUERIES:  # warm the caches of both
        hits[query] = (len(journal.search(query)), len(floor_search(query)))
    gc.collect()
    for _ in range(rounds):
        for query in corpus.QUERIES:
            ms, _rows = timed(functools.partial(floor_search, query))
            floor_samples[query].append(ms)
            ms, _found = timed(functools.partial(journal.search, query))
            journal_samples[query].append(ms)
    floor.close()
    for query in corpus.QUERIES:
        log(f"N={n} search {query!r:17} hits journal/floor {hits[query][0]:>5}/{hits[query][1]:<5} "
            f"journal {statistics.median(journal_samples[query]):7.2f} ms  "
            f"floor {statistics.median(floor_samples[query]):7.2f} ms")
    search_ms = statistics.median(statistics.median(s) for s in journal_samples.values())
    floor_ms = statistics.median(statistics.median(s) for s in floor_samples.values())

    # Peak RSS while the journal is unlocked with its search index built (Linux: ru_maxrss is in KiB).
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # Durable saves: one fsync'd commit each.
    texts = corpus.texts(saves + 3, seed=corpus.SEED + 1)
    for text in texts[:3]:
        journal.add(text)
    gc.collect()
    save_ms = [timed(functools.partial(journal.add, text))[0] for text in texts[3:]]
    log(f"N={n} save_ms {_spread(save_ms)}")

    # Passphrase change without the KDF: every new slot and the current KEK are derived beforehand.
    slots = [derive_slot(PASSPHRASE_SLOT, crypto.normalize_passphrase(f"nytt lösenord {i}"), CHEAP_KDF)
             for i in range(rewraps + 1)]
    current = kek
    rewrap_ms: list[float] = []
    gc.collect()
    for i, slot in enumerate(slots):
        ms, _ = timed(functools.partial(service.vault.rewrap, slot, current_kind=PASSPHRASE_SLOT,
                                        current_kek=current))
        if i:  # the first one is a warm-up
            rewrap_ms.append(ms)
        current = slot.kek
    log(f"N={n} rewrap_ms {_spread(rewrap_ms)}")
    rekey_ms = _rekeys(service, current, rekeys)
    log(f"N={n} rekey_ms {_spread(rekey_ms)}")
    service.close()

    return {
        "unlock_ms": statistics.median(unlock_ms),
        "list50_ms": statistics.median(list50_ms),
        "search_cold_ms": statistics.median(cold_ms),
        "search_ms": search_ms,
        "search_floor_ms": floor_ms,
        "save_ms": statistics.median(save_ms),
        "rewrap_ms": statistics.median(rewrap_ms),
        "rekey_ms": statistics.median(rekey_ms),
        "rss_mb": rss_mb,
    }


def run(n: int, *, cycles: int = 7, rounds: int = 7, saves: int = 30, rewraps: int = 31, rekeys: int = 3,
        tmp_dir: str | None = None) -> dict[str, float]:
    """Fill a vault of `n` entries in a temporary directory and measure it; the figures, rounded."""
    with tempfile.TemporaryDirectory(prefix=f"kraft-bench-{n}-", dir=tmp_dir) as tmp:
        home = Path(tmp)
        populate(home, n)
        start = time.perf_counter()
        figures = measure(home, n, cycles=cycles, rounds=rounds, saves=saves, rewraps=rewraps, rekeys=rekeys)
        log(f"N={n} measured in {time.perf_counter() - start:.1f} s")
    return {key: float(f"{figures[key]:.4g}") for key in KEYS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.size", description=__doc__)
    parser.add_argument("n", type=int, help="number of journal entries")
    parser.add_argument("--cycles", type=int, default=7, help="unlock cycles of each kind (default 7)")
    parser.add_argument("--rounds", type=int, default=7, help="rounds over the warm queries (default 7)")
    parser.add_argument("--saves", type=int, default=30, help="timed saves (default 30)")
    parser.add_argument("--rewraps", type=int, default=31, help="timed rewraps (default 31)")
    parser.add_argument("--rekeys", type=int, default=3, help="timed re-keys (default 3)")
    parser.add_argument("--tmp-dir", help="where to make the temporary vault (default: $TMPDIR or /tmp)")
    args = parser.parse_args(argv)
    out = sys.stdout
    with contextlib.redirect_stdout(sys.stderr):  # only the JSON goes to stdout
        result: dict[str, Any] = run(args.n, cycles=args.cycles, rounds=args.rounds, saves=args.saves,
                                     rewraps=args.rewraps, rekeys=args.rekeys, tmp_dir=args.tmp_dir)
    print(json.dumps(result), file=out, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
