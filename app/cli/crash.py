"""What `kraft` does with an exception nobody expected: a calm message, and the details in a log file.

The log holds where it happened (files, lines, functions) and the exception's type, never its message or
any value: a message can quote what the member wrote, and the log is not encrypted. It lives in the
platform's log folder (owner-only), not in the data folder, which may itself be what failed.
"""

from __future__ import annotations

import os
import traceback
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from app.paths import APP_NAME

LOG_NAME = "kraft-cli.log"
MAX_LOG_BYTES = 256 * 1024  # older reports go first: the log never grows past this


def log_path() -> Path:
    """Where the reports go (KRAFT_LOG_DIR, else the platform's user log folder)."""
    folder = os.environ.get("KRAFT_LOG_DIR") or platformdirs.user_log_dir(APP_NAME, appauthor=False)
    return Path(folder) / LOG_NAME


def describe(exc: BaseException) -> str:
    """The report: a time, the exception's type and the frames it passed through, no message and no values."""
    frames = traceback.extract_tb(exc.__traceback__)
    lines = [f"{datetime.now(UTC).isoformat(timespec='seconds')} {type(exc).__module__}.{type(exc).__qualname__}"]
    lines += [f"  {Path(f.filename).name}:{f.lineno} in {f.name}" for f in frames]
    return "\n".join(lines) + "\n"


def report(exc: BaseException) -> Path | None:
    """Append the report to the log; its path, or None when even that cannot be written."""
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        text = (old + describe(exc))[-MAX_LOG_BYTES:]
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
    except OSError:
        return None
    return path
