"""The deployment profile a region edits (`flet.toml`), read at start with tomllib and validated.

A bad profile stops the app with a message naming the file, the field and what is wrong, never a traceback.
The file is looked up in KRAFT_CONFIG, else beside the app (the repository root / the bundled app folder).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from app.errors import KraftError, Msg
from app.i18n import SUPPORTED

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "flet.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Organisation(_Strict):
    name: str = Field(default="Kraft", min_length=1, max_length=120)
    region: str = Field(default="", max_length=120)


class Relay(_Strict):
    # Empty means: no sync at all; everything stays on the device.
    url: str = ""

    @field_validator("url")
    @classmethod
    def _https_or_loopback(cls, value: str) -> str:
        if value and not (value.startswith("https://") or value.startswith("http://127.0.0.1")
                          or value.startswith("http://localhost")):
            raise ValueError("must be empty, an https:// URL, or http://127.0.0.1 for testing")
        return value.rstrip("/")


class CrisisLine(_Strict):
    country: Literal["SE", "NO", "DK"]
    name: str = Field(min_length=1, max_length=80)
    number: str = Field(min_length=2, max_length=20, pattern=r"^[0-9 +]+$")


# The glossary's defaults; each region confirms its own in flet.toml.
DEFAULT_CRISIS_LINES = (
    CrisisLine(country="SE", name="Nödnummer (SOS Alarm)", number="112"),
    CrisisLine(country="SE", name="1177 Vårdguiden", number="1177"),
    CrisisLine(country="SE", name="Självmordslinjen (Mind)", number="90101"),
    CrisisLine(country="NO", name="Medisinsk nødhjelp", number="113"),
    CrisisLine(country="NO", name="Legevakt", number="116 117"),
    CrisisLine(country="NO", name="Mental Helse hjelpetelefon", number="116 123"),
    CrisisLine(country="NO", name="Kirkens SOS", number="22 40 00 40"),
    CrisisLine(country="DK", name="Alarmcentralen", number="112"),
    CrisisLine(country="DK", name="Livslinien", number="70 201 201"),
)


class Web(_Strict):
    host: str = "127.0.0.1"
    port: int = Field(default=8550, ge=1, le=65535)


class Profile(_Strict):
    """What a region can change without touching code."""

    organisation: Organisation = Organisation()
    relay: Relay = Relay()
    default_language: str = "sv"
    prompt_pack: Literal["builtin"] = "builtin"
    web: Web = Web()
    crisis_lines: tuple[CrisisLine, ...] = DEFAULT_CRISIS_LINES

    @field_validator("default_language")
    @classmethod
    def _supported(cls, value: str) -> str:
        if value not in SUPPORTED:
            raise ValueError(f"must be one of {', '.join(SUPPORTED)}")
        return value


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(top level)"
        lines.append(f"  - {where}: {item['msg']}")
    return "\n".join(lines)


def load_profile(path: Path | None = None) -> Profile:
    """Read and validate the profile; a missing file gives the defaults, a bad one a `KraftError`."""
    if path is None:
        env = os.environ.get("KRAFT_CONFIG")
        path = Path(env) if env else DEFAULT_PATH
    if not path.exists():
        return Profile()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise KraftError(Msg.CONFIG_UNREADABLE, path=str(path), detail=str(exc)) from exc
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise KraftError(Msg.CONFIG_INVALID, path=str(path), detail=_describe(exc)) from exc
