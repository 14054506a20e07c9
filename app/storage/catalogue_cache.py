"""The device's copy of its region's catalogue (docs/adr/0016-region-catalogue.md): the signed document as it
came, in a file beside the database, so "Find a group" works offline and without a journal. It is public text;
whoever reads it checks the signature again (a changed file is not trusted)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.fileio import write_atomic
from app.paths import ensure_dir

MAX_BYTES = 512 * 1024  # 200 entries of at most ~600 bytes, with room; a larger file is not ours


def cache_path(home: Path, region: str) -> Path:
    return home / f"catalogue-{region}.json"


def read_cached(home: Path, region: str) -> dict[str, Any] | None:
    """The stored `{"catalogue": ..., "signature": ...}`, or None when there is none or it is not JSON."""
    path = cache_path(home, region)
    try:
        if path.stat().st_size > MAX_BYTES:
            return None
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def write_cached(home: Path, region: str, signed: dict[str, Any]) -> None:
    """Replace the copy in one step (a cut write leaves the old copy)."""
    ensure_dir(home)
    write_atomic(cache_path(home, region), json.dumps(signed, ensure_ascii=False, sort_keys=True).encode("utf-8"),
                 durable=False)
