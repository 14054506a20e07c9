"""Journal domain: what an entry is, how entries are ordered, and the in-memory search index.

Pure Python: no storage, no UI. The service decrypts records into `Entry` objects and keeps them here while
the vault is unlocked; everything is dropped on lock.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, Protocol

from app.domain.folding import fold, fold_text, query_variants
from app.domain.prompts import tag_label, theme_label
from app.i18n import Language

ENTRY_VERSION = 1
MAX_ENTRY_CHARS = 100_000


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _micros(value: datetime) -> int:
    return (value - _EPOCH) // timedelta(microseconds=1)


class Entry(NamedTuple):
    """One journal entry: an answer to a prompt, or a free entry.

    Its record payload (app.storage.records.ENTRY) is a short head (created time, flags) and a body. Unlock
    reads only the heads to order the journal; a body is unpacked when the entry is first shown or searched.
    """

    id: str
    text: str
    created: datetime
    updated: datetime
    prompt_id: str | None = None
    prompt_text: str | None = None  # the prompt as it was asked (a leader's own prompt has no library id)
    tags: tuple[str, ...] = ()
    theme: str | None = None
    toolkit: str | None = None
    deleted_at: datetime | None = None

    @property
    def sort_key(self) -> tuple[int, str]:
        return (_micros(self.created), self.id)

    def with_changes(self, **changes: Any) -> Entry:
        return self._replace(**changes)


class EntryCodec(Protocol):
    """How entry payloads are read (app.storage.records.ENTRY): the head alone, or the whole entry. Both
    raise ValueError (or TypeError) for a payload that does not parse."""

    def head(self, payload: bytes) -> tuple[int, bool]:
        """(created micros, deleted?) without unpacking the body."""
        ...

    def unpack(self, entry_id: str, payload: bytes) -> Entry:
        """The whole entry."""
        ...


@dataclass(frozen=True)
class Draft:
    """Unsaved editor state, autosaved (encrypted) every few seconds. `key` is "new" or the entry id."""

    key: str
    text: str
    prompt_id: str | None = None
    prompt_text: str | None = None
    tags: tuple[str, ...] = ()
    theme: str | None = None
    saved: datetime = field(default_factory=utcnow)


class MonotonicClock:
    """Wall-clock time that never runs backwards within a journal, so a clock set back reorders nothing."""

    def __init__(self, now: Callable[[], datetime] = utcnow) -> None:
        self._now = now
        self._last: datetime | None = None

    def observe_micros(self, micros: int) -> None:
        self.observe(_EPOCH + timedelta(microseconds=micros))

    def observe(self, value: datetime) -> None:
        if self._last is None or value > self._last:
            self._last = value

    def now(self) -> datetime:
        value = self._now()
        if self._last is not None and value <= self._last:
            value = self._last + timedelta(microseconds=1)
        self._last = value
        return value


class EntryIndex:
    """The unlocked journal in memory: the order of live entries, their bodies unpacked on first use, and a
    search index built on the first search and dropped on every change. All of it is dropped on lock.
    `codec` reads the payloads (app.storage.records.ENTRY).
    """

    def __init__(self, codec: EntryCodec) -> None:
        self._codec = codec
        self._raw: dict[str, bytes] = {}  # payloads not unpacked yet
        self._parsed: dict[str, Entry] = {}
        self._keys: dict[str, tuple[int, str]] = {}  # sort key of every live entry
        self._deleted: set[str] = set()  # in the undo window
        self._order: list[tuple[int, str]] = []  # ascending sort keys of live entries
        self._haystacks: list[tuple[str, str]] | None = None  # (folded text, id), newest first
        self._haystack_language = ""  # tag names are indexed in the language they were built in
        self.damaged: list[str] = []

    def __len__(self) -> int:
        return len(self._order)

    def clear(self) -> None:
        self.__init__(self._codec)  # type: ignore[misc]

    def load(self, items: list[tuple[str, bytes]]) -> None:
        """Take decrypted entry payloads; only their 9-byte heads are read now."""
        self.clear()
        head = self._codec.head
        for entry_id, payload in items:
            try:
                created, deleted = head(payload)
            except ValueError:
                self.damaged.append(entry_id)
                continue
            self._raw[entry_id] = payload
            if deleted:
                self._deleted.add(entry_id)
            else:
                self._keys[entry_id] = (created, entry_id)
        self._order = sorted(self._keys.values())

    def latest_created(self) -> int | None:
        return self._order[-1][0] if self._order else None

    def get(self, entry_id: str) -> Entry | None:
        entry = self._parsed.get(entry_id)
        if entry is None and entry_id in self._raw:
            try:
                entry = self._codec.unpack(entry_id, self._raw.pop(entry_id))
            except (ValueError, TypeError):
                self.damaged.append(entry_id)
                self._forget(entry_id)
                return None
            self._parsed[entry_id] = entry
        return entry

    @property
    def deleted_count(self) -> int:
        return len(self._deleted)

    def deleted(self) -> list[Entry]:
        """Entries in the undo window."""
        return [e for e in (self.get(i) for i in list(self._deleted)) if e is not None]

    def _forget(self, entry_id: str) -> None:
        key = self._keys.pop(entry_id, None)
        if key is not None:
            idx = bisect.bisect_left(self._order, key)
            if idx < len(self._order) and self._order[idx] == key:
                del self._order[idx]
        self._deleted.discard(entry_id)
        self._raw.pop(entry_id, None)
        self._parsed.pop(entry_id, None)
        self._haystacks = None

    def put(self, entry: Entry) -> None:
        self._forget(entry.id)
        self._parsed[entry.id] = entry
        if entry.deleted_at is None:
            self._keys[entry.id] = entry.sort_key
            bisect.insort(self._order, entry.sort_key)
        else:
            self._deleted.add(entry.id)

    def remove(self, entry_id: str) -> None:
        self._forget(entry_id)

    def newest(self, offset: int = 0, limit: int = 50) -> list[Entry]:
        end = max(0, len(self._order) - offset)
        keys = self._order[max(0, end - limit):end]
        return [e for e in (self.get(key[1]) for key in reversed(keys)) if e is not None]

    def live(self) -> list[Entry]:
        return self.newest(0, len(self._order))

    def search(self, query: str, *, lang: Language) -> list[Entry]:
        """Entries containing every word of the query (in text, prompt, or tags by id or by their name in
        `lang`), newest first; text and query are folded alike (app.domain.folding)."""
        terms = [query_variants(term) for term in fold(query).split()]
        if not terms:
            return []
        if self._haystacks is None or self._haystack_language != lang.code:
            self._haystack_language = lang.code
            self._haystacks = [(fold_text(searchable_text(e, lang)), e.id) for e in self.live()]
        hits = self._haystacks
        for variants in terms:
            if len(variants) == 1:
                term = variants[0]
                hits = [h for h in hits if term in h[0]]
            else:
                term, other = variants
                hits = [h for h in hits if term in h[0] or other in h[0]]
        return [self._parsed[h[1]] for h in hits]


def searchable_text(entry: Entry, lang: Language) -> str:
    """What a search looks at: the text, the prompt as asked, and the tags and theme both by id and by
    their name in `lang` (a Swedish member searches "hopp", not "hope")."""
    parts = [entry.text]
    if entry.prompt_text:
        parts.append(entry.prompt_text)
    for tag in entry.tags:
        parts += [tag, tag_label(tag, lang)]
    if entry.theme:
        parts += [entry.theme, theme_label(entry.theme, lang)]
    return "\n".join(parts)
