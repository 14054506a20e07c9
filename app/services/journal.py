"""The journal service: what the views and the CLI call to write, find and keep entries.

Works on an unlocked vault. All entries are decrypted once at unlock into an in-memory index (dropped on
lock); every change is written durably (one encrypted record, one fsync'd commit) before it is shown.
"""

from __future__ import annotations

import gc
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from app.domain.journal import MAX_ENTRY_CHARS, Draft, Entry, EntryIndex, MonotonicClock, utcnow
from app.domain.prompts import TAGS, THEMES, TOOLKIT, get_prompt
from app.domain.text import is_unicode
from app.errors import KraftError, Msg
from app.i18n import Language, _, resolve
from app.storage import records

if TYPE_CHECKING:  # the vault, or app.storage.direct's read-only one for a command that only reads
    from app.storage.vault import Vault

ENTRY = records.ENTRY.name
DRAFT = records.DRAFT.name
new_record_id = records.ENTRY.new_id  # a new entry's random id (a module name, so a test can fix the ids)
UNDO_WINDOW = timedelta(seconds=10)
NEW_DRAFT = "new"


@dataclass(frozen=True)
class Page:
    entries: list[Entry]
    total: int
    offset: int
    limit: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.entries) < self.total


def _check_tags(tags: Iterable[str]) -> tuple[str, ...]:
    out = []
    for tag in tags:
        if tag not in TAGS:
            raise KraftError(Msg.UNKNOWN_TAG, tag=tag, choices=", ".join(TAGS))
        if tag not in out:
            out.append(tag)
    return tuple(out)


def _check_theme(theme: str | None) -> str | None:
    if theme and (not isinstance(theme, str) or theme not in THEMES):
        raise KraftError(Msg.UNKNOWN_THEME, theme=theme, choices=", ".join(THEMES))
    return theme or None


def _check_text(text: str) -> str:
    if not is_unicode(text):
        raise KraftError(Msg.TEXT_NOT_UNICODE)
    if not text.strip():
        raise KraftError(Msg.ENTRY_EMPTY)
    if len(text) > MAX_ENTRY_CHARS:
        raise KraftError(Msg.ENTRY_TOO_LONG, size=len(text), maximum=MAX_ENTRY_CHARS)
    return unicodedata.normalize("NFC", text)


def no_hits_hint(query: str) -> str:
    """What to try when a search finds nothing (the app and `kraft journal search` say it under "0 entries
    found"). Letters with marks need no second try: search already folds them (app.domain.folding)."""
    if len(query.split()) > 1:
        return _("Try fewer or shorter words: an entry is found only when it has every word.")
    return _("Try a shorter word, or only its beginning.")


@dataclass(frozen=True)
class NewEntry:
    """What a person (or an import) hands in to make an entry."""

    text: str
    prompt_id: str | None = None
    prompt_text: str | None = None
    tags: tuple[str, ...] = ()
    theme: str | None = None
    created: datetime | None = None  # None: now; an import keeps the original date
    updated: datetime | None = None
    toolkit: str | None = None


class Journal:
    """Entries, drafts, search and the toolkit of one unlocked vault."""

    def __init__(self, vault: Vault, *, now: Callable[[], datetime] = utcnow) -> None:
        self._vault = vault
        self._wall = now  # the clock as it reads; the undo window is measured on it (purge_deleted)
        self._clock = MonotonicClock(now)
        self._index = EntryIndex(records.ENTRY)
        self._drafts: dict[str, tuple[str, Draft]] = {}  # draft key -> (record id, draft)
        self._damaged: list[str] = []

    # ---- loading and locking ----

    def load(self) -> None:
        """Decrypt every entry and draft; damaged records are listed in `damaged`, the rest stay usable."""
        gc.disable()  # tens of thousands of small objects: the cyclic GC would rescan them many times
        try:
            loaded = self._vault.load_kind(ENTRY)
            self._index.load(loaded.items)
        finally:
            gc.enable()
        latest = self._index.latest_created()
        if latest is not None:
            self._clock.observe_micros(latest)
        drafts = self._vault.load_kind(DRAFT)
        self._drafts = {}
        self._damaged = loaded.damaged + drafts.damaged
        for record_id, payload in drafts.items:
            try:
                draft = records.DRAFT.unpack(record_id, payload)
            except (ValueError, KeyError, TypeError):
                self._damaged.append(record_id)
                continue
            self._drafts[draft.key] = (record_id, draft)

    @property
    def damaged(self) -> list[str]:
        """Ids of records that did not decrypt or parse: reported, skipped, never deleted."""
        return self._damaged + self._index.damaged

    def close(self) -> None:
        """Drop every decrypted entry and the search index (called on lock)."""
        self._index.clear()
        self._drafts.clear()

    # ---- entries ----

    def _write(self, entry: Entry, *, drop_draft: str | None = None) -> Entry:
        with self._vault.transaction() as tx:
            tx.put(ENTRY, records.ENTRY.pack(entry), entry.id)
            if drop_draft and drop_draft in self._drafts:
                tx.delete(self._drafts[drop_draft][0])
        if drop_draft:
            self._drafts.pop(drop_draft, None)
        self._index.put(entry)
        return entry

    def _new_entry(self, item: NewEntry, lang: Language | None) -> Entry:
        prompt_text = item.prompt_text
        if item.prompt_id is not None:
            prompt = get_prompt(item.prompt_id)
            if prompt is None:
                raise KraftError(Msg.UNKNOWN_PROMPT, prompt_id=item.prompt_id)
            prompt_text = prompt_text or prompt.label(resolve(lang))
        if item.toolkit is not None and item.toolkit not in TOOLKIT:
            raise KraftError(Msg.UNKNOWN_TOOLKIT, section=item.toolkit, choices=", ".join(TOOLKIT))
        now = self._clock.now()
        return Entry(id=new_record_id(), text=_check_text(item.text), created=item.created or now,
                     updated=item.updated or now, prompt_id=item.prompt_id, prompt_text=prompt_text,
                     tags=_check_tags(item.tags), theme=_check_theme(item.theme), toolkit=item.toolkit)

    def add(self, text: str, *, prompt_id: str | None = None, prompt_text: str | None = None,
            tags: Iterable[str] = (), theme: str | None = None, created: datetime | None = None,
            from_draft: str | None = None, lang: Language | None = None) -> Entry:
        """Save a new entry durably; `from_draft` names a draft to drop in the same transaction. A built-in
        prompt without its text is kept as asked in `lang` (default: the caller's context's language)."""
        item = NewEntry(text, prompt_id=prompt_id, prompt_text=prompt_text, tags=tuple(tags), theme=theme,
                        created=created)
        return self._write(self._new_entry(item, lang), drop_draft=from_draft)

    def add_many(self, items: Iterable[NewEntry], *, lang: Language | None = None) -> list[Entry]:
        """Save many entries in one transaction (an import lands whole or not at all); prompts as in `add`."""
        entries = [self._new_entry(item, lang) for item in items]
        with self._vault.transaction() as tx:
            for entry in entries:
                tx.put(ENTRY, records.ENTRY.pack(entry), entry.id)
        for entry in entries:
            self._index.put(entry)
        return entries

    def get(self, entry_id: str) -> Entry:
        entry = self._index.get(entry_id)
        if entry is None or entry.deleted_at is not None:
            raise KraftError(Msg.ENTRY_NOT_FOUND, entry_id=entry_id)
        return entry

    def edit(self, entry_id: str, *, text: str | None = None, tags: Iterable[str] | None = None,
             theme: str | None = None, clear_theme: bool = False, from_draft: str | None = None) -> Entry:
        entry = self.get(entry_id)
        changes: dict[str, object] = {"updated": self._clock.now()}
        if text is not None:
            changes["text"] = _check_text(text)
        if tags is not None:
            changes["tags"] = _check_tags(tags)
        if theme is not None or clear_theme:
            changes["theme"] = None if clear_theme else _check_theme(theme)
        return self._write(entry.with_changes(**changes), drop_draft=from_draft)

    def pin(self, entry_id: str, section: str | None) -> Entry:
        """Pin an answer to a section of "my toolkit" (None unpins)."""
        if section is not None and section not in TOOLKIT:
            raise KraftError(Msg.UNKNOWN_TOOLKIT, section=section, choices=", ".join(TOOLKIT))
        return self._write(self.get(entry_id).with_changes(toolkit=section))

    def delete(self, entry_id: str) -> Entry:
        """Move an entry to the undo window; `undo_delete` brings it back, `purge_deleted` ends it."""
        entry = self.get(entry_id)
        # The journal's clock, as add and edit use: it never runs backwards, so a deletion is never stamped
        # before the entry's last change; a stamp after the wall clock is purged at once (purge_deleted).
        self._write(entry.with_changes(deleted_at=self._clock.now()))
        return entry

    def undo_delete(self, entry_id: str) -> Entry:
        entry = self._index.get(entry_id)
        if entry is None or entry.deleted_at is None:
            raise KraftError(Msg.NOTHING_TO_UNDO)
        return self._write(entry.with_changes(deleted_at=None))

    def purge_deleted(self, *, older_than: timedelta = UNDO_WINDOW) -> int:
        """Erase entries whose undo window has passed, and their drafts (secure_delete overwrites the pages).

        `older_than=timedelta(0)` erases every deleted entry whatever the clock says (lock, CLI). The window
        is measured on the wall clock as it reads now; a deletion stamped after that moment means the clock
        was set back since, and that entry goes at once, so a clock set back cannot keep one alive.
        """
        now = self._wall()
        limit = now - older_than
        doomed = [e.id for e in self._index.deleted()
                  if e.deleted_at is not None and (older_than <= timedelta(0) or not limit < e.deleted_at <= now)]
        if doomed:
            with self._vault.transaction() as tx:
                for entry_id in doomed:
                    tx.delete(entry_id)
                    if entry_id in self._drafts:
                        tx.delete(self._drafts[entry_id][0])
            for entry_id in doomed:
                self._index.remove(entry_id)
                self._drafts.pop(entry_id, None)
        return len(doomed)

    @property
    def deletions_waiting(self) -> int:
        """Entries deleted and not erased yet (in their undo window, or left by a command that ended early)."""
        return self._index.deleted_count

    # ---- reading ----

    def count(self) -> int:
        return len(self._index)

    def page(self, *, offset: int = 0, limit: int = 50) -> Page:
        """Entries newest first, `limit` at a time."""
        offset, limit = max(0, offset), max(1, limit)
        return Page(self._index.newest(offset, limit), len(self._index), offset, limit)

    def search(self, query: str, *, lang: Language | None = None) -> list[Entry]:
        """Entries containing every word of the query, newest first (case-insensitive); built-in tags and
        themes are found by their name in `lang` (default: the caller's context's language)."""
        return self._index.search(query, lang=resolve(lang))

    def answers_to(self, prompt_id: str) -> list[Entry]:
        """Every answer to one prompt, oldest first: how the answer changed over time."""
        return sorted((e for e in self._index.live() if e.prompt_id == prompt_id), key=lambda e: e.sort_key)

    def toolkit(self) -> dict[str, list[Entry]]:
        """Pinned answers per toolkit section, newest first."""
        sections: dict[str, list[Entry]] = {name: [] for name in TOOLKIT}
        for entry in self._index.live():
            if entry.toolkit in sections:
                sections[entry.toolkit].append(entry)
        return sections

    # ---- drafts ----

    def save_draft(self, draft: Draft) -> bool:
        """Autosave: encrypt and store the editor's state (an empty text drops the draft).

        Returns False when the write failed (database busy, disk full): the sealed draft is then kept in
        memory and written at the next chance, even after the vault locks.
        """
        if not draft.text.strip():
            self.discard_draft(draft.key)
            return True
        found = self._drafts.get(draft.key)
        record_id = found[0] if found else records.DRAFT.new_id()
        self._drafts[draft.key] = (record_id, draft)
        return self._vault.put_or_defer(DRAFT, records.DRAFT.pack(draft), record_id)

    def get_draft(self, key: str = NEW_DRAFT) -> Draft | None:
        found = self._drafts.get(key)
        return found[1] if found else None

    def discard_draft(self, key: str = NEW_DRAFT) -> None:
        found = self._drafts.pop(key, None)
        if found:
            self._vault.delete(found[0])

    def live_entries(self) -> list[Entry]:
        """Every live entry, newest first (for export)."""
        return self._index.live()
