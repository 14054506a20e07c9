"""Fill a benchmark vault: `python -m bench.populate DIR N`.

Runs in its own process so that the memory it takes (N entries built, sealed and inserted at once) does not
count in the peak RSS of the process that measures. Writes

    DIR/kraft.db   a Kraft vault (passphrase `PASSPHRASE`) holding N entries, locked, closed, WAL checkpointed
    DIR/floor.db   plain SQLite table t(id, text) holding the same searchable plaintext, unencrypted
"""

from __future__ import annotations

import sqlite3
import sys
import time
from pathlib import Path

from app import i18n
from app.domain.journal import Entry, searchable_text
from app.services.journal import NewEntry
from app.services.vault_service import VaultService
from app.storage.crypto import KdfParams
from bench import corpus

PASSPHRASE = "Blåbärssylt på fredag"
# Argon2id is excluded from every figure (the KEK is derived untimed), so setup uses a cheap cost instead of
# the real 64 MiB x 3 passes: only the KDF gets faster, nothing that is measured changes.
CHEAP_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)
FLOOR_DB = "floor.db"


def searchable(entry: Entry) -> str:
    """Exactly what the journal's search scans, in the language it searches in (the context's: English)."""
    return searchable_text(entry, i18n.current())


def populate(home: Path, n: int, seed: int = corpus.SEED, *, kdf: KdfParams = CHEAP_KDF) -> None:
    """A new vault in `home` with `n` entries written in one transaction, then locked and closed. `kdf`: the
    slots' Argon2id cost (bench.cli uses the real one, since its figure includes the KDF)."""
    service = VaultService(home, kdf=kdf)
    pending = service.prepare_setup(PASSPHRASE, PASSPHRASE)
    journal = service.finish_setup(pending, pending.recovery_code)
    entries = journal.add_many(
        NewEntry(item.text, prompt_id=item.prompt_id, tags=item.tags, theme=item.theme, created=item.created)
        for item in corpus.items(n, seed))
    service.lock()  # checkpoints the WAL into kraft.db
    service.close()

    floor = sqlite3.connect(home / FLOOR_DB)
    try:
        floor.execute("CREATE TABLE t (id TEXT NOT NULL, text TEXT NOT NULL)")
        floor.executemany("INSERT INTO t (id, text) VALUES (?, ?)", ((e.id, searchable(e)) for e in entries))
        floor.commit()
    finally:
        floor.close()


def main(argv: list[str]) -> int:
    home, n = Path(argv[0]), int(argv[1])
    start = time.perf_counter()
    populate(home, n)
    print(f"bench: populated {n} entries in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
