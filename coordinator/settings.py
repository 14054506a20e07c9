"""The relay's settings: where its database is, and its limits."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

MAX_BODY_BYTES = 96 * 1024  # a message's ciphertext (48 KiB) in base64, with room for the envelope
REQUESTS_PER_MINUTE = 300  # per client, all routes
JOIN_CODE_LOOKUPS_PER_MINUTE = 20  # per client: join codes are short, guessing them must be slow
MAX_JOIN_CODE_DAYS = 30
MAX_PAGE = 500
MAX_WAIT = 25  # seconds a fetch may ask to wait for a message (long poll); under common proxies' 30 s timeouts


def default_database_url() -> str:
    """`DATABASE_URL` when set (PostgreSQL for a region that outgrows one machine), else SQLite beside the
    app's data (`KRAFT_HOME`) or in the platform's data directory for "kraft-relay"."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    home = os.environ.get("KRAFT_HOME")
    folder = Path(home) if home else Path(platformdirs.user_data_dir("kraft-relay", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'relay.db'}"


@dataclass(frozen=True)
class Settings:
    database_url: str
    max_body_bytes: int = MAX_BODY_BYTES
    requests_per_minute: int = REQUESTS_PER_MINUTE
    join_code_lookups_per_minute: int = JOIN_CODE_LOOKUPS_PER_MINUTE
    longest_wait: float = MAX_WAIT  # a long poll answers after at most this long, whatever it asked (tests)
