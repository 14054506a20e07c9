"""A separate process that writes journal entries as fast as it can and prints each id once it is saved.

Run as `python -m tests.reliability.writer HOME [LIMIT [CLOCK_OFFSET_SECONDS]]`; the tests kill it with SIGKILL
at a random moment, or run it with its wall clock set back or forward. A line on stdout means `Journal.add`
returned: the entry was committed (synchronous=FULL).
"""

from __future__ import annotations

import functools
import sys
from datetime import timedelta
from pathlib import Path

from app.domain.journal import utcnow
from app.services import vault_service
from app.services.journal import Journal
from app.services.vault_service import VaultService
from tests.conftest import FAST_KDF, PASSPHRASE


def main() -> None:
    home = Path(sys.argv[1])
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 10**9
    if len(sys.argv) > 3:  # this process's wall clock is off by that much, as a phone's can be
        offset = timedelta(seconds=float(sys.argv[3]))
        vault_service.Journal = functools.partial(Journal, now=lambda: utcnow() + offset)  # type: ignore[misc]
    service = VaultService(home, kdf=FAST_KDF)
    journal = service.unlock(PASSPHRASE)
    print("ready", flush=True)
    for i in range(limit):
        entry = journal.add(f"entry {i} " + "å" * (i % 300))
        print(entry.id, flush=True)
    service.close()


if __name__ == "__main__":
    main()
