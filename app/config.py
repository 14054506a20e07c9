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

from app.domain.themes import LIBRARY, Theme
from app.errors import KraftError, Msg
from app.i18n import SUPPORTED
from app.relay_url import check_relay_url

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "flet.toml"
# Like tomllib's and pydantic's own details, for the region's technician: the file's words are English too.
NESTED_TOO_DEEP = "it is nested too deeply (lists or tables inside each other a thousand times)"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Organisation(_Strict):
    name: str = Field(default="Kraft", min_length=1, max_length=120)
    region: str = Field(default="", max_length=120)
    # The coordinator's public region key (`kraft coordinator key new`): the catalogue of groups is trusted only
    # when it is signed by this key (docs/adr/0016-region-catalogue.md). Empty: no "Find a group".
    region_key: str = ""

    @field_validator("region_key")
    @classmethod
    def _region_key(cls, value: str) -> str:
        if value:
            from protocol import ProtocolError, read_region_key  # only then: the profile is read before cryptography

            try:
                read_region_key(value)
            except ProtocolError as exc:
                raise ValueError(str(exc)) from exc
        return value


class Relay(_Strict):
    # Empty means: no sync at all; everything stays on the device.
    url: str = ""

    @field_validator("url")
    @classmethod
    def _https_or_loopback(cls, value: str) -> str:
        # The relay client's own check, so that the profile cannot name a relay the client would refuse.
        try:
            return check_relay_url(value)
        except KraftError as exc:
            raise ValueError("must be empty, an https:// URL, or http://127.0.0.1 for testing") from exc


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


BUILT_IN = frozenset(t.id for t in LIBRARY)


class RegionTheme(_Strict):
    """A theme of the region's own pack (docs/adr/0014-meeting-and-themes.md): a stable id, and its title in
    English (always) and in the other languages the region writes it in."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")
    en: str = Field(min_length=1, max_length=80)
    sv: str = Field(default="", max_length=80)
    nb: str = Field(default="", max_length=80)
    da: str = Field(default="", max_length=80)

    def theme(self) -> Theme:
        titles = tuple((code, title) for code, title in (("en", self.en), ("sv", self.sv), ("nb", self.nb),
                                                         ("da", self.da)) if title.strip())
        return Theme(self.id, self.en, "region", titles=titles)


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
    # At least one: "Need help now?" must never open on an empty page.
    crisis_lines: tuple[CrisisLine, ...] = Field(default=DEFAULT_CRISIS_LINES, min_length=1)
    themes: tuple[RegionTheme, ...] = Field(default=(), max_length=50)  # the region's own theme pack

    @field_validator("themes")
    @classmethod
    def _own_ids(cls, value: tuple[RegionTheme, ...]) -> tuple[RegionTheme, ...]:
        ids = [t.id for t in value]
        taken = sorted({i for i in ids if ids.count(i) > 1} | {i for i in ids if i in BUILT_IN})
        if taken:
            raise ValueError(f"theme id {taken[0]} is used twice or is one of Kraft's own")
        return value

    def region_pack(self) -> list[Theme]:
        return [t.theme() for t in self.themes]

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


def _read(path: Path) -> dict[str, object]:
    """The file's TOML; tomllib parses nested arrays and tables by recursion, so a file nested a thousand
    levels deep raises RecursionError, which is said here like any other unreadable file."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KraftError(Msg.CONFIG_UNREADABLE, path=str(path), detail=exc.strerror or str(exc)) from exc
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise KraftError(Msg.CONFIG_UNREADABLE, path=str(path), detail=str(exc)) from exc
    except RecursionError as exc:
        raise KraftError(Msg.CONFIG_UNREADABLE, path=str(path), detail=NESTED_TOO_DEEP) from exc


def load_profile(path: Path | None = None) -> Profile:
    """Read and validate the profile, a bad one a `KraftError`. Only the file beside the app may be missing
    (then the defaults hold); a file named in KRAFT_CONFIG or passed in must be there, or a mistyped name
    would run the app with another region's crisis lines without a word."""
    if path is None:
        env = os.environ.get("KRAFT_CONFIG")
        path = Path(env) if env else DEFAULT_PATH
        if not env and not path.exists():
            return Profile()
    data = _read(path)
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise KraftError(Msg.CONFIG_INVALID, path=str(path), detail=_describe(exc)) from exc
    except RecursionError as exc:
        raise KraftError(Msg.CONFIG_UNREADABLE, path=str(path), detail=NESTED_TOO_DEEP) from exc
