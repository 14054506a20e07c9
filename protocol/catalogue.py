"""The region's signed catalogue of groups (docs/adr/0016-region-catalogue.md).

The coordinator's region key is an `Identity`; its public halves travel as one text (`region_key_text`), which
the region pins in the app's profile. The catalogue is one document signed by that key over
`signing_bytes("catalogue", **document)`: the groups forming and running (`entries`) and the coordinator's
announcements (a lecture, the follow-up with a group); both the relay and the app check it with
`read_catalogue`.

    >>> from datetime import date
    >>> from protocol.identity import Identity
    >>> me = Identity.new()
    >>> entry = new_entry(status="forming", theme="stress", words="", place="Malmö", language="sv", weekday=2,
    ...                   time="18:00", zone="Europe/Stockholm", needed=3, intake="040-123 45 67")
    >>> signed = sign_catalogue(me, serial=1, issued=date(2026, 12, 7), entries=[entry])
    >>> read_catalogue(signed["catalogue"], signed["signature"], key=me.public().sig).entries[0].place
    'Malmö'
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any, TypeVar

from protocol.encoding import ProtocolError, b64e, canonical, signing_bytes, verify
from protocol.identity import Identity, PublicIdentity, member_id

T = TypeVar("T", "CatalogueEntry", "Announcement")
KEY_PREFIX = "KRAFT-REGION-1"
STATUSES = ("forming", "running")
LANGUAGES = ("sv", "nb", "da", "en")
MAX_ENTRIES = 200
# The signed document's canonical UTF-8 at most: with its signature it stays under the relay's body limit
# (96 KiB), whatever letters the texts use (200 entries of full-length texts in å or emoji would not).
MAX_DOCUMENT_BYTES = 88 * 1024
MAX_NEEDED = 8  # a group starts with 5 to 8 people: never more than 8 still needed
ENTRY_ID_BYTES = 8
_THEME = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
_ZONE = re.compile(r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+){0,2}$")
_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
# field -> longest text; every text field of an entry
TEXT_LIMITS = {"words": 80, "place": 60, "intake": 120}
ENTRY_FIELDS = frozenset({"id", "status", "theme", "words", "place", "language", "weekday", "time", "zone",
                          "needed", "intake"})
DOCUMENT_FIELDS = frozenset({"key", "region", "serial", "issued", "entries", "announcements"})
ANNOUNCEMENT_KINDS = ("lecture", "follow_up")
ANNOUNCEMENT_FIELDS = frozenset({"id", "kind", "title", "day", "time", "zone", "place", "mailbox", "text"})
ANNOUNCEMENT_LIMITS = {"title": 80, "place": 60, "text": 300}
MAX_ANNOUNCEMENTS = 100
_MAILBOX = re.compile(r"^[A-Za-z0-9_-]{22}$")


def _bad(why: str) -> ProtocolError:
    return ProtocolError("catalogue", why)


def region_key_text(public: PublicIdentity) -> str:
    """The one line a region puts in its profile: `KRAFT-REGION-1.<sig>.<dh>`."""
    return f"{KEY_PREFIX}.{public.sig}.{public.dh}"


def read_region_key(text: Any) -> PublicIdentity:
    """The public region key from `region_key_text`'s form; ProtocolError("catalogue") when it is not one.

    >>> read_region_key("KRAFT-REGION-1.AA.AA")
    Traceback (most recent call last):
    protocol.encoding.ProtocolError: not a region key (signing key: expected 32 bytes, got 1)
    """
    parts = text.strip().split(".") if isinstance(text, str) else []
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        raise _bad(f"not a region key (it starts {KEY_PREFIX}. and has two more parts)")
    try:
        return PublicIdentity(sig=parts[1], dh=parts[2])
    except ProtocolError as exc:
        raise _bad(f"not a region key ({exc})") from exc


def region_id(sig: str) -> str:
    """The region's id on the relay: the member id of its signing key (22 characters)."""
    return member_id(sig)


@dataclass(frozen=True)
class CatalogueEntry:
    """One group in the catalogue. `place` "" means online; `theme` and `words` may both be given."""

    id: str
    status: str
    theme: str
    words: str
    place: str
    language: str
    weekday: int  # 1 = Monday .. 7 = Sunday
    time: str  # HH:MM in `zone`
    zone: str
    needed: int  # how many more people before it starts; 0 once running
    intake: str  # how to reach the intake conversation

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def online(self) -> bool:
        return not self.place


def _printable(value: Any, field: str, limit: int) -> str:
    if not isinstance(value, str):
        raise _bad(f"{field} must be text")
    if len(value) > limit:
        raise _bad(f"{field} is longer than {limit} characters")
    if any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 or 0xD800 <= ord(ch) < 0xE000 for ch in value):
        raise _bad(f"{field} must not contain control characters")
    if value != value.strip():
        raise _bad(f"{field} must not start or end with spaces")
    return value


def _exact_fields(data: Any, fields: frozenset[str], what: str) -> None:
    """`data` is an object with exactly `fields`; else the first unknown or missing one is named."""
    if not isinstance(data, dict):
        raise _bad(f"{what} must be an object")
    if set(data) != fields:
        extra, missing = sorted(set(data) - fields), sorted(fields - set(data))
        raise _bad(f"unknown field {extra[0]}" if extra else f"missing field {missing[0]}")


def _int(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _bad(f"{field} must be a whole number from {low} to {high}")
    return value


def check_entry(data: Any) -> CatalogueEntry:
    """An entry from its JSON form, every field checked; ProtocolError("catalogue") names the first wrong one."""
    _exact_fields(data, ENTRY_FIELDS, "an entry")
    if not isinstance(data["id"], str) or not _ID.match(data["id"]):
        raise _bad("id must be 11 base64url characters")
    if data["status"] not in STATUSES:
        raise _bad("status must be forming or running")
    theme = data["theme"]
    if not isinstance(theme, str) or (theme and not _THEME.match(theme)):
        raise _bad("theme must be a theme id (a-z, 0-9 and _) or empty")
    words = _printable(data["words"], "words", TEXT_LIMITS["words"])
    if not theme and not words:
        raise _bad("an entry needs a theme or words for it")
    if data["language"] not in LANGUAGES:
        raise _bad(f"language must be one of {', '.join(LANGUAGES)}")
    if not isinstance(data["time"], str) or not _TIME.match(data["time"]):
        raise _bad("time must be HH:MM")
    if not isinstance(data["zone"], str) or not _ZONE.match(data["zone"]) or len(data["zone"]) > 40:
        raise _bad("zone must be a time zone name such as Europe/Stockholm")
    needed = _int(data["needed"], "needed", 0, MAX_NEEDED)
    if data["status"] == "running" and needed:
        raise _bad("a running group needs nobody more (needed must be 0)")
    intake = _printable(data["intake"], "intake", TEXT_LIMITS["intake"])
    if not intake:
        raise _bad("intake must say how to reach the intake conversation")
    return CatalogueEntry(id=data["id"], status=data["status"], theme=theme, words=words,
                          place=_printable(data["place"], "place", TEXT_LIMITS["place"]),
                          language=data["language"], weekday=_int(data["weekday"], "weekday", 1, 7),
                          time=data["time"], zone=data["zone"], needed=needed, intake=intake)


def new_entry(**fields: Any) -> CatalogueEntry:
    """A checked entry with a fresh random id."""
    return check_entry({"id": b64e(os.urandom(ENTRY_ID_BYTES)), **fields})


@dataclass(frozen=True)
class Announcement:
    """A lecture for the whole region, or the follow-up meeting with one group (`mailbox` names its relay
    mailbox; "" for everyone). `place` "" means online."""

    id: str
    kind: str
    title: str
    day: str  # YYYY-MM-DD, in `zone`
    time: str  # HH:MM
    zone: str
    place: str
    mailbox: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def date(self) -> date:
        return date.fromisoformat(self.day)


def check_announcement(data: Any) -> Announcement:
    """An announcement from its JSON form, every field checked; ProtocolError("catalogue") names the first
    wrong one."""
    _exact_fields(data, ANNOUNCEMENT_FIELDS, "an announcement")
    if not isinstance(data["id"], str) or not _ID.match(data["id"]):
        raise _bad("id must be 11 base64url characters")
    if data["kind"] not in ANNOUNCEMENT_KINDS:
        raise _bad("kind must be lecture or follow_up")
    texts = {name: _printable(data[name], name, limit) for name, limit in ANNOUNCEMENT_LIMITS.items()}
    if not texts["title"]:
        raise _bad("an announcement needs a title")
    _day(data["day"], "day")
    if not isinstance(data["time"], str) or not _TIME.match(data["time"]):
        raise _bad("time must be HH:MM")
    if not isinstance(data["zone"], str) or not _ZONE.match(data["zone"]) or len(data["zone"]) > 40:
        raise _bad("zone must be a time zone name such as Europe/Stockholm")
    mailbox = data["mailbox"]
    if not isinstance(mailbox, str) or (mailbox and not _MAILBOX.match(mailbox)):
        raise _bad("mailbox must be a group's mailbox id or empty")
    if (data["kind"] == "follow_up") != bool(mailbox):
        raise _bad("a follow-up names its group's mailbox; a lecture names none")
    return Announcement(id=data["id"], kind=data["kind"], day=data["day"], time=data["time"], zone=data["zone"],
                        mailbox=mailbox, **texts)


def new_announcement(**fields: Any) -> Announcement:
    """A checked announcement with a fresh random id."""
    return check_announcement({"id": b64e(os.urandom(ENTRY_ID_BYTES)), **fields})


def _day(text: Any, field: str) -> date:
    try:
        if not isinstance(text, str) or not _DAY.match(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError as exc:
        raise _bad(f"{field} must be a day, YYYY-MM-DD") from exc


@dataclass(frozen=True)
class Catalogue:
    """A checked, signed catalogue."""

    key: str
    region: str
    serial: int
    issued: date
    entries: tuple[CatalogueEntry, ...]
    signature: str
    announcements: tuple[Announcement, ...] = ()

    def document(self) -> dict[str, Any]:
        """The signed document, JSON-ready (what `read_catalogue` reads back)."""
        return {"key": self.key, "region": self.region, "serial": self.serial, "issued": self.issued.isoformat(),
                "entries": [e.to_dict() for e in self.entries],
                "announcements": [a.to_dict() for a in self.announcements]}

    def entry(self, entry_id: str) -> CatalogueEntry | None:
        return next((e for e in self.entries if e.id == entry_id), None)


def sign_catalogue(identity: Identity, *, serial: int, issued: date,
                   entries: list[CatalogueEntry] | tuple[CatalogueEntry, ...],
                   announcements: list[Announcement] | tuple[Announcement, ...] = ()) -> dict[str, Any]:
    """`{"catalogue": document, "signature": ...}`: what the coordinator PUTs to the relay."""
    key = identity.public().sig
    document = {"key": key, "region": region_id(key), "serial": serial, "issued": issued.isoformat(),
                "entries": [e.to_dict() for e in entries], "announcements": [a.to_dict() for a in announcements]}
    _check_document(document)
    return {"catalogue": document, "signature": identity.sign("catalogue", **document)}


def _items(items: Any, check: Callable[[Any], T], field: str, most: int) -> tuple[T, ...]:
    """A list of at most `most` items, each checked, no two with the same id."""
    if not isinstance(items, list) or len(items) > most:
        raise _bad(f"{field} must be a list of at most {most}")
    checked = tuple(check(item) for item in items)
    if len({item.id for item in checked}) != len(checked):
        raise _bad(f"two {field} have the same id")
    return checked


def _check_document(document: Any) -> tuple[str, int, date, tuple[CatalogueEntry, ...], tuple[Announcement, ...]]:
    _exact_fields(document, DOCUMENT_FIELDS, "the catalogue")
    try:
        expected = region_id(document["key"])
    except ProtocolError as exc:
        raise _bad(f"key: {exc}") from exc
    if document["region"] != expected:
        raise _bad("region is not the id of the catalogue's key")
    serial = _int(document["serial"], "serial", 1, 2**53)
    issued = _day(document["issued"], "issued")
    checked = _items(document["entries"], check_entry, "entries", MAX_ENTRIES)
    announced = _items(document["announcements"], check_announcement, "announcements", MAX_ANNOUNCEMENTS)
    if len(canonical(document)) > MAX_DOCUMENT_BYTES:
        raise _bad(f"the catalogue is larger than {MAX_DOCUMENT_BYTES} bytes")
    return expected, serial, issued, checked, announced


def read_catalogue(document: Any, signature: Any, *, key: str | None = None) -> Catalogue:
    """The catalogue, when its shape is right and `signature` holds under its own key (and, given `key`, that
    key is the pinned one). ProtocolError("catalogue") for a wrong shape or key, ("forged") for a signature
    that does not hold."""
    region, serial, issued, entries, announced = _check_document(document)
    if key is not None and document["key"] != key:
        raise _bad("the catalogue is not signed with this region's key")
    if not isinstance(signature, str) or not verify(document["key"], signature,
                                                    signing_bytes("catalogue", **document)):
        raise ProtocolError("forged", "the catalogue's signature does not match its key")
    return Catalogue(key=document["key"], region=region, serial=serial, issued=issued, entries=entries,
                     signature=signature, announcements=announced)
