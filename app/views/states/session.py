"""The session: start, setup, unlock, recover, lock and quick exit; what the app is busy with, its error and
notice; the idle timer and the language (docs/adr/0007-app-layout.md).

Slow work (Argon2id, decrypting a journal) runs in a worker thread so the UI keeps answering. The session
knows no feature: the others hook into its moments (`hooks`) to load, reset or save their own part.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import flet as ft

from app import i18n
from app.config import CrisisLine, Profile
from app.errors import KraftError, Msg
from app.i18n import _
from app.services import integrity
from app.services.context import AppContext
from app.services.idle import IdleTimer
from app.services.journal import Journal
from app.services.vault_service import PendingSetup, VaultService
from app.views import lang as session_lang
from app.views.routes import Route, Router
from app.views.states.country import ZONE_FOR_LANGUAGE, own_country

log = logging.getLogger(__name__)


# where a refused passphrase or code is said: at the field it was typed in (keys of the onboarding screens)
SETUP_FIELDS = {Msg.PASSPHRASE_TOO_SHORT: "passphrase", Msg.PASSPHRASES_DIFFER: "repeat"}
RECOVER_FIELDS = {Msg.WRONG_RECOVERY_CODE: "recover-code", Msg.PASSPHRASE_TOO_SHORT: "recover-new",
                  Msg.PASSPHRASES_DIFFER: "recover-repeat"}


@dataclass
class Hooks:
    """What the features do at the session's moments; each list runs in the order the features joined."""

    started: list[Callable[[], None]] = field(default_factory=list)  # the data directory was read
    unlocked: list[Callable[[], None]] = field(default_factory=list)  # after an unlock (not setup, recover)
    before_lock: list[Callable[[], None]] = field(default_factory=list)  # still open: save what is unsaved
    locked: list[Callable[[], None]] = field(default_factory=list)  # forget what belongs to the open journal
    # an action queued a message for the relay (group id, the note to show with its state): send it now
    queued: list[Callable[[str, str], None]] = field(default_factory=list)

    def run(self, moment: list[Callable[[], None]]) -> None:
        """Run every hook of one moment."""
        for hook in moment:
            hook()

    def queue(self, group_id: str, note: str = "") -> None:
        """Tell the features a message for `group_id` is queued (docs/adr/0008-delivery.md)."""
        for hook in self.queued:
            hook(group_id, note)


@ft.observable
@dataclass
class SessionState:
    """The lock and what every screen shows around its body (busy, error, notice)."""

    ctx: AppContext
    router: Router = field(default_factory=Router)
    busy: str = ""  # what the app is doing right now, shown beside a progress ring
    busy_at: str = ""  # the key of the control that started it: the ring is shown beside that control
    error: str = ""
    field_errors: dict[str, str] = field(default_factory=dict)  # field key -> what is wrong with it
    notice: str = ""
    waiting: str = ""  # the last "Try again in …" shown as the notice (docs/adr/0009-web-client.md)
    pending: PendingSetup | None = None
    language: str = "en"
    client_language: str | None = None  # what the browser or the platform asks for (app.views.lang)
    phone: bool = False  # a built phone app: the platform's language comes before the environment's
    idle: IdleTimer = field(default_factory=lambda: IdleTimer(5))
    lock_epoch: int = 0  # bumped by every lock, so an unlock that finishes after one is not shown
    minute: int = 0  # the clock, per minute: banners and countdowns re-render as it moves
    wide: bool = False  # a window over WIDE_FROM px: a navigation rail instead of the bottom bar (ADR 0012)
    hooks: Hooks = field(default_factory=Hooks)

    def __post_init__(self) -> None:
        self.router.unlocked = lambda: self.unlocked
        self.router.home = self.home_screen
        self.router.on_move = self._on_move

    # ---- what the features read ----

    @property
    def service(self) -> VaultService:
        """The data directory's VaultService (from the context)."""
        return self.ctx.vault_service

    @property
    def profile(self) -> Profile:
        """The deployment profile: relay, crisis lines, default language."""
        return self.ctx.settings()

    @property
    def unlocked(self) -> bool:
        """True while the journal is open."""
        return self.service.is_unlocked

    @property
    def journal(self) -> Journal:
        """The open journal (raises when locked)."""
        return self.service.require_journal()

    def integrity(self) -> tuple[str, list[str]] | None:
        """What this unlock found against the manifest (docs/adr/0011-rollback.md), as a title and sentences;
        None when all is as it was saved. Shown until the lock; nothing was changed because of it."""
        report = self.service.integrity
        if report is None or report.ok:
            return None
        return integrity.title(), integrity.lines(report)

    def can_check_in(self) -> bool:
        """Anonymous members always; with a journal only while it is open (check-ins are sealed in it)."""
        return self.unlocked or not self.service.has_vault()

    def home_screen(self) -> Route:
        """Where a locked app starts: unlock when there is a journal, the meeting for an anonymous member."""
        if self.service.has_vault():
            return Route.UNLOCK
        return Route.HOME if self.ctx.groups.list() else Route.WELCOME

    def default_zone(self) -> str:
        """The time zone a new group gets by default: the one of the member's language."""
        return ZONE_FOR_LANGUAGE.get(self.language, "Europe/Stockholm")

    def country(self) -> str | None:
        """The member's own country, for the crisis lines (app.views.states.country)."""
        return own_country(self.language, self.profile.default_language, lambda: self.ctx.groups.list())

    def crisis_line(self) -> CrisisLine | None:
        """The region's first crisis line for the member's own country (else its first)."""
        country, lines = self.country(), self.profile.crisis_lines
        return next((line for line in lines if line.country == country), lines[0] if lines else None)

    def touch(self) -> None:
        """Count activity for the idle lock."""
        self.idle.touch()

    def field_error(self, key: str) -> str:
        """What is wrong with the field `key`, shown at that field (empty when nothing is)."""
        return self.field_errors.get(key, "")

    def fail(self, errors: dict[str, str]) -> None:
        """Show each message at the field it is about (a key the screen has); one with no key ("") goes on
        top of the screen. Replaces what was shown before: the member sees only what is wrong now."""
        self.field_errors = {k: v for k, v in errors.items() if k}
        self.error = errors.get("", "")

    def clear_errors(self) -> None:
        """Nothing is wrong (any more): no message on top, none at a field."""
        self.error = ""
        if self.field_errors:
            self.field_errors = {}

    def _on_move(self) -> None:
        self.touch()
        self.clear_errors()
        self.notice = ""  # a notice belongs to the screen it was shown on, unless the move sets one

    def refresh(self) -> None:
        """A fresh context after unlock, lock or restore: no service keeps a stale engine or key."""
        self.ctx = self.ctx.refreshed()

    async def run(self, label: str, work: Any, *args: Any, at: str = "",
                  fields: dict[Msg, str] | None = None) -> Any:
        """Run slow work in a thread with a progress label, shown beside the control `at` (the one tapped;
        else on top). A KraftError becomes the shown error: at the field `fields` names for its message, else
        on top. The wait after many failed unlocks is no mistake of this try: it is said as a calm notice,
        not in red."""
        self.touch()
        self.clear_errors()
        self.busy, self.busy_at = label, at
        if self.notice == self.waiting:
            self.notice = ""
        try:
            return await asyncio.to_thread(work, *args)
        except KraftError as exc:
            if exc.msg is Msg.UNLOCK_WAIT:
                self.notice = self.waiting = str(exc)
            else:
                self.fail({(fields or {}).get(exc.msg, ""): str(exc)})
            return None
        finally:
            self.busy, self.busy_at = "", ""
            self.touch()

    # ---- start, onboarding, unlock ----

    def first_language(self) -> str:
        """The language before anyone chose one: the machine's (its locale settings), then the browser's or
        the platform's (`client_language`), then the region's. On a phone the platform's comes first: the
        embedded Python's environment is not the phone's setting (docs/adr/0007-app-layout.md, "Language")."""
        device = i18n.device_language()
        asked = (self.client_language, device) if self.phone else (device, self.client_language)
        return next((code for code in asked if code), self.profile.default_language)

    def start(self) -> None:
        """Pick the first screen and its language: the one the member chose, else `first_language`. A database
        that cannot be read is shown as a problem, never reset."""
        self.refresh()
        try:
            lang = self.service.get_preference("language") or self.first_language()
            self.set_language(lang, remember=False)
            self.idle.minutes = self.service.autolock_minutes()
            self.router.show(self.home_screen())
            self.hooks.run(self.hooks.started)  # after: a feature may show its own first screen (the guidelines)
        except KraftError as exc:
            self.set_language(self.first_language(), remember=False)
            self.error = str(exc)
            self.router.show(Route.PROBLEM)

    async def prepare_setup(self, passphrase: str, repeat: str) -> None:
        """Check the new passphrase and derive the keys (slow); then show the recovery code."""
        pending = await self.run(_("Securing your journal…"), self.service.prepare_setup, passphrase, repeat,
                                 fields=SETUP_FIELDS)
        if pending is not None:
            self.pending = pending
            self.router.navigate(Route.RECOVERY_CODE)

    async def _open(self, label: str, work: Any, *args: Any, fields: dict[Msg, str] | None = None) -> bool:
        """Run an opening step (setup, unlock, recover) in a thread. A lock while it runs (quick exit, the
        app hidden) wins: the journal it opened is locked again and never shown."""
        epoch = self.lock_epoch
        opened = await self.run(label, work, *args, fields=fields)
        if opened and epoch != self.lock_epoch:
            self.service.lock()
            return False
        if opened:
            self.refresh()
        return bool(opened)

    async def confirm_recovery(self, typed: str) -> None:
        """Create the journal once the recovery code is typed back, then open it."""
        if self.pending is None:
            self.router.navigate(Route.SETUP)
            return
        if await self._open(_("Creating your journal…"), self.service.finish_setup, self.pending, typed,
                            fields={Msg.RECOVERY_CODE_MISMATCH: "recovery-confirm",
                                    Msg.RECOVERY_CODE_UNCONFIRMED: "recovery-confirm"}):
            self.pending = None
            self.router.navigate(Route.JOURNAL)

    async def unlock(self, passphrase: str) -> None:
        """Open the journal with the passphrase (slow); the features load their open parts."""
        await self.open_journal(self.service.unlock, passphrase, fields={Msg.WRONG_PASSPHRASE: "unlock-passphrase"})

    async def open_journal(self, work: Any, *args: Any, fields: dict[Msg, str] | None = None) -> bool:
        """Unlock by `work` (the passphrase, or a keystore secret: docs/adr/0010-keystore-unlock.md), then show
        the journal and let the features load their open parts. False when it did not open."""
        if await self._open(_("Opening your journal…"), work, *args, fields=fields):
            self.router.navigate(Route.JOURNAL)
            self.hooks.run(self.hooks.unlocked)
            return True
        return False

    async def recover(self, code: str, passphrase: str, repeat: str) -> None:
        """Open the journal with the recovery code and set a new passphrase."""
        if await self._open(_("Opening your journal…"), self.service.recover, code, passphrase, repeat,
                            fields=RECOVER_FIELDS):
            self.router.navigate(Route.JOURNAL)
            self.notice = _("Your new passphrase is set.")

    def lock(self, *, neutral: bool = False) -> None:
        """Lock now: keep the draft, forget every decrypted thing, show the unlock (or a neutral) screen.

        Nothing stops the lock: a draft that cannot be written is kept sealed and written later.
        """
        self.lock_epoch += 1
        try:
            if self.unlocked:
                self.hooks.run(self.hooks.before_lock)
        except Exception:
            log.exception("autosave before lock failed")
        finally:
            self.service.lock()
        self.refresh()
        self.pending = None
        self.hooks.run(self.hooks.locked)
        self.notice = ""
        self.busy = self.busy_at = ""
        self.clear_errors()
        # No re-sync here: the plan handed over while the journal was open keeps its homework nudges, which a
        # locked journal could not compute (the app locks whenever it is hidden).
        self.router.show(Route.NEUTRAL if neutral else self.home_screen())

    def set_language(self, lang: str, *, remember: bool = True) -> None:
        """Show the app in another language; remembered unless `remember` is False."""
        chosen = session_lang.choose(lang)  # this session's language, not the process's
        self.ctx.language = self.language = chosen.code
        if remember:
            self.service.set_preference("language", self.language)
