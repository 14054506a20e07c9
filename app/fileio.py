"""Writing files that hold plaintext a member chose to take out of the vault (exports, a recovery code).

Both helpers create the file owner-only (0600) from the first byte and fsync it before returning, so a crash
leaves either the old file or the whole new one, never a half-written export readable by others.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

PRIVATE_MODE = 0o600


def _fsync_dir(directory: Path) -> None:
    # Make the rename itself durable; not every platform lets a directory be opened (Windows).
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(path: Path, data: bytes, *, mode: int = PRIVATE_MODE, durable: bool = True) -> None:
    """Replace `path` with `data` in one step: a temp file beside it, fsync, then `os.replace`.

    `durable=False` leaves out both fsyncs, for a file whose loss in a power cut only costs a little (the
    rollback counter beside the database: a file behind the database is never reported; two fsyncs were
    two thirds of a save's time). It is still replaced whole or not at all.

    >>> write_atomic(Path("journal.md"), b"# Journal\\n")  # doctest: +SKIP
    """
    path = Path(path)
    directory = path.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        if hasattr(os, "fchmod"):  # mkstemp already makes it 0600; this also honours an explicit mode
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    if durable:
        _fsync_dir(directory)


def write_new(path: Path, data: bytes, *, mode: int = PRIVATE_MODE) -> None:
    """Write a file that must not exist yet (raises FileExistsError), owner-only, fsync'd."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    _fsync_dir(path.parent)
