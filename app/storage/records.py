"""The one registry of sealed record kinds: each kind's name, how its record ids are made, and its codec.

Every record the vault holds has a plaintext kind and id (app.storage.vault) and a msgpack payload. A kind
either has random ids (journal entries, drafts: 128 random bits, no time, no order) or one record per group
whose id derives from the group's id (the group's details, a relay link's secrets, the member's check-ins),
so a group's records can be deleted by id while the vault is locked (`for_group`). Nothing outside this
module spells a record id or a payload format by hand (docs/adr/0007-app-layout.md).

    >>> records.CHECKINS.record_id("g1")
    'g1.checkins'
    >>> records.CHECKINS.unpack("g1.checkins", records.CHECKINS.pack({"m": {"status": "attended"}}))
    {'m': {'status': 'attended'}}
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

import msgpack

from app.domain.journal import ENTRY_VERSION, Draft, Entry, utcnow
from app.storage.crypto import new_record_id

T = TypeVar("T")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_HEAD = struct.Struct(">qB")  # an entry's created time (microseconds since 1970, UTC), flags
_DELETED = 1


class UnknownKind(LookupError):
    """A record kind the registry does not know: a typo, or a record from a newer version."""


def pack(data: dict[str, Any]) -> bytes:
    """A record payload from a map: msgpack, datetimes as msgpack timestamps (UTC).

    Example: `unpack(pack({"when": datetime.now(UTC)}))["when"]` is an aware datetime again.
    """
    return msgpack.packb(data, datetime=True)


def unpack(payload: bytes | memoryview) -> dict[str, Any]:
    """The map in a record payload; ValueError when it is not a msgpack map. Example: `unpack(pack({}))`."""
    try:
        data = msgpack.unpackb(payload, timestamp=3)
    except msgpack.UnpackException as exc:  # most are ValueErrors already; make them all one
        raise ValueError(f"record payload does not unpack: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError("record payload is not a map")
    return data


@dataclass(frozen=True)
class Kind(Generic[T]):
    """One kind of record. `suffix` is None for random ids, else the id is the group id plus the suffix."""

    name: str
    suffix: str | None
    pack: Callable[[T], bytes]
    unpack: Callable[[str, bytes], T]  # (record id, payload) -> value; ValueError when it does not parse
    only: str | None = None  # the one record of a kind there is once per journal (the crisis plan)

    @property
    def per_group(self) -> bool:
        """Whether there is one record of this kind per group, found by the group's id."""
        return self.suffix is not None

    @property
    def only_id(self) -> str:
        """The id of the one record of a once-per-journal kind. Example: `PLAN.only_id == "crisis-plan"`."""
        if self.only is None:
            raise TypeError(f"records of kind {self.name!r} are not one per journal")
        return self.only

    def record_id(self, group_id: str) -> str:
        """The id of a group's record of this kind. Example: `MEMBERSHIP.record_id("g1") == "g1.membership"`."""
        if self.suffix is None:
            raise TypeError(f"records of kind {self.name!r} have random ids, not one per group")
        return group_id + self.suffix

    def new_id(self) -> str:
        """A fresh random id for a record of this kind (entries, drafts). Example: `ENTRY.new_id()`."""
        if self.suffix is not None or self.only is not None:
            raise TypeError(f"records of kind {self.name!r} take their id from a group")
        return new_record_id()


# ---- entries: a 9-byte head (read at unlock to order the journal) and a msgpack body (read when shown) ----

def _micros(value: datetime) -> int:
    return (value - _EPOCH) // timedelta(microseconds=1)


def _pack_entry(entry: Entry) -> bytes:
    head = _HEAD.pack(_micros(entry.created), _DELETED if entry.deleted_at else 0)
    return head + pack({
        "v": ENTRY_VERSION, "text": entry.text, "created": entry.created, "updated": entry.updated,
        "prompt_id": entry.prompt_id, "prompt_text": entry.prompt_text, "tags": list(entry.tags),
        "theme": entry.theme, "toolkit": entry.toolkit, "deleted_at": entry.deleted_at,
    })


def _unpack_entry(entry_id: str, payload: bytes) -> Entry:
    get = unpack(memoryview(payload)[_HEAD.size:]).get
    return Entry(entry_id, get("text") or "", get("created") or _EPOCH, get("updated") or _EPOCH,
                 get("prompt_id"), get("prompt_text"), tuple(get("tags") or ()), get("theme"), get("toolkit"),
                 get("deleted_at"))


def entry_head(payload: bytes) -> tuple[int, bool]:
    """(created micros, deleted?) of an entry payload without unpacking its body; ValueError when too short.

    Example: `entry_head(ENTRY.pack(entry)) == (micros of entry.created, entry.deleted_at is not None)`.
    """
    try:
        created, flags = _HEAD.unpack_from(payload)
    except struct.error as exc:
        raise ValueError(f"entry payload too short: {exc}") from exc
    return created, bool(flags & _DELETED)


class EntryKind(Kind[Entry]):
    """The entry kind, which also reads an entry's head alone (the codec app.domain.journal.EntryIndex uses)."""

    def head(self, payload: bytes) -> tuple[int, bool]:
        """See `entry_head`."""
        return entry_head(payload)


def _pack_draft(draft: Draft) -> bytes:
    return pack({"v": 1, "key": draft.key, "text": draft.text, "prompt_id": draft.prompt_id,
                 "prompt_text": draft.prompt_text, "tags": list(draft.tags), "theme": draft.theme,
                 "saved": draft.saved})


def _unpack_draft(_record_id: str, payload: bytes) -> Draft:
    data = unpack(payload)
    try:
        return Draft(key=data["key"], text=data["text"], prompt_id=data.get("prompt_id"),
                     prompt_text=data.get("prompt_text"), tags=tuple(data.get("tags") or ()),
                     theme=data.get("theme"), saved=data.get("saved") or utcnow())
    except KeyError as exc:
        raise ValueError(f"draft payload lacks {exc}") from exc


def _unpack_map(_record_id: str, payload: bytes) -> dict[str, Any]:
    return unpack(payload)


ENTRY = EntryKind("entry", None, _pack_entry, _unpack_entry)
DRAFT = Kind[Draft]("draft", None, _pack_draft, _unpack_draft)
GROUP = Kind[dict[str, Any]]("group", "", pack, _unpack_map)  # theme, place, link, homework (services.groups)
MEMBERSHIP = Kind[dict[str, Any]]("membership", ".membership", pack, _unpack_map)  # a link's keys (services.links)
CHECKINS = Kind[dict[str, Any]]("checkins", ".checkins", pack, _unpack_map)  # meeting id -> status, day, start
ROUND = Kind[dict[str, Any]]("round", None, pack, _unpack_map)  # my own round: score, words, factors (ADR 0014)
PLAN = Kind[dict[str, Any]]("plan", None, pack, _unpack_map, only="crisis-plan")  # the crisis plan (ADR 0014)
LEAD = Kind[dict[str, Any]]("lead", None, pack, _unpack_map, only="would-lead")  # "would you lead a group?"
REGION_KEY = Kind[dict[str, Any]]("region_key", None, pack, _unpack_map, only="region-key")  # ADR 0016
INTEREST = Kind[dict[str, Any]]("interest", None, pack, _unpack_map)  # "I'm interested" and its reply box

KINDS: dict[str, Kind[Any]] = {k.name: k for k in (ENTRY, DRAFT, GROUP, MEMBERSHIP, CHECKINS, ROUND, PLAN, LEAD,
                                                     REGION_KEY, INTEREST)}


def kind(name: str) -> Kind[Any]:
    """The registered kind called `name`; UnknownKind otherwise. Example: `kind("entry") is ENTRY`."""
    try:
        return KINDS[name]
    except KeyError:
        raise UnknownKind(name) from None


def for_group(group_id: str) -> list[str]:
    """The id of every record a group can have, one per per-group kind (for removing the group).

    Example: `for_group("g1") == ["g1", "g1.membership", "g1.checkins"]`.
    """
    return [k.record_id(group_id) for k in KINDS.values() if k.per_group]
