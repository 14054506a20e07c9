"""Where Kraft keeps its data: KRAFT_HOME, else the folder flet gives the app, else platformdirs."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from app.errors import KraftError, Msg

APP_NAME = "kraft"
DB_FILENAME = "kraft.db"


def data_dir(*, create: bool = True) -> Path:
    """The data directory; with `create` made (owner-only) if it does not exist. Commands that only read pass
    `create=False`, so looking at a journal that is not there leaves no folder behind. A path that is a file,
    or a folder that cannot be made, is a KraftError naming it."""
    for var in ("KRAFT_HOME", "FLET_APP_STORAGE_DATA"):
        value = os.environ.get(var)
        if value:
            path = Path(value).expanduser()
            break
    else:
        path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    if path.exists() and not path.is_dir():
        raise KraftError(Msg.HOME_NOT_FOLDER, path=str(path))
    if create:
        ensure_dir(path)
    return path


def ensure_dir(path: Path) -> None:
    """Make the data directory `path` (owner-only) unless it is there; a failure is a KraftError naming it."""
    if path.is_dir():
        return
    if path.exists():
        raise KraftError(Msg.HOME_NOT_FOLDER, path=str(path))
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise KraftError(Msg.HOME_UNUSABLE, path=str(path), detail=exc.strerror or str(exc)) from exc


def database_path(home: Path | None = None) -> Path:
    return (home or data_dir()) / DB_FILENAME
