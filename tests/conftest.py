"""Shared fixtures: a data directory per test, cheap KDF parameters, an unlocked journal."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hypothesis import settings

from app import i18n
from app.services.journal import Journal
from app.services.vault_service import VaultService
from app.storage.crypto import KdfParams
from tests.examples import FAST

# In the tests an unknown route is an error, never the silent home screen production falls back to.
os.environ["KRAFT_STRICT_ROUTES"] = "1"

# `make check` (KRAFT_FAST=1) runs fewer examples of the property tests without their own count; see tests/examples.py.
settings.register_profile("check", max_examples=20)
if FAST:
    settings.load_profile("check")

# Argon2id at the real cost (64 MiB, 3 passes) takes ~0.3 s; tests that are not about the KDF use this.
FAST_KDF = KdfParams(memory_kib=1024, iterations=1, lanes=1)
PASSPHRASE = "correct horse battery"


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogs() -> None:
    """What `make catalogs` does, so a bare `pytest` sees the translations too."""
    for po in i18n.LOCALES_DIR.glob("*/LC_MESSAGES/kraft.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            with po.open("rb") as src:
                catalog = read_po(src)
            # Written aside and renamed into place: under `pytest -n 2` the other worker may be reading it.
            part = mo.with_name(f"{mo.name}.{os.getpid()}.part")
            with part.open("wb") as out:
                write_mo(out, catalog)
            os.replace(part, mo)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    i18n.activate("en")
    yield
    i18n.activate("en")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "kraft-home"
    path.mkdir()
    monkeypatch.setenv("KRAFT_HOME", str(path))
    return path


@pytest.fixture
def service(home: Path) -> Iterator[VaultService]:
    svc = VaultService(home, kdf=FAST_KDF)
    yield svc
    svc.close()


@pytest.fixture
def journal(service: VaultService) -> Journal:
    pending = service.prepare_setup(PASSPHRASE, PASSPHRASE)
    return service.finish_setup(pending, pending.recovery_code)


@pytest.fixture
def small_filesystem(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs (needs root and mount, as in CI's container); skipped with the reason where not allowed."""
    mountpoint = tmp_path / "small"
    mountpoint.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mountpoint)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small filesystem here: {mounted.stderr.strip()}")
    try:
        yield mountpoint
    finally:
        if subprocess.run(["umount", str(mountpoint)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mountpoint)], check=True)  # still busy: detach it anyway
