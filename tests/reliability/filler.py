"""A process whose files may not grow past a limit (RLIMIT_FSIZE): it writes entries until the disk is "full".

Run as `python -m tests.reliability.filler HOME LIMIT_BYTES` (0: no limit, the filesystem itself is small).
Prints each saved id, then `error <Msg name>` at the first failure; then waits for a line on stdin (the test
makes room), lifts the limit, writes once more and prints `after <id>`.
"""

from __future__ import annotations

import resource
import signal
import sys
from pathlib import Path

from app.errors import KraftError
from app.services.vault_service import VaultService
from tests.conftest import FAST_KDF, PASSPHRASE


def main() -> None:
    home, limit = Path(sys.argv[1]), int(sys.argv[2])
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing us
    service = VaultService(home, kdf=FAST_KDF)
    journal = service.unlock(PASSPHRASE)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    if limit:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    for i in range(100_000):
        try:
            entry = journal.add(f"entry {i} " + "x" * 2000)
        except KraftError as exc:
            print("error", exc.msg.name, flush=True)
            break
        print(entry.id, flush=True)
    sys.stdin.readline()  # the test has made room
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    print("after", journal.add("written once there was room again").id, flush=True)
    service.close()


if __name__ == "__main__":
    main()
