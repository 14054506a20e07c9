"""Where unlock and the first search spend their time: `python -m bench.profile [N]` (default 10000).

Fills a temporary vault like `bench.size`, then prints (to stdout) a cProfile of one unlock and of one cold
search, and a step-by-step timing of what the cold search does (no profiler overhead). For humans, not CI.
"""

from __future__ import annotations

import cProfile
import functools
import pstats
import statistics
import sys
import tempfile
from pathlib import Path

import msgpack

from app.services.vault_service import VaultService
from app.storage import records
from app.storage.slots import PASSPHRASE as PASSPHRASE_SLOT
from bench import corpus
from bench.populate import CHEAP_KDF, PASSPHRASE, searchable
from bench.size import populate, timed


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 10000
    query = corpus.QUERIES[0]
    with tempfile.TemporaryDirectory(prefix="kraft-profile-") as tmp:
        home = Path(tmp)
        populate(home, n)
        service = VaultService(home, kdf=CHEAP_KDF)
        kek = service.derive_kek(PASSPHRASE_SLOT, PASSPHRASE)
        service.unlock_with_kek(kek).search(query)
        service.lock()

        for what in ("unlock", "cold search"):
            journal = service.unlock_with_kek(kek)
            if what == "unlock":
                service.lock()
            profile = cProfile.Profile()
            profile.enable()
            if what == "unlock":
                journal = service.unlock_with_kek(kek)
            else:
                journal.search(query)
            profile.disable()
            print(f"==== {what}, N={n} (under cProfile) ====")
            pstats.Stats(profile, stream=sys.stdout).sort_stats("tottime").print_stats(12)
            service.lock()

        # The cold search, step by step, on the payloads as unlock leaves them (median of 5).
        steps: dict[str, list[float]] = {}
        for _ in range(5):
            journal = service.unlock_with_kek(kek)
            raw = list(journal._index._raw.items())  # bench only: the decrypted, not yet unpacked payloads
            ms = {
                "msgpack.unpackb of every body": timed(functools.partial(
                    lambda r: [msgpack.unpackb(memoryview(p)[9:], timestamp=3) for _, p in r], raw))[0],
            }
            ms["records.ENTRY.unpack of every entry"], entries = timed(functools.partial(
                lambda r: [records.ENTRY.unpack(i, p) for i, p in r], raw))
            ms["join text, prompt and tags"], texts = timed(functools.partial(
                lambda es: [searchable(e) for e in es], entries))
            ms["str.lower() of every haystack"], folded = timed(functools.partial(
                lambda ts: [t.lower() for t in ts], texts))
            ms["substring scan (one term)"], _ = timed(functools.partial(
                lambda fs: [f for f in fs if query in f], folded))
            ms["journal.search (cold), for comparison"], _ = timed(functools.partial(journal.search, query))
            for name, value in ms.items():
                steps.setdefault(name, []).append(value)
            service.lock()
        service.close()
        print(f"==== cold search {query!r}, N={n}, step by step (median of 5, ms) ====")
        for name, values in steps.items():
            print(f"{statistics.median(values):8.1f}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
