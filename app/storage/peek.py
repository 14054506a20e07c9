"""A key slot's KDF parameters and salt, read with the standard library's sqlite3 and without SQLAlchemy, so
the CLI can start Argon2id while it still loads (docs/adr/0015-kdf-ahead.md).

Only a hint: any problem (no file, no such table or slot, a damaged row, a busy or locked file) is `None`,
and the command's normal path then reads the same row through the vault and reports what is wrong. The row
is checked by the vault's own function (`slots.params_and_salt`, through app.storage.direct), so a crafted
file cannot make the early derivation take gigabytes or minutes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

from app.errors import KraftError
from app.storage import slots
from app.storage.crypto import KdfParams
from app.storage.direct import Direct


def slot_params(database: Path, kind: str) -> tuple[KdfParams, bytes] | None:
    """(params, salt) of the `kind` slot in the database file, or None; opens the file read-only, makes
    nothing, and waits at most a moment for a writer."""
    if not database.is_file():
        return None
    try:
        conn = sqlite3.connect(f"file:{quote(str(database))}?mode=ro", uri=True, timeout=0.2)
    except sqlite3.Error:
        return None
    try:
        return slots.params_and_salt(Direct(conn, database), kind)
    except KraftError:  # no such slot or table, a damaged row, a busy file: the normal path says which
        return None
    finally:
        conn.close()
