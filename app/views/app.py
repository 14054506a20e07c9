"""The root of the UI: picks the screen for the state, and wires page events (lifecycle, keys, timers)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import flet as ft

from app import i18n
from app.config import Profile, load_profile
from app.domain import themes
from app.errors import KraftError
from app.services.context import AppContext
from app.services.keystore_unlock import Keystore
from app.services.notify import Notifier
from app.services.vault_service import VaultService
from app.views import lang as session_lang
from app.views.backup import Restore
from app.views.common import WIDE_FROM
from app.views.coordinator import Coordinator
from app.views.editor import Editor
from app.views.finder import FindGroup
from app.views.groups import AddGroup, GroupView, Guidelines, MeetingChange
from app.views.help import Help
from app.views.home import Home
from app.views.journal import EntryView, History, JournalList, Search, Toolkit
from app.views.keystore import keystore_for_page
from app.views.leading import JoinGroup, LeadGroup
from app.views.meeting_guide import TodayMeeting
from app.views.my_round import MyPlan, MyRound
from app.views.notifications import notifier_for_page
from app.views.onboarding import Neutral, Problem, Recover, RecoveryCode, Setup, Unlock, Welcome
from app.views.rekey import Rekey
from app.views.reminders import Reminders
from app.views.routes import Route, Router, guard, unknown
from app.views.settings import Settings
from app.views.states.model import AppModel
from app.views.states.session import SessionState
from app.views.theme import app_theme
from app.views.transfer import Transfer

# What each screen is handed: the feature states it shows, and the session (frame, messages, navigation).
SCREENS: dict[Route, Callable[[AppModel], Any]] = {
    Route.WELCOME: lambda m: Welcome(m.finder, m.session),
    Route.SETUP: lambda m: Setup(m.session),
    Route.RECOVERY_CODE: lambda m: RecoveryCode(m.session),
    Route.UNLOCK: lambda m: Unlock(m.groups, m.homework, m.keystore, m.session),
    Route.RECOVER: lambda m: Recover(m.session),
    Route.NEUTRAL: lambda m: Neutral(m.session),
    Route.PROBLEM: lambda m: Problem(m.session),
    Route.HOME: lambda m: Home(m.groups, m.homework, m.finder, m.announcements, m.session),
    Route.ADD_GROUP: lambda m: AddGroup(m.groups, m.session),
    Route.GUIDELINES: lambda m: Guidelines(m.session),
    Route.HELP: lambda m: Help(m.session),
    Route.GROUP: lambda m: GroupView(m.groups, m.hosting, m.membership, m.journal, m.homework,
                                       m.session, m.choosing),
    Route.MEETING: lambda m: MeetingChange(m.groups, m.session),
    Route.RESTORE: lambda m: Restore(m.settings, m.session),
    Route.REMINDERS: lambda m: Reminders(m.groups, m.session),
    Route.JOIN: lambda m: JoinGroup(m.hosting, m.session),
    Route.COORDINATOR: lambda m: Coordinator(m.coordinator, m.session),
    Route.FIND: lambda m: FindGroup(m.finder, m.session),
    Route.JOURNAL: lambda m: JournalList(m.journal, m.groups, m.homework, m.announcements, m.session),
    Route.ENTRY: lambda m: EntryView(m.journal, m.session),
    Route.HISTORY: lambda m: History(m.journal, m.session),
    Route.EDITOR: lambda m: Editor(m.journal, m.session),
    Route.SEARCH: lambda m: Search(m.journal, m.session),
    Route.TOOLKIT: lambda m: Toolkit(m.journal, m.session),
    Route.SETTINGS: lambda m: Settings(m.settings, m.groups, m.hosting, m.keystore, m.finder, m.announcements,
                                        m.session),
    Route.REKEY: lambda m: Rekey(m.settings, m.session),
    Route.TRANSFER: lambda m: Transfer(m.settings, m.session),
    Route.LEAD: lambda m: LeadGroup(m.hosting, m.session),
    Route.TODAY: lambda m: TodayMeeting(m.meeting, m.session),
    Route.MY_ROUND: lambda m: MyRound(m.my_round, m.session),
    Route.PLAN: lambda m: MyPlan(m.my_round, m.session),
}
log = logging.getLogger(__name__)
TICK_SECONDS = 3.0
SYNC_SECONDS = 300.0  # the fallback sync (also on open, unlock and resume); news comes by the listener
LOCK_STATES = (ft.AppLifecycleState.HIDE, ft.AppLifecycleState.PAUSE)


def locale_configuration(language: str) -> ft.LocaleConfiguration:
    return ft.LocaleConfiguration(supported_locales=[ft.Locale(code) for code in i18n.SUPPORTED],
                                  current_locale=ft.Locale(language))


def locale_of(page: ft.Page) -> str | None:
    config = page.locale_configuration
    return config.current_locale.language_code if config and config.current_locale else None


@ft.component
def App(model: AppModel, router: Router, session: SessionState) -> ft.Control:
    """The root: re-renders when the route or the session changes; each screen follows its own states."""
    page = ft.context.page
    title = i18n._("Notes") if router.route is Route.NEUTRAL else "Kraft"  # quick exit: nothing in the tab title
    if page.title != title:
        page.title = title
        page.update()
    if locale_of(page) != session.language:  # Flet's own widgets (date pickers, tooltips) follow the language
        page.locale_configuration = locale_configuration(session.language)
        page.update()
    # mid-lock (the key already gone, the screen not yet switched): show nothing private
    route = guard(router.route, unlocked=session.unlocked) or Route.NEUTRAL
    return ft.SafeArea(screen_for(route)(model), expand=True)


def screen_for(route: Route) -> Callable[[AppModel], Any]:
    """The screen of a route; an unknown one raises in tests and shows the home screen (logged) in production."""
    screen = SCREENS.get(route)
    return screen if screen is not None else SCREENS[unknown(route)]


def set_wide(session: SessionState, width: float | None) -> None:
    """Wide or not, from the window's width (docs/adr/0012-wide-layout.md); unknown is narrow, a phone's."""
    wide = (width or 0) >= WIDE_FROM
    if session.wide != wide:
        session.wide = wide


def build_main(service_factory: Callable[[], VaultService] = VaultService, *, profile: Profile | None = None,
               tick_seconds: float = TICK_SECONDS, sync_seconds: float = SYNC_SECONDS, listen: bool = True,
               notifier_factory: Callable[[ft.Page], Notifier] = notifier_for_page,
               keystore_factory: Callable[[ft.Page], Keystore] = keystore_for_page) -> Callable[[ft.Page], Any]:
    """The `main(page)` that `ft.run` calls; tests hand in their own service and a fast tick."""

    async def main(page: ft.Page) -> None:
        session_lang.install()  # `_()` speaks the language of the session handling each event
        ctx = AppContext(vault_service=service_factory(), profile=profile or load_profile())
        themes.use_region_pack(ctx.settings().region_pack())  # the region's own themes join the library
        model = AppModel.build(ctx, notifier=notifier_factory(page), keystore=keystore_factory(page))
        session, hosting = model.session, model.hosting
        delivery = hosting.delivery
        # While open and not locked: long-poll every relay link, sync on news (docs/adr/0008-delivery.md).
        shown = [True]  # False while the app is hidden: nothing is polled then, with or without a journal
        # Not while busy: a restore closes the database and swaps the file in; asking `has_vault()` or reading
        # the links then would open the old file again and the app would start on the empty one.
        listener = delivery.listen(lambda: shown[0] and not session.busy
                                   and (session.unlocked or not session.service.has_vault()))
        session.client_language = await session_lang.client_language(page)
        session.phone = session_lang.on_phone(page)
        session.start()
        page.title = "Kraft"
        # edge to edge, as Material lays out a phone: the body keeps its own 16 px margins; Flet's 10 px page
        # padding took 20 px from every screen, and from the bottom bar's tabs (85 px each at 360 px, where
        # "Inställningar" needs 86 at large text)
        page.padding = 0
        page.theme_mode = ft.ThemeMode.SYSTEM
        page.theme = app_theme()
        page.dark_theme = app_theme()
        page.locale_configuration = locale_configuration(session.language)

        def lifecycle(e: ft.AppLifecycleStateChangeEvent) -> None:
            if e.state in LOCK_STATES:
                shown[0] = False
                session.lock()  # and so the listener pauses
            elif e.state in (ft.AppLifecycleState.RESUME, ft.AppLifecycleState.SHOW):
                shown[0] = True
                model.groups.changed()  # back in the app: reminders and countdowns are re-read
                page.run_task(delivery.sync_quietly)  # fetch on resume
                listener.wake()

        page.on_app_lifecycle_state_change = lifecycle
        page.on_resize = lambda e: set_wide(session, e.width)  # the rail and the bar swap as the window does
        set_wide(session, page.width)
        page.on_route_change = lambda e: hosting.open_route(e.route)
        hosting.open_route(page.route)  # opened from an invite link
        page.on_keyboard_event = lambda e: session.touch()
        closed = asyncio.Event()

        def close(e: Any) -> None:
            closed.set()
            listener.pause()
            session.lock()
            session.service.close()

        page.on_close = close

        async def ticker() -> None:
            while not closed.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(closed.wait(), tick_seconds)
                try:
                    model.tick()
                except KraftError as exc:  # e.g. the draft could not be saved: say so, keep the text on screen
                    session.error = str(exc)
                except Exception:
                    log.exception("background tick failed")

        async def syncer() -> None:
            while not closed.is_set():
                try:
                    await delivery.sync_quietly()
                except Exception:
                    log.exception("background sync failed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(closed.wait(), sync_seconds)

        page.run_task(ticker)
        page.run_task(syncer)
        if listen:
            page.run_task(listener.run, closed)
        page.render(App, model, model.router, session)

    return main
