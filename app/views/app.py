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
from app.errors import KraftError
from app.services.notify import Notifier
from app.services.vault_service import VaultService
from app.views.backup import Restore
from app.views.coordinator import Coordinator
from app.views.editor import Editor
from app.views.groups import AddGroup, GroupView, Guidelines, MeetingChange
from app.views.help import Help
from app.views.home import Home
from app.views.journal import EntryView, History, JournalList, Search, Toolkit
from app.views.leading import JoinGroup, LeadGroup
from app.views.notifications import notifier_for_page
from app.views.onboarding import Neutral, Problem, Recover, RecoveryCode, Setup, Unlock, Welcome
from app.views.reminders import Reminders
from app.views.routes import Route, guard, unknown
from app.views.settings import Settings
from app.views.state import AppState
from app.views.transfer import Transfer

SCREENS: dict[Route, Callable[[AppState], Any]] = {
    Route.WELCOME: Welcome, Route.SETUP: Setup, Route.RECOVERY_CODE: RecoveryCode, Route.UNLOCK: Unlock,
    Route.RECOVER: Recover, Route.NEUTRAL: Neutral, Route.JOURNAL: JournalList, Route.ENTRY: EntryView,
    Route.HISTORY: History, Route.EDITOR: Editor, Route.SEARCH: Search, Route.TOOLKIT: Toolkit,
    Route.SETTINGS: Settings, Route.PROBLEM: Problem, Route.HOME: Home, Route.ADD_GROUP: AddGroup,
    Route.GUIDELINES: Guidelines, Route.HELP: Help, Route.GROUP: GroupView, Route.MEETING: MeetingChange,
    Route.RESTORE: Restore, Route.REMINDERS: Reminders, Route.TRANSFER: Transfer, Route.JOIN: JoinGroup,
    Route.LEAD: LeadGroup, Route.COORDINATOR: Coordinator,
}
log = logging.getLogger(__name__)
TICK_SECONDS = 3.0
SYNC_SECONDS = 300.0  # how often an open app asks the relay for news (also on start and on resume)
LOCK_STATES = (ft.AppLifecycleState.HIDE, ft.AppLifecycleState.PAUSE)


def locale_configuration(language: str) -> ft.LocaleConfiguration:
    return ft.LocaleConfiguration(supported_locales=[ft.Locale(code) for code in i18n.SUPPORTED],
                                  current_locale=ft.Locale(language))


def locale_of(page: ft.Page) -> str | None:
    config = page.locale_configuration
    return config.current_locale.language_code if config and config.current_locale else None


@ft.component
def App(state: AppState) -> ft.Control:
    _ = state.revision  # re-render after journal changes
    page = ft.context.page
    title = i18n._("Notes") if state.screen == Route.NEUTRAL else "Kraft"  # quick exit: nothing in the tab title
    if page.title != title:
        page.title = title
        page.update()
    if locale_of(page) != state.language:  # Flet's own widgets (date pickers, tooltips) follow the language
        page.locale_configuration = locale_configuration(state.language)
        page.update()
    # mid-lock (the key already gone, the screen not yet switched): show nothing private
    route = guard(state.screen, unlocked=state.unlocked) or Route.NEUTRAL
    return ft.SafeArea(screen_for(route)(state), expand=True)


def screen_for(route: Route) -> Callable[[AppState], Any]:
    """The screen of a route; an unknown one raises in tests and shows the home screen (logged) in production."""
    screen = SCREENS.get(route)
    return screen if screen is not None else SCREENS[unknown(route)]


def build_main(service_factory: Callable[[], VaultService] = VaultService, *, profile: Profile | None = None,
               tick_seconds: float = TICK_SECONDS, sync_seconds: float = SYNC_SECONDS,
               notifier_factory: Callable[[ft.Page], Notifier] = notifier_for_page) -> Callable[[ft.Page], Any]:
    """The `main(page)` that `ft.run` calls; tests hand in their own service and a fast tick."""

    async def main(page: ft.Page) -> None:
        state = AppState(service=service_factory(), profile=profile or load_profile(),
                         notifier=notifier_factory(page))
        state.start()
        page.title = "Kraft"
        page.theme_mode = ft.ThemeMode.SYSTEM
        page.theme = ft.Theme(color_scheme_seed=ft.Colors.TEAL)
        page.dark_theme = ft.Theme(color_scheme_seed=ft.Colors.TEAL)
        page.locale_configuration = locale_configuration(state.language)

        def lifecycle(e: ft.AppLifecycleStateChangeEvent) -> None:
            if e.state in LOCK_STATES:
                state.lock()
            elif e.state in (ft.AppLifecycleState.RESUME, ft.AppLifecycleState.SHOW):
                state.changed()  # back in the app: reminders and countdowns are re-read
                page.run_task(state.sync_quietly)

        page.on_app_lifecycle_state_change = lifecycle
        page.on_route_change = lambda e: state.open_route(e.route)
        state.open_route(page.route)  # opened from an invite link
        page.on_keyboard_event = lambda e: state.touch()
        closed = asyncio.Event()

        def close(e: Any) -> None:
            closed.set()
            state.lock()
            state.service.close()

        page.on_close = close

        async def ticker() -> None:
            while not closed.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(closed.wait(), tick_seconds)
                try:
                    state.tick()
                except KraftError as exc:  # e.g. the draft could not be saved: say so, keep the text on screen
                    state.error = str(exc)
                except Exception:
                    log.exception("background tick failed")

        async def syncer() -> None:
            while not closed.is_set():
                try:
                    await state.sync_quietly()
                except Exception:
                    log.exception("background sync failed")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(closed.wait(), sync_seconds)

        page.run_task(ticker)
        page.run_task(syncer)
        page.render(App, state)

    return main
