"""The journal: its entries, the editor and its draft, search, undo of a delete, the toolkit, and the paging of
the list (docs/adr/0007-app-layout.md). The entry shown and the prompt of "Over time" are route parameters."""

from __future__ import annotations

import time as clock_time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

import flet as ft

from app.domain.journal import Draft, Entry
from app.errors import KraftError, Msg
from app.i18n import _
from app.services.journal import NEW_DRAFT, Journal, no_hits_hint
from app.views.routes import Route, Router
from app.views.states.session import SessionState

UNDO_SECONDS = 10
PAGE = 50


@dataclass(frozen=True)
class EditorState:
    """What the editor shows; autosaved as an encrypted draft while dirty."""

    key: str = NEW_DRAFT  # NEW_DRAFT or the id of the entry being edited
    text: str = ""
    prompt_id: str | None = None
    prompt_text: str | None = None
    tags: tuple[str, ...] = ()
    theme: str | None = None
    dirty: bool = False
    saved_note: str = ""


def _nothing() -> None:
    return None


@ft.observable
@dataclass
class JournalState:
    """Entries, editor, search and undo. `revision` is the journal's "data changed" signal: a screen that
    reads the journal re-renders when an entry is saved, deleted, restored, pinned or imported."""

    session: SessionState
    limit: int = PAGE
    query: str = ""
    undo_id: str | None = None
    undo_until: float = 0.0  # clock_time.monotonic() when the undo window ends
    editor: EditorState = field(default_factory=EditorState)
    revision: int = 0
    after_save: Callable[[], None] = _nothing  # an answer to the homework drops its reminder (set by the root)

    def __post_init__(self) -> None:
        self.session.hooks.unlocked.append(self._unlocked)
        self.session.hooks.before_lock.append(self.autosave)
        self.session.hooks.locked.append(self._locked)

    @property
    def router(self) -> Router:
        """The router, for the journal screens' moves."""
        return self.session.router

    @property
    def journal(self) -> Journal:
        """The open journal (raises when locked: screens that read it are guarded)."""
        return self.session.journal

    @property
    def unlocked(self) -> bool:
        """True while the journal is open."""
        return self.session.unlocked

    def changed(self) -> None:
        """The journal's "data changed" signal: screens reading the journal re-render."""
        self.revision += 1

    def _unlocked(self) -> None:
        self.limit, self.query = PAGE, ""
        if self.journal.get_draft(NEW_DRAFT) is not None:
            self.session.notice = _("You have an unsaved draft. Open “New entry” to continue it.")

    def _locked(self) -> None:
        self.editor = EditorState()
        self.undo_id = None
        self.query = ""

    def show_more(self) -> None:
        """Show the next page of older entries in the list."""
        self.limit += PAGE

    def search(self, text: str) -> None:
        """Search the journal for what is typed (typing counts as activity)."""
        self.session.touch()
        self.query = text

    def no_hits_hint(self) -> str:
        """What to try when the search finds nothing ("Try fewer or shorter words ...")."""
        return no_hits_hint(self.query)

    # ---- editor ----

    def open_editor(self, entry: Entry | None = None, prompt_id: str | None = None,
                    prompt_text: str | None = None) -> None:
        """Open the editor on an entry, on a prompt, or blank; a draft of it is restored first."""
        key = entry.id if entry else NEW_DRAFT
        draft = self.journal.get_draft(key)
        asked = prompt_id or prompt_text
        if draft is not None and entry is None and asked and not draft.text.strip():
            draft = None  # an empty draft gives way to the prompt asked for (the homework's "Answer it")
        if draft is not None:
            other = bool(asked) and (draft.prompt_id != prompt_id if prompt_id else draft.prompt_text != prompt_text)
            # a draft about something else is never dropped for the prompt asked for: it opens, and says so
            note = _("Your unsaved draft opens first: save or discard it, then answer the homework.") if other \
                else _("Draft restored")
            editor = EditorState(key, draft.text, draft.prompt_id, draft.prompt_text, draft.tags, draft.theme,
                                 saved_note=note)
        elif entry is not None:
            editor = EditorState(key, entry.text, entry.prompt_id, entry.prompt_text, entry.tags, entry.theme)
        else:
            editor = EditorState(prompt_id=prompt_id, prompt_text=prompt_text)
        self.router.navigate(Route.EDITOR, id=key)
        self.editor = editor

    def edit(self, **changes: Any) -> None:
        """Change the editor (a new EditorState each time, so the screen re-renders)."""
        self.session.touch()
        self.editor = replace(self.editor, **changes, dirty=True, saved_note="")

    def autosave(self) -> None:
        """Save the editor's text as an encrypted draft when it changed since the last save."""
        ed = self.editor
        if not ed.dirty or not self.unlocked:
            return
        saved = self.journal.save_draft(Draft(ed.key, ed.text, ed.prompt_id, ed.prompt_text, ed.tags, ed.theme))
        note = _("Draft saved") if saved else _("The draft could not be written yet. Kraft keeps trying.")
        self.editor = replace(ed, dirty=False, saved_note=note)

    def leave_editor(self) -> None:
        """Back from the editor: the draft is saved first, and kept to continue later."""
        self.autosave()
        key = self.editor.key
        if key == NEW_DRAFT:
            self.router.back(Route.JOURNAL)
        else:
            self.router.back(Route.ENTRY, id=key)

    def save_entry(self) -> None:
        """Save the editor as an entry (new or edited), then show it."""
        ed = self.editor
        try:
            if ed.key == NEW_DRAFT:
                entry = self.journal.add(ed.text, prompt_id=ed.prompt_id, prompt_text=ed.prompt_text, tags=ed.tags,
                                         theme=ed.theme, from_draft=NEW_DRAFT)
            else:
                entry = self.journal.edit(ed.key, text=ed.text, tags=ed.tags, theme=ed.theme,
                                          clear_theme=ed.theme is None, from_draft=ed.key)
        except KraftError as exc:  # empty or too long: said under the text
            self.session.fail({"text" if exc.msg in (Msg.ENTRY_EMPTY, Msg.ENTRY_TOO_LONG) else "": str(exc)})
            return
        self.session.clear_errors()
        self.editor = EditorState()
        self.changed()
        self.after_save()  # an answer to the homework drops its nudge
        self.router.navigate(Route.ENTRY, id=entry.id)
        self.session.notice = _("Saved")

    def discard_editor(self) -> None:
        """Throw the draft away and go back to the entry (or the list)."""
        key = self.editor.key
        self.journal.discard_draft(key)
        self.editor = EditorState()
        if key != NEW_DRAFT:
            self.router.navigate(Route.ENTRY, id=key)
        else:
            self.router.navigate(Route.JOURNAL)

    # ---- entries ----

    def delete_entry(self, entry_id: str) -> None:
        """Delete an entry; it can be undone for a few seconds."""
        self.journal.delete(entry_id)
        self.undo_id, self.undo_until = entry_id, clock_time.monotonic() + UNDO_SECONDS
        self.router.navigate(Route.JOURNAL)
        self.changed()

    def undo_delete(self) -> None:
        """Bring back the entry just deleted and show it."""
        if self.undo_id:
            self.journal.undo_delete(self.undo_id)
            self.router.navigate(Route.ENTRY, id=self.undo_id)
            self.undo_id = None
            self.session.notice = _("Entry restored.")
            self.changed()

    def pin(self, entry_id: str, section: str | None) -> None:
        """Pin an entry to a toolkit section, or take it off (None)."""
        self.journal.pin(entry_id, section)
        self.session.notice = _("Pinned to your toolkit.") if section else _("Removed from your toolkit.")
        self.changed()

    def tick(self) -> None:
        """While open, every few seconds: autosave the draft and end a passed undo window."""
        self.autosave()
        if self.undo_id and clock_time.monotonic() >= self.undo_until:
            self.journal.purge_deleted(older_than=timedelta(0))
            self.undo_id = None
