"""Sealing format-1 records again as format 2, once, at the first unlock after the upgrade (the key is needed,
so it cannot be a named migration of app.storage.db, which runs locked; docs/adr/0011-rollback.md)."""

from __future__ import annotations

from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError as SADBAPIError

from app.storage import crypto, db, manifest
from app.storage.manifest import IntegrityReport

RecordAd = Callable[[str, str, int, int], bytes]  # kind, id, fmt, version -> associated data


def reseal_format1(conn: Connection, aead: AESGCM, ad: RecordAd, fmt: int, vault_format: int) -> int:
    """Seal every format-1 record again as format `fmt`, version 1, and mark the vault `vault_format`; returns
    how many records.

    A format-1 ciphertext has no version, so once every record is past it, an old one written back can never
    pass for the current one. A record that does not open stays as it is (reported as damaged when read).
    """
    rows = conn.exec_driver_sql("SELECT id, kind, nonce, ciphertext FROM record WHERE fmt = 1").fetchall()
    done = 0
    for record_id, kind, nonce, ct in rows:
        try:
            plain = aead.decrypt(nonce, ct, ad(kind, record_id, 1, 0))
        except InvalidTag:
            continue
        new_nonce, new_ct = crypto.seal(aead, plain, ad(kind, record_id, fmt, 1))
        conn.exec_driver_sql("UPDATE record SET fmt = ?, version = 1, nonce = ?, ciphertext = ? WHERE id = ?",
                             (fmt, new_nonce, new_ct, record_id))
        done += 1
    conn.exec_driver_sql("UPDATE vault_header SET format_version = ?", (vault_format,))
    return done


def check_at_unlock(engine: Engine, aead: AESGCM, mac_key: bytes, ad: RecordAd, fmt: int,
                    vault_format: int) -> IntegrityReport:
    """Compare the records with the manifest (docs/adr/0011-rollback.md). Nothing reported is changed: a
    vault from before format 2 gets its first manifest (its format-1 records sealed again as `fmt`), and
    records of groups removed while locked leave it, only when nothing else is amiss (and not at all when the
    database is busy: the next unlock will)."""
    with engine.connect() as conn:
        outside = manifest.outside_counter(engine)
        first = manifest.never_made(conn, outside)
        report, rewrite = (IntegrityReport(), True) if first else manifest.check(conn, mac_key, outside)
    if rewrite:
        try:
            with db.writing(engine).begin() as conn:
                reseal_format1(conn, aead, ad, fmt, vault_format)
                counter = manifest.write(conn, mac_key)
        except SADBAPIError:
            return report
        manifest.publish(engine, counter)
    return report
