"""Where Kraft keeps its data: KRAFT_HOME, else the folder flet gives the app, else platformdirs."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "kraft"
DB_FILENAME = "kraft.db"


def data_dir() -> Path:
    """The data directory, created with owner-only permissions if it does not exist."""
    for var in ("KRAFT_HOME", "FLET_APP_STORAGE_DATA"):
        value = os.environ.get(var)
        if value:
            path = Path(value).expanduser()
            break
    else:
        path = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def database_path(home: Path | None = None) -> Path:
    return (home or data_dir()) / DB_FILENAME
