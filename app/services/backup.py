"""Backups: make one (journal open), check one opens (without touching the live data), restore one.

A restore never replaces data on this device unless asked to, and then moves what was there aside as a
safety copy (`before-restore-<time>-kraft.db`, with its WAL) instead of deleting it. The new database is
written beside the old one and swapped in with one rename.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from app import paths
from app.errors import KraftError, Msg
from app.fileio import write_atomic
from app.services.vault_service import VaultService
from app.storage import crypto, records
from app.storage.backup import (
    RecordOpener,
    inspect_snapshot,
    mark_links_restored,
    open_backup,
    opener_for,
    read_back,
    read_header,
    restored_counter,
    seal_backup,
    set_counter_for,
)
from app.storage.db import holds_member_data
from app.storage.slots import PASSPHRASE, RECOVERY

SUFFIX = ".kraftbackup"
ENTRY = records.ENTRY.name


@dataclass(frozen=True)
class BackupReport:
    """What a backup holds, found by opening every record in it."""

    created: date
    entries: int
    records: int
    damaged: int
    groups: int


@dataclass(frozen=True)
class RestoreResult:
    report: BackupReport
    safety_copies: list[Path] = field(default_factory=list)


def default_name(today: date | None = None) -> str:
    return f"kraft-backup-{(today or date.today()).isoformat()}{SUFFIX}"


def _report(created: date, snapshot: bytes, open_record: RecordOpener) -> BackupReport:
    summary = inspect_snapshot(snapshot, open_record)
    return BackupReport(created=created, entries=summary.records.get(ENTRY, 0),
                        records=sum(summary.records.values()), damaged=summary.damaged, groups=summary.groups)


def _write(path: Path, data: bytes) -> None:
    try:
        write_atomic(path, data)
    except OSError as exc:
        raise KraftError(Msg.FILE_UNWRITABLE, path=str(path), detail=exc.strerror or str(exc)) from exc


def make_backup(service: VaultService, *, today: date | None = None) -> tuple[str, bytes, BackupReport]:
    """A backup in memory (for the app to hand to a save dialog): file name, bytes, and what it holds."""
    service.require_journal()
    service.vault.flush_deferred()
    day = today or date.today()
    data = seal_backup(service.vault, service.engine, today=day)
    return default_name(day), data, _check_own(data, service)


def _check_own(data: bytes, service: VaultService) -> BackupReport:
    return _report(read_header(data).created, read_back(data, service.vault), service.vault.open_record)


def create_backup(service: VaultService, dest: Path, *, today: date | None = None) -> BackupReport:
    """Write an encrypted backup of everything on this device to `dest` (atomically), then read it back."""
    _name, data, _report_before = make_backup(service, today=today)
    _write(dest, data)
    return _check_own(_read(dest), service)  # what is on disk now is what a restore will see


def _set_counter(target: Path, counter: int) -> None:
    """The counter outside the database follows the restored one (docs/adr/0011-rollback.md)."""
    try:
        set_counter_for(target, counter)
    except OSError as exc:
        raise KraftError(Msg.FILE_UNWRITABLE, path=str(target), detail=exc.strerror or str(exc)) from exc


def _read(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise KraftError(Msg.BACKUP_UNREADABLE, detail=exc.strerror or str(exc)) from exc


def _kek(data: bytes, secret: str, kind: str) -> bytes:
    """Slow (Argon2id), and only after `read_header` has checked every field, its bounds included."""
    params, salt = read_header(data).slot_params(kind)
    raw = crypto.normalize_recovery_code(secret) if kind == RECOVERY else crypto.normalize_passphrase(secret)
    return crypto.derive_key(raw, salt, params)


def verify_backup(source: Path | bytes, secret: str, *, kind: str = PASSPHRASE) -> BackupReport:
    """Slow (Argon2id): open a backup (a file, or its bytes) with its passphrase or recovery code and check
    every record in it. Nothing on this device is read or written."""
    data = source if isinstance(source, bytes) else _read(source)
    snapshot, data_key = open_backup(data, kind, _kek(data, secret, kind))
    return _report(read_header(data).created, snapshot, opener_for(data_key))


def would_replace(home: Path) -> bool:
    """Whether a restore into `home` would replace data (a journal, groups or settings) already there."""
    return holds_member_data(paths.database_path(home))


def check_restore(home: Path, data: bytes, *, kind: str = PASSPHRASE, replace: bool = False) -> date:
    """Fast: what a restore can check before the slow Argon2id run, so a bad file costs no wait and no lock
    (docs/adr/0003-backups-and-check-ins.md, decision 7): every header field, its bounds, that it has the
    slot asked for, and whether it would replace data here. Returns the day the backup was made."""
    header = read_header(data)
    header.slot(kind)
    if would_replace(home) and not replace:
        raise KraftError(Msg.RESTORE_WOULD_REPLACE)
    return header.created


def restore_backup(home: Path, source: Path | bytes, secret: str, *, kind: str = PASSPHRASE, replace: bool = False,
                   now: datetime | None = None) -> RestoreResult:
    """Make `source` the database in `home`. Whatever is there is moved aside first, and only with `replace`.
    The caller must have closed every connection to the live database (VaultService.close)."""
    data = source if isinstance(source, bytes) else _read(source)
    created = check_restore(home, data, kind=kind, replace=replace)
    snapshot, data_key = open_backup(data, kind, _kek(data, secret, kind))
    report = _report(created, snapshot, opener_for(data_key))
    target = paths.database_path(home)
    present = [p for p in (target, Path(f"{target}-wal"), Path(f"{target}-shm")) if p.exists()]
    staged = target.with_name(f".{target.name}.restoring")
    _write(staged, snapshot)
    try:
        mark_links_restored(staged)  # sequence numbers may be behind the relay: read first (ADR 0006, "Restore")
        counter = restored_counter(staged)
    except KraftError:
        staged.unlink(missing_ok=True)
        raise
    for leftover in (Path(f"{staged}-wal"), Path(f"{staged}-shm")):
        if leftover.exists() and leftover.stat().st_size == 0:
            leftover.unlink()  # folded back and closed: nothing in it
    _set_counter(target, counter)  # before the swap: a crash between leaves a lower counter, never a false report
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S")
    moved = []
    for old in present:
        aside = old.with_name(f"before-restore-{stamp}-{old.name}")
        try:
            os.replace(old, aside)
        except FileNotFoundError:
            # Only -wal and -shm can go in between: a connection still open somewhere (one the collector
            # closes late) checkpoints into the database file, which is already aside, and removes them.
            if old == target:
                raise
            continue
        moved.append(aside)
    os.replace(staged, target)
    return RestoreResult(report=report, safety_copies=moved)
